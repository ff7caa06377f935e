import {
  CommandError,
  ERR_AUTH_NO_PASSWORD,
  ERR_CLIENT_NAME,
  ERR_DB_INDEX,
  ERR_HELLO_NOAUTH,
  ERR_NOPROTO,
  ERR_SELECT_CLUSTER,
  ERR_SYNTAX,
  ERR_WRONGPASS,
  outOfRange,
  wrongArity,
} from '../protocol/errors.js';
import { MapReply, OK, PONG, SimpleString, type Reply } from '../protocol/reply.js';
import { SERVER_VERSION } from '../server/server.js';
import { redactArgument } from '../server/diagnostics.js';
import type { Session } from '../server/session.js';
import { intArg, isToken, parseInt64 } from './args.js';
import { isValidClientName } from './client.js';
import type { CommandSpec } from './spec.js';

// The connection group: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT (Redis 7.0's
// src/commands/*.json for the specs, networking.c / server.c / acl.c for the behaviour).

const RESET = new SimpleString('RESET');
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Redis' ACLAuthenticateUser for a server without ACL files: the only user is `default`, whose
 * password is requirepass; without one the user is `nopass` and any password is accepted.
 */
function checkCredentials(session: Session, username: string, password: string): boolean {
  if (username !== 'default') return false;
  const requirepass = session.server.config.get('requirepass');
  return requirepass === '' || password === requirepass;
}

function ping(session: Session, argv: string[]): Reply {
  // Arity is -1 so PING's own check reports the extra arguments, as pingCommand does.
  if (argv.length > 2) throw new CommandError(wrongArity('ping'));
  // A RESP2 client in pub/sub mode can only read arrays, so PING answers like a message there.
  if (session.inPubSubMode && session.protocol === 2) return ['pong', argv.length === 2 ? argv[1]! : ''];
  return argv.length === 1 ? PONG : argv[1]!;
}

function auth(session: Session, argv: string[]): Reply {
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  let username = 'default';
  let password = argv[1]!;
  if (argv.length === 3) {
    username = argv[1]!;
    password = argv[2]!;
  }
  // Secrets never reach SLOWLOG or MONITOR, whatever the outcome (Redis' redactClientCommandArgument).
  for (let i = 1; i < argv.length; i++) redactArgument(argv, i);
  if (argv.length === 2) {
    // The one-argument form keeps its pre-ACL error when the default user has no password.
    if (session.server.config.get('requirepass') === '') throw new CommandError(ERR_AUTH_NO_PASSWORD);
  }
  // A failed AUTH leaves an already authenticated client authenticated, as in Redis.
  if (!checkCredentials(session, username, password)) throw new CommandError(ERR_WRONGPASS);
  session.userName = username;
  session.authenticate();
  return OK;
}

function hello(session: Session, argv: string[]): Reply {
  let version = 0;
  let next = 1;
  if (argv.length >= 2) {
    const parsed = parseInt64(argv[next++]!);
    if (parsed === undefined) throw new CommandError('ERR Protocol version is not an integer or out of range');
    if (parsed !== 2 && parsed !== 3) throw new CommandError(ERR_NOPROTO);
    version = parsed;
  }
  let username: string | undefined;
  let password: string | undefined;
  let clientName: string | undefined;
  for (let i = next; i < argv.length; i++) {
    const option = argv[i]!;
    const more = argv.length - 1 - i;
    if (isToken(option, 'AUTH') && more >= 2) {
      username = argv[i + 1]!;
      password = argv[i + 2]!;
      redactArgument(argv, i + 1);
      redactArgument(argv, i + 2);
      i += 2;
    } else if (isToken(option, 'SETNAME') && more >= 1) {
      clientName = argv[i + 1]!;
      // The name is checked while parsing, before authentication, as helloCommand does.
      if (!isValidClientName(clientName)) throw new CommandError(ERR_CLIENT_NAME);
      i++;
    } else {
      throw new CommandError(`ERR Syntax error in HELLO option '${option}'`);
    }
  }
  if (username !== undefined && password !== undefined) {
    if (!checkCredentials(session, username, password)) throw new CommandError(ERR_WRONGPASS);
    session.userName = username;
    session.authenticate();
  }
  if (!session.authenticated) throw new CommandError(ERR_HELLO_NOAUTH);
  if (clientName !== undefined) session.name = clientName;
  // The protocol switches before the reply, so HELLO 3 is itself answered with a RESP3 map.
  if (version !== 0) session.protocol = version as 2 | 3;
  const cluster = session.server.config.getBool('cluster-enabled');
  return new MapReply([
    'server', 'redis',
    'version', SERVER_VERSION,
    'proto', session.protocol,
    'id', session.id,
    'mode', cluster ? 'cluster' : 'standalone',
    'role', 'master',
    'modules', [],
  ]);
}

function select(session: Session, argv: string[]): Reply {
  // getIntFromObjectOrReply: a 64-bit integer first, then the range of a C int.
  const index = intArg(argv[1]!);
  if (index < INT32_MIN || index > INT32_MAX) throw new CommandError(outOfRange(INT32_MIN, INT32_MAX));
  const server = session.server;
  if (index !== 0 && server.config.getBool('cluster-enabled')) throw new CommandError(ERR_SELECT_CLUSTER);
  const db = server.keyspace.databases[index];
  if (db === undefined) throw new CommandError(ERR_DB_INDEX);
  session.db = db;
  return OK;
}

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Ping the server',
    complexity: 'O(1)',
    arguments: [{ name: 'message', type: 'string', optional: true }],
    handler: ping,
  },
  {
    name: 'echo',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Echo the given string',
    complexity: 'O(1)',
    arguments: [{ name: 'message', type: 'string' }],
    handler: (_session, argv): Reply => argv[1]!,
  },
  {
    name: 'quit',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Close the connection',
    complexity: 'O(1)',
    handler: (session): Reply => {
      // Commands pipelined after QUIT are not run; the +OK (unless replies are off) is written first.
      session.closeAfterReply();
      return OK;
    },
  },
  {
    name: 'reset',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '6.2.0',
    summary: 'Reset the connection',
    complexity: 'O(1)',
    handler: (session): Reply => {
      session.resetConnectionState();
      return RESET;
    },
  },
  {
    name: 'hello',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '6.0.0',
    summary: 'Handshake with Redis',
    complexity: 'O(1)',
    arguments: [
      {
        name: 'arguments',
        type: 'block',
        optional: true,
        arguments: [
          { name: 'protover', type: 'integer' },
          {
            name: 'username_password',
            type: 'block',
            token: 'AUTH',
            optional: true,
            arguments: [
              { name: 'username', type: 'string' },
              { name: 'password', type: 'string' },
            ],
          },
          { name: 'clientname', type: 'string', token: 'SETNAME', optional: true },
        ],
      },
    ],
    handler: hello,
  },
  {
    name: 'auth',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Authenticate to the server',
    complexity: 'O(N) where N is the number of passwords defined for the user',
    arguments: [
      { name: 'username', type: 'string', optional: true },
      { name: 'password', type: 'string' },
    ],
    handler: auth,
  },
  {
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Change the selected database for the current connection',
    complexity: 'O(1)',
    arguments: [{ name: 'index', type: 'integer' }],
    handler: select,
  },
];
