import { stringMatch } from '../datastructures/glob.js';
import { CommandError, ERR_NO_SUCH_KEY, ERR_SYNTAX } from '../protocol/errors.js';
import { MapReply, NO_REPLY, OK, SimpleString, VerbatimReply, type Reply } from '../protocol/reply.js';
import {
  ConfigSetError,
  DIRECTIVES,
  findDirective,
  rewriteConfigFile,
  settableError,
  type Directive,
} from '../server/config.js';
import { buildInfo } from '../server/info.js';
import { redactArgument } from '../server/diagnostics.js';
import type { Session } from '../server/session.js';
import { parseInt64 } from './args.js';
import type { CommandSpec } from './spec.js';
import { stringEncodingOf } from './object.js';

// Server introspection and administration: INFO, CONFIG, TIME, DEBUG, SHUTDOWN, as Redis 7.0.

const ERR_NO_CONFIG_FILE = 'ERR The server is running without a config file';
const ERR_DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';
const ERR_NO_SHUTDOWN = 'ERR No shutdown in progress.';

/** Redis' addReplyHelp: the header line, the given lines, then HELP's own two lines, as status replies. */
export function helpReply(container: string, lines: readonly string[]): Reply {
  return [
    `${container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    'HELP',
    '    Prints this help.',
  ].map((line) => new SimpleString(line));
}

const info: CommandSpec = {
  name: 'info',
  arity: -1,
  flags: ['loading', 'stale'],
  acl: ['slow', 'dangerous'],
  group: 'server',
  since: '1.0.0',
  summary: 'Get information and statistics about the server',
  complexity: 'O(1)',
  arguments: [{ name: 'section', type: 'string', optional: true, multiple: true }],
  // RESP3 clients get verbatim text ("txt"), RESP2 clients a bulk string.
  handler: (session, argv) => new VerbatimReply('txt', buildInfo(session.server, argv.slice(1))),
};

// ---------------------------------------------------------------- CONFIG

const ADMIN_FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;
const ADMIN_ACL = ['admin', 'slow', 'dangerous'] as const;

/** The names a directive answers to in CONFIG GET: its own and its alias, as Redis' config dict holds both. */
const VISIBLE_NAMES: readonly [string, Directive][] = DIRECTIVES.filter((directive) => !directive.internal).flatMap(
  (directive): [string, Directive][] => (directive.alias ? [[directive.name, directive], [directive.alias, directive]] : [[directive.name, directive]]),
);

function configGet(session: Session, argv: string[]): Reply {
  const config = session.server.config;
  const flat: Reply[] = [];
  const seen = new Set<string>();
  const add = (name: string, directive: Directive): void => {
    const key = name.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    flat.push(name, config.get(directive.name));
  };
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i]!;
    // A name with no glob characters is looked up directly and answered under the spelling given.
    if (!/[[*?]/.test(pattern)) {
      const directive = findDirective(pattern);
      if (directive !== undefined && !directive.internal) add(pattern, directive);
      continue;
    }
    for (const [name, directive] of VISIBLE_NAMES) if (stringMatch(pattern, name, true)) add(name, directive);
  }
  return new MapReply(flat);
}

function configSet(session: Session, argv: string[]): Reply {
  if ((argv.length - 2) % 2 !== 0) throw new CommandError(ERR_SYNTAX);
  const config = session.server.config;
  const pairs: [Directive, string, string][] = [];
  // First pass, as Redis: unknown names, immutable or protected ones and duplicates fail before any value is parsed.
  for (let i = 2; i < argv.length; i += 2) {
    const given = argv[i]!;
    const directive = findDirective(given);
    if (directive === undefined || directive.internal) {
      throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${given}'`);
    }
    const value = argv[i + 1]!;
    if (directive.sensitive) redactArgument(argv, i + 1);
    const refusal = settableError(directive, config) ?? (pairs.some(([other]) => other === directive) ? 'duplicate parameter' : undefined);
    if (refusal !== undefined) throw new CommandError(configSetFailure(given, refusal));
    pairs.push([directive, value, given]);
  }
  try {
    config.setMany(pairs);
  } catch (error) {
    if (error instanceof ConfigSetError) throw new CommandError(configSetFailure(error.given.toLowerCase(), error.message));
    throw error;
  }
  return OK;
}

const configSetFailure = (name: string, reason: string): string => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;

/** CONFIG RESETSTAT: Redis' resetServerStats plus the command and error tables; used_memory_peak stays. */
function configResetStat(session: Session): Reply {
  const server = session.server;
  server.stats.reset();
  server.keyspace.stats.reset();
  for (const command of server.commands.all()) command.resetStats();
  return OK;
}

function configRewrite(session: Session): Reply {
  const server = session.server;
  if (server.configFile === undefined) throw new CommandError(ERR_NO_CONFIG_FILE);
  try {
    rewriteConfigFile(server.configFile, server.config);
  } catch (error) {
    throw new CommandError(`ERR Rewriting config file: ${(error as Error).message}`);
  }
  server.log('notice', 'CONFIG REWRITE executed with success.');
  return OK;
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const config: CommandSpec = {
  name: 'config',
  arity: -2,
  flags: [],
  acl: ['slow'],
  group: 'server',
  since: '2.0.0',
  summary: 'A container for server configuration commands',
  complexity: 'Depends on subcommand.',
  subcommands: [
    {
      name: 'get',
      arity: -3,
      flags: ADMIN_FLAGS,
      acl: ADMIN_ACL,
      group: 'server',
      since: '2.0.0',
      summary: 'Get the values of configuration parameters',
      complexity: 'O(N) when N is the number of configuration parameters provided',
      arguments: [{ name: 'parameter', type: 'block', multiple: true, arguments: [{ name: 'parameter', type: 'string' }] }],
      handler: configGet,
    },
    {
      name: 'set',
      arity: -4,
      flags: ADMIN_FLAGS,
      acl: ADMIN_ACL,
      group: 'server',
      since: '2.0.0',
      summary: 'Set configuration parameters to the given values',
      complexity: 'O(N) when N is the number of configuration parameters provided',
      arguments: [
        {
          name: 'parameter_value',
          type: 'block',
          multiple: true,
          arguments: [
            { name: 'parameter', type: 'string' },
            { name: 'value', type: 'string' },
          ],
        },
      ],
      handler: configSet,
    },
    {
      name: 'resetstat',
      arity: 2,
      flags: ADMIN_FLAGS,
      acl: ADMIN_ACL,
      group: 'server',
      since: '2.0.0',
      summary: 'Reset the stats returned by INFO',
      complexity: 'O(1)',
      handler: configResetStat,
    },
    {
      name: 'rewrite',
      arity: 2,
      flags: ADMIN_FLAGS,
      acl: ADMIN_ACL,
      group: 'server',
      since: '2.8.0',
      summary: 'Rewrite the configuration file with the in memory configuration',
      complexity: 'O(1)',
      handler: configRewrite,
    },
    {
      name: 'help',
      arity: 2,
      flags: ['loading', 'stale'],
      acl: ['slow'],
      group: 'server',
      since: '5.0.0',
      summary: 'Show helpful text about the different subcommands',
      complexity: 'O(1)',
      handler: () => helpReply('CONFIG', CONFIG_HELP),
    },
  ],
};

// ---------------------------------------------------------------- TIME

const time: CommandSpec = {
  name: 'time',
  arity: 1,
  flags: ['loading', 'stale', 'fast'],
  acl: ['fast'],
  group: 'server',
  since: '2.6.0',
  summary: 'Return the current server time',
  complexity: 'O(1)',
  handler: (session) => {
    const micros = session.server.clock.microseconds();
    const seconds = Math.floor(micros / 1e6);
    return [String(seconds), String(micros - seconds * 1e6)];
  },
};

// ---------------------------------------------------------------- DEBUG

/** One Int32 to wait on: Atomics.wait blocks the whole process, as DEBUG SLEEP blocks Redis. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** C's strtod on a prefix, as Redis reads DEBUG SLEEP's seconds: garbage reads as 0. */
function strtod(text: string): number {
  const value = Number.parseFloat(text.trimStart());
  return Number.isNaN(value) ? 0 : value;
}

/** C's atoi: an optional sign and leading digits, anything else 0. */
function atoi(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Bytes of an RDB length prefix (rdbSaveLen). */
function rdbLengthSize(length: number): number {
  if (length < 1 << 6) return 1;
  if (length < 1 << 14) return 2;
  return length <= 0xffffffff ? 5 : 9;
}

/**
 * The bytes the string takes in an RDB file (rdbSavedObjectLen), without LZF compression:
 * small integers are stored in 1, 2 or 4 bytes after a type byte.
 */
function serializedStringLength(value: string): number {
  const number = parseInt64(value);
  if (number !== undefined && typeof number === 'number' && String(number) === value) {
    if (number >= -128 && number <= 127) return 2;
    if (number >= -32768 && number <= 32767) return 3;
    if (number >= -2147483648 && number <= 2147483647) return 5;
  }
  return rdbLengthSize(value.length) + value.length;
}

function debugObject(session: Session, key: string): Reply {
  const db = session.db;
  const slot = db.findForReadNoTouch(key);
  if (slot < 0) throw new CommandError(ERR_NO_SUCH_KEY);
  const value = db.valueAt(slot);
  if (typeof value !== 'string') {
    throw new CommandError('ERR DEBUG OBJECT is only available for string keys here');
  }
  // Redis stores 0..9999 as shared integer objects (refcount INT_MAX) unless maxmemory evicts by
  // LRU/LFU, which needs a private access clock per key.
  const config = session.server.config;
  const policy = config.get('maxmemory-policy');
  const sharable = config.get('maxmemory') === '0' || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
  const number = parseInt64(value);
  const shared = sharable && !db.isEncodingRaw(slot) && typeof number === 'number' && number >= 0 && number < 10000 && String(number) === value;
  // Redis prints the object's address; a stable pseudo-address per db and slot stands in for it.
  const address = (0x7f0000000000 + db.id * 0x100000000 + slot * 16).toString(16);
  return new SimpleString(
    `Value at:0x${address} refcount:${shared ? 2147483647 : 1} encoding:${stringEncodingOf(db, slot, value)} serializedlength:${serializedStringLength(value)} ` +
      `lru:${db.lruAt(slot)} lru_seconds_idle:${db.idleSecondsAt(slot)}`,
  );
}

/** Ours: listed in DEBUG HELP only where enable-time-control makes it available. */
const DEBUG_CLOCK_HELP = [
  'CLOCK FREEZE [<unix-ms>]|ADVANCE <ms>|RESUME|STATUS',
  '    Control the server clock: stop it (now or at <unix-ms>), move it forward,',
  '    return to real time, or show it.',
];

const DEBUG_HELP = [
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
];

/** enable-debug-command: "yes", or "local" for connections from the loopback interface. */
function debugAllowed(session: Session): boolean {
  const setting = session.server.config.get('enable-debug-command');
  if (setting === 'yes') return true;
  if (setting !== 'local') return false;
  const address = session.address;
  return address.startsWith('127.') || address.startsWith('::1') || address.startsWith('::ffff:127.');
}

const ERR_TIME_CONTROL_DISABLED =
  'ERR DEBUG CLOCK is disabled: start the server with --enable-time-control yes (or "enable-time-control yes" in its config file) to control its clock';
const ERR_CLOCK_SYNTAX = 'ERR DEBUG CLOCK takes FREEZE [<unix-ms>], ADVANCE <ms>, RESUME or STATUS';

/** A non-negative integer of milliseconds for DEBUG CLOCK. */
function clockMilliseconds(text: string, what: string): number {
  const value = parseInt64(text);
  if (value === undefined) throw new CommandError(`ERR DEBUG CLOCK ${what} is not an integer or out of range`);
  if (value < 0 || typeof value === 'bigint') throw new CommandError(`ERR DEBUG CLOCK ${what} must be between 0 and 2^53`);
  return value;
}

/**
 * DEBUG CLOCK (ours, not Redis'): moves the node clock that every time decision reads (TTLs,
 * lazy and active expiry, OBJECT IDLETIME, LFU decay, TIME, CLIENT LIST age/idle, CLIENT PAUSE
 * ends), so a test can check a one-day TTL at once. It has its own opt-in, enable-time-control,
 * rather than enable-debug-command, which would also open DEBUG SLEEP and the rest.
 */
function debugClock(session: Session, argv: string[]): Reply {
  const server = session.server;
  if (!server.config.getBool('enable-time-control')) throw new CommandError(ERR_TIME_CONTROL_DISABLED);
  const clock = server.clock;
  const action = argv[2]?.toLowerCase();
  let reply: Reply;
  if (action === 'freeze' && argv.length <= 4) {
    clock.freeze(argv.length === 4 ? clockMilliseconds(argv[3]!, 'FREEZE time') : undefined);
    reply = OK;
  } else if (action === 'advance' && argv.length === 4) {
    clock.advance(clockMilliseconds(argv[3]!, 'ADVANCE amount'));
    reply = clock.now;
  } else if (action === 'resume' && argv.length === 3) {
    clock.resume();
    reply = OK;
  } else if (action === 'status' && argv.length === 3) {
    clock.refresh();
    const offset = clock.offset;
    const mode = clock.frozen ? 'frozen' : offset !== 0 ? 'shifted' : 'real';
    return new MapReply(['mode', mode, 'unix-ms', clock.now, 'offset-ms', offset]);
  } else {
    throw new CommandError(ERR_CLOCK_SYNTAX);
  }
  server.clientPause.clockMoved();
  return reply;
}

function debug(session: Session, argv: string[]): Reply {
  const sub = argv[1]!.toLowerCase();
  if (sub === 'clock') return debugClock(session, argv);
  if (!debugAllowed(session)) throw new CommandError(ERR_DEBUG_NOT_ALLOWED);
  if (sub === 'help' && argv.length === 2) {
    const timeControl = session.server.config.getBool('enable-time-control');
    return helpReply('DEBUG', timeControl ? [...DEBUG_CLOCK_HELP, ...DEBUG_HELP] : DEBUG_HELP);
  }
  if (sub === 'sleep' && argv.length === 3) {
    const ms = Math.floor(strtod(argv[2]!) * 1e6) / 1000;
    if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
    return OK;
  }
  if (sub === 'set-active-expire' && argv.length === 3) {
    session.server.activeExpireEnabled = atoi(argv[2]!) !== 0;
    return OK;
  }
  if (sub === 'object' && argv.length === 3) return debugObject(session, argv[2]!);
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
}

const debugCommand: CommandSpec = {
  name: 'debug',
  arity: -2,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  acl: ADMIN_ACL,
  group: 'server',
  since: '1.0.0',
  summary: 'A container for debugging commands',
  complexity: 'Depends on subcommand.',
  handler: debug,
};

// ---------------------------------------------------------------- SHUTDOWN

function shutdown(session: Session, argv: string[]): Reply {
  let save = false;
  let nosave = false;
  let abort = false;
  let other = false;
  for (let i = 1; i < argv.length; i++) {
    const option = argv[i]!.toLowerCase();
    if (option === 'nosave') nosave = true;
    else if (option === 'save') save = true;
    else if (option === 'now' || option === 'force') other = true;
    else if (option === 'abort') abort = true;
    else throw new CommandError(ERR_SYNTAX);
  }
  if ((abort && (save || nosave || other)) || (save && nosave)) throw new CommandError(ERR_SYNTAX);
  // Shutting down here is immediate (no replicas to wait for), so there is never one to abort.
  if (abort) throw new CommandError(ERR_NO_SHUTDOWN);
  // The client gets no reply: its connection closes with the server, as in Redis.
  session.server.shutdownAndExit('User requested shutdown...');
  return NO_REPLY;
}

const shutdownCommand: CommandSpec = {
  name: 'shutdown',
  arity: -1,
  flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
  acl: ADMIN_ACL,
  group: 'server',
  since: '1.0.0',
  summary: 'Synchronously save the dataset to disk and then shut down the server',
  complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
  arguments: [
    {
      name: 'nosave_save',
      type: 'oneof',
      optional: true,
      arguments: [
        { name: 'nosave', type: 'pure-token', token: 'NOSAVE' },
        { name: 'save', type: 'pure-token', token: 'SAVE' },
      ],
    },
    { name: 'now', type: 'pure-token', token: 'NOW', optional: true },
    { name: 'force', type: 'pure-token', token: 'FORCE', optional: true },
    { name: 'abort', type: 'pure-token', token: 'ABORT', optional: true },
  ],
  handler: shutdown,
};

export const serverAdminCommands: CommandSpec[] = [info, config, time, debugCommand, shutdownCommand];
