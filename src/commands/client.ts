import { CommandError, ERR_CLIENT_NAME, ERR_NO_SUCH_CLIENT, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_UNBLOCK_REASON } from '../protocol/errors.js';
import { NO_REPLY, OK, SimpleString, VerbatimReply, type Reply } from '../protocol/reply.js';
import type { ClientType, Session } from '../server/session.js';
import { isToken, parseInt64 } from './args.js';
import type { CommandSpec } from './spec.js';

// CLIENT and its subcommands, after Redis 7.0's clientCommand (networking.c), plus CLIENT SETINFO
// from 7.2 (clients send it on connect) and the MAXAGE filter of CLIENT KILL from 7.4.

const LLONG_MAX = 2n ** 63n - 1n;

/**
 * V8 heap one idle connection takes (Session, its socket, parser, writer, transport), measured as
 * the growth of heapUsed over 2,000 idle connections (~2.4 KB each); tot-mem adds it to the
 * buffers, as Redis' getClientMemoryUsage adds sizeof(client).
 */
const SESSION_OVERHEAD_BYTES = 2400;

/**
 * Redis' validateClientAttr: names and library attributes must split cleanly in CLIENT LIST,
 * so only printable ASCII without spaces ('!'..'~') is allowed. The empty string is allowed.
 */
export function isValidClientName(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** Redis' getClientTypeByName; `slave` is the old name of `replica`. */
function clientTypeByName(name: string): ClientType | undefined {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return undefined;
  }
}

function clientType(name: string): ClientType {
  const type = clientTypeByName(name);
  if (type === undefined) throw new CommandError(`ERR Unknown client type '${name}'`);
  return type;
}

/**
 * The flags field: Redis' letters for the states we have, in catClientInfoString's order
 * (O monitor, P pub/sub, b blocked or postponed by CLIENT PAUSE, c closing after the reply,
 * e no-evict), N when none applies.
 */
function clientFlags(session: Session): string {
  let flags = session.monitoring ? 'O' : '';
  if (session.inPubSubMode) flags += 'P';
  if (session.isBlocked) flags += 'b';
  if (session.closing) flags += 'c';
  if (session.noEvict) flags += 'e';
  return flags === '' ? 'N' : flags;
}

/**
 * One CLIENT LIST / CLIENT INFO line, fields in Redis 7.0's order (catClientInfoString) with the
 * lib-name and lib-ver fields 7.2 appends. `current` is the client running the command: its argv
 * is the one in flight, and its cmd is that command, as Redis sets lastcmd before calling it.
 */
function describeClient(session: Session, current: Session, argv: readonly string[], command: string): string {
  const now = Math.floor(session.server.clock.now / 1000);
  const isCurrent = session === current;
  let argvBytes = 0;
  // Redis keeps a blocked or postponed client's argv until it is answered.
  const args = isCurrent ? argv : session.blocked !== null ? session.blocked.argv : (session.postponedArgv ?? []);
  for (const arg of args) argvBytes += arg.length;
  const queryBytes = session.inputBytesPending;
  const batchBytes = session.batchBytesPending;
  const socketBytes = session.socketBytesPending;
  const bufferSize = session.replyBufferSize;
  return (
    `id=${session.id} addr=${session.address} laddr=${session.localAddress} fd=${session.fd}` +
    ` name=${session.name} age=${now - Math.floor(session.createdAt / 1000)}` +
    ` idle=${now - Math.floor(session.lastInteraction / 1000)} flags=${clientFlags(session)} db=${session.dbIndex}` +
    ` sub=${session.channelCount} psub=${session.patternCount} ssub=${session.shardChannelCount} multi=-1` +
    ` qbuf=${queryBytes} qbuf-free=0 argv-mem=${argvBytes} multi-mem=0 rbs=${bufferSize} rbp=${batchBytes}` +
    ` obl=${batchBytes} oll=${socketBytes > 0 ? 1 : 0} omem=${socketBytes}` +
    ` tot-mem=${SESSION_OVERHEAD_BYTES + queryBytes + argvBytes + bufferSize + socketBytes} events=${socketBytes > 0 ? 'rw' : 'r'}` +
    ` cmd=${isCurrent ? command : session.lastCommand} user=${session.userName} redir=-1 resp=${session.protocol}` +
    ` lib-name=${session.libName} lib-ver=${session.libVersion}`
  );
}

function clientList(session: Session, argv: string[]): Reply {
  const sessions = session.server.sessions;
  let text = '';
  if (argv.length === 4 && isToken(argv[2]!, 'TYPE')) {
    const type = clientType(argv[3]!);
    for (const other of sessions.values()) {
      if (other.clientType === type) text += `${describeClient(other, session, argv, 'client|list')}\n`;
    }
  } else if (argv.length > 3 && isToken(argv[2]!, 'ID')) {
    // Every id is checked before anything is listed; an id may be repeated and is listed again.
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]!);
      if (id === undefined) throw new CommandError('ERR Invalid client ID');
      ids.push(Number(id));
    }
    for (const id of ids) {
      const other = sessions.get(id);
      if (other !== undefined) text += `${describeClient(other, session, argv, 'client|list')}\n`;
    }
  } else if (argv.length !== 2) {
    throw new CommandError(ERR_SYNTAX);
  } else {
    for (const other of sessions.values()) text += `${describeClient(other, session, argv, 'client|list')}\n`;
  }
  return new VerbatimReply('txt', text);
}

/** The filters of CLIENT KILL's new form; every given one must match. */
interface KillFilter {
  address?: string;
  localAddress?: string;
  type?: ClientType;
  id?: number;
  user?: string;
  maxAgeSeconds?: number;
  skipMe: boolean;
}

function parseKillFilter(argv: string[]): KillFilter {
  const filter: KillFilter = { skipMe: true };
  // Options come in pairs; a dangling or unknown option is a syntax error, reported in order.
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i]!;
    if (i + 1 >= argv.length) throw new CommandError(ERR_SYNTAX);
    const value = argv[i + 1]!;
    if (isToken(option, 'ID')) {
      const id = parseInt64(value);
      if (id === undefined || id < 1) throw new CommandError('ERR client-id should be greater than 0');
      filter.id = Number(id);
    } else if (isToken(option, 'MAXAGE')) {
      const age = parseInt64(value);
      if (age === undefined) throw new CommandError('ERR maxage is not an integer or out of range');
      if (age <= 0) throw new CommandError('ERR maxage should be greater than 0');
      filter.maxAgeSeconds = Number(age);
    } else if (isToken(option, 'TYPE')) {
      filter.type = clientType(value);
    } else if (isToken(option, 'ADDR')) {
      filter.address = value;
    } else if (isToken(option, 'LADDR')) {
      filter.localAddress = value;
    } else if (isToken(option, 'USER')) {
      if (value !== 'default') throw new CommandError(`ERR No such user '${value}'`);
      filter.user = value;
    } else if (isToken(option, 'SKIPME')) {
      if (isToken(value, 'YES')) filter.skipMe = true;
      else if (isToken(value, 'NO')) filter.skipMe = false;
      else throw new CommandError(ERR_SYNTAX);
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  return filter;
}

function matchesKillFilter(other: Session, filter: KillFilter, caller: Session, nowSeconds: number): boolean {
  if (filter.address !== undefined && other.address !== filter.address) return false;
  if (filter.localAddress !== undefined && other.localAddress !== filter.localAddress) return false;
  if (filter.type !== undefined && other.clientType !== filter.type) return false;
  if (filter.id !== undefined && other.id !== filter.id) return false;
  if (filter.user !== undefined && other.userName !== filter.user) return false;
  if (other === caller && filter.skipMe) return false;
  if (filter.maxAgeSeconds !== undefined && nowSeconds - Math.floor(other.createdAt / 1000) < filter.maxAgeSeconds) return false;
  return true;
}

function clientKill(session: Session, argv: string[]): Reply {
  // The old form CLIENT KILL ip:port may kill the caller itself; the new form skips it by default.
  const oldForm = argv.length === 3;
  const filter: KillFilter = oldForm ? { address: argv[2]!, skipMe: false } : parseKillFilter(argv);
  const nowSeconds = Math.floor(session.server.clock.now / 1000);
  const victims: Session[] = [];
  for (const other of session.server.sessions.values()) {
    if (matchesKillFilter(other, filter, session, nowSeconds)) victims.push(other);
  }
  for (const victim of victims) {
    // The caller gets its reply before its connection closes (CLIENT_CLOSE_AFTER_REPLY).
    if (victim === session) session.closeAfterReply();
    else victim.kill();
  }
  if (oldForm) {
    if (victims.length === 0) throw new CommandError(ERR_NO_SUCH_CLIENT);
    return OK;
  }
  return victims.length;
}

function clientSetInfo(session: Session, argv: string[]): Reply {
  const attribute = argv[2]!;
  const value = argv[3]!;
  const isName = isToken(attribute, 'LIB-NAME');
  if (!isName && !isToken(attribute, 'LIB-VER')) throw new CommandError(`ERR Unrecognized option '${attribute}'`);
  if (!isValidClientName(value)) throw new CommandError(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
  if (isName) session.libName = value;
  else session.libVersion = value;
  return OK;
}

function clientReply(session: Session, argv: string[]): Reply {
  const mode = argv[2]!;
  if (isToken(mode, 'ON')) {
    session.replyMode = 'on';
    return OK;
  }
  if (isToken(mode, 'OFF')) {
    session.replyMode = 'off';
    return NO_REPLY;
  }
  if (isToken(mode, 'SKIP')) {
    // SKIP means nothing while replies are off; dispatch turns skip-next into skip after this command.
    if (session.replyMode !== 'off') session.replyMode = 'skip-next';
    return NO_REPLY;
  }
  throw new CommandError(ERR_SYNTAX);
}

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id. More arguments fall
 * through clientCommand's branches to its generic complaint, naming the subcommand as typed.
 */
function clientUnblock(session: Session, argv: string[]): Reply {
  if (argv.length > 4) {
    throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try CLIENT HELP.`);
  }
  let withError = false;
  if (argv.length === 4) {
    if (isToken(argv[3]!, 'ERROR')) withError = true;
    else if (!isToken(argv[3]!, 'TIMEOUT')) throw new CommandError(ERR_UNBLOCK_REASON);
  }
  const id = parseInt64(argv[2]!);
  if (id === undefined) throw new CommandError(ERR_NOT_INTEGER);
  const server = session.server;
  if (!server.blocking.unblockById(Number(id), withError)) return 0;
  // Redis 7.0 counts the UNBLOCKED error sent to the other client as a failure of this command.
  if (withError) server.commands.get('client')!.subcommands!.get('unblock')!.failedCalls++;
  return 1;
}

/** CLIENT NO-EVICT ON|OFF: only the flag; this node has no client eviction (maxmemory-clients) to exempt from. */
function clientNoEvict(session: Session, argv: string[]): Reply {
  const mode = argv[2]!;
  if (isToken(mode, 'ON')) session.noEvict = true;
  else if (isToken(mode, 'OFF')) session.noEvict = false;
  else throw new CommandError(ERR_SYNTAX);
  return OK;
}

/**
 * CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as clientCommand does;
 * the timeout is Redis' getTimeoutFromObjectOrReply in milliseconds (0 ends at once).
 */
function clientPause(session: Session, argv: string[]): Reply {
  if (argv.length > 4) {
    throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try CLIENT HELP.`);
  }
  let all = true;
  if (argv.length === 4) {
    if (isToken(argv[3]!, 'WRITE')) all = false;
    else if (!isToken(argv[3]!, 'ALL')) throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const timeout = parseInt64(argv[2]!);
  if (timeout === undefined) throw new CommandError('ERR timeout is not an integer or out of range');
  if (timeout < 0) throw new CommandError('ERR timeout is negative');
  const now = session.server.clock.now;
  // Redis 7.0 adds the timeout to mstime() in a signed 64-bit integer: past LLONG_MAX the sum
  // wraps negative, which is an end already passed, so such a pause ends at once.
  const wraps = BigInt(timeout) > LLONG_MAX - BigInt(now);
  session.pause.pause(timeout === 0 || wraps ? 0 : Number(timeout) + now, all);
  return OK;
}

/** Redis 7.0.15's CLIENT HELP, line for line. */
const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
].map((line) => new SimpleString(line));

const CLIENT_TYPES = [
  { name: 'normal', type: 'pure-token', token: 'NORMAL' },
  { name: 'master', type: 'pure-token', token: 'MASTER' },
  { name: 'replica', type: 'pure-token', token: 'REPLICA' },
  { name: 'pubsub', type: 'pure-token', token: 'PUBSUB' },
] as const;

export const clientCommands: CommandSpec[] = [
  {
    name: 'client',
    arity: -2,
    flags: [],
    acl: ['slow'],
    group: 'connection',
    since: '2.4.0',
    summary: 'A container for client connection commands',
    complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'id',
        arity: 2,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '5.0.0',
        summary: 'Returns the client ID for the current connection',
        complexity: 'O(1)',
        handler: (session): Reply => session.id,
      },
      {
        name: 'setname',
        arity: 3,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '2.6.9',
        summary: 'Set the current connection name',
        complexity: 'O(1)',
        arguments: [{ name: 'connection-name', type: 'string' }],
        handler: (session, argv): Reply => {
          // An empty name removes the name.
          if (!isValidClientName(argv[2]!)) throw new CommandError(ERR_CLIENT_NAME);
          session.name = argv[2]!;
          return OK;
        },
      },
      {
        name: 'getname',
        arity: 2,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '2.6.9',
        summary: 'Get the current connection name',
        complexity: 'O(1)',
        handler: (session): Reply => (session.name === '' ? null : session.name),
      },
      {
        name: 'list',
        arity: -2,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        acl: ['admin', 'slow', 'dangerous', 'connection'],
        group: 'connection',
        since: '2.4.0',
        summary: 'Get the list of client connections',
        complexity: 'O(N) where N is the number of client connections',
        arguments: [
          { name: 'normal_master_replica_pubsub', type: 'oneof', token: 'TYPE', optional: true, arguments: [...CLIENT_TYPES] },
          { name: 'id', type: 'block', token: 'ID', optional: true, arguments: [{ name: 'client-id', type: 'integer', multiple: true }] },
        ],
        handler: clientList,
      },
      {
        name: 'info',
        arity: 2,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '6.2.0',
        summary: 'Returns information about the current client connection.',
        complexity: 'O(1)',
        handler: (session, argv): Reply => new VerbatimReply('txt', `${describeClient(session, session, argv, 'client|info')}\n`),
      },
      {
        name: 'kill',
        arity: -3,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        acl: ['admin', 'slow', 'dangerous', 'connection'],
        group: 'connection',
        since: '2.4.0',
        summary: 'Kill the connection of a client',
        complexity: 'O(N) where N is the number of client connections',
        arguments: [
          {
            name: 'filter',
            type: 'oneof',
            arguments: [
              { name: 'ip:port', type: 'string' },
              {
                name: 'new-format',
                type: 'oneof',
                multiple: true,
                arguments: [
                  { name: 'client-id', type: 'integer', token: 'ID', optional: true },
                  {
                    name: 'normal_master_slave_pubsub',
                    type: 'oneof',
                    token: 'TYPE',
                    optional: true,
                    arguments: [
                      { name: 'normal', type: 'pure-token', token: 'NORMAL' },
                      { name: 'master', type: 'pure-token', token: 'MASTER' },
                      { name: 'slave', type: 'pure-token', token: 'SLAVE' },
                      { name: 'replica', type: 'pure-token', token: 'REPLICA' },
                      { name: 'pubsub', type: 'pure-token', token: 'PUBSUB' },
                    ],
                  },
                  { name: 'username', type: 'string', token: 'USER', optional: true },
                  { name: 'ip:port', type: 'string', token: 'ADDR', optional: true },
                  { name: 'ip:port', type: 'string', token: 'LADDR', optional: true },
                  { name: 'yes/no', type: 'string', token: 'SKIPME', optional: true },
                ],
              },
            ],
          },
        ],
        handler: clientKill,
      },
      {
        name: 'setinfo',
        arity: 4,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '7.2.0',
        summary: 'Sets information specific to the client or connection.',
        complexity: 'O(1)',
        arguments: [
          {
            name: 'attr',
            type: 'oneof',
            arguments: [
              { name: 'libname', type: 'string', token: 'LIB-NAME' },
              { name: 'libver', type: 'string', token: 'LIB-VER' },
            ],
          },
        ],
        handler: clientSetInfo,
      },
      {
        name: 'reply',
        arity: 3,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '3.2.0',
        summary: 'Instruct the server whether to reply to commands',
        complexity: 'O(1)',
        arguments: [
          {
            name: 'on_off_skip',
            type: 'oneof',
            arguments: [
              { name: 'on', type: 'pure-token', token: 'ON' },
              { name: 'off', type: 'pure-token', token: 'OFF' },
              { name: 'skip', type: 'pure-token', token: 'SKIP' },
            ],
          },
        ],
        handler: clientReply,
      },
      {
        name: 'unblock',
        arity: -3,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        acl: ['admin', 'slow', 'dangerous', 'connection'],
        group: 'connection',
        since: '5.0.0',
        summary: 'Unblock a client blocked in a blocking command from a different connection',
        complexity: 'O(log N) where N is the number of client connections',
        arguments: [
          { name: 'client-id', type: 'integer' },
          {
            name: 'timeout_error',
            type: 'oneof',
            optional: true,
            arguments: [
              { name: 'timeout', type: 'pure-token', token: 'TIMEOUT' },
              { name: 'error', type: 'pure-token', token: 'ERROR' },
            ],
          },
        ],
        handler: clientUnblock,
      },
      {
        name: 'no-evict',
        arity: 3,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        acl: ['admin', 'slow', 'dangerous', 'connection'],
        group: 'connection',
        since: '7.0.0',
        summary: 'Set client eviction mode for the current connection',
        complexity: 'O(1)',
        arguments: [
          {
            name: 'enabled',
            type: 'oneof',
            arguments: [
              { name: 'on', type: 'pure-token', token: 'ON' },
              { name: 'off', type: 'pure-token', token: 'OFF' },
            ],
          },
        ],
        handler: clientNoEvict,
      },
      {
        name: 'pause',
        arity: -3,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        acl: ['admin', 'slow', 'dangerous', 'connection'],
        group: 'connection',
        since: '2.9.50',
        summary: 'Stop processing commands from clients for some time',
        complexity: 'O(1)',
        arguments: [
          { name: 'timeout', type: 'integer' },
          {
            name: 'mode',
            type: 'oneof',
            optional: true,
            arguments: [
              { name: 'write', type: 'pure-token', token: 'WRITE' },
              { name: 'all', type: 'pure-token', token: 'ALL' },
            ],
          },
        ],
        handler: clientPause,
      },
      {
        name: 'unpause',
        arity: 2,
        flags: ['admin', 'noscript', 'loading', 'stale'],
        acl: ['admin', 'slow', 'dangerous', 'connection'],
        group: 'connection',
        since: '6.2.0',
        summary: 'Resume processing of clients that were paused',
        complexity: 'O(N) Where N is the number of paused clients',
        handler: (session): Reply => {
          session.pause.unpause();
          return OK;
        },
      },
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '5.0.0',
        summary: 'Show helpful text about the different subcommands',
        complexity: 'O(1)',
        handler: (): Reply => HELP,
      },
      {
        name: 'getredir',
        arity: 2,
        flags: ['noscript', 'loading', 'stale'],
        acl: ['slow', 'connection'],
        group: 'connection',
        since: '6.0.0',
        summary: 'Get tracking notifications redirection client ID if any',
        complexity: 'O(1)',
        // No client tracking here, so never a redirection.
        handler: (): Reply => -1,
      },
    ],
  },
];
