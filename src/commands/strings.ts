import type { Database } from '../datastructures/database.js';
import { CommandError, ERR_OFFSET_RANGE, ERR_STRING_TOO_LONG, ERR_WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { OK, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg } from './args.js';
import { findStringSlot, readString } from './lookup.js';
import type { ArgumentSpec, CommandSpec, KeyPositions } from './spec.js';
import { counterCommands } from './string-counters.js';
import {
  expireTimeMs,
  OPT_EX,
  OPT_EXAT,
  OPT_GET,
  OPT_KEEPTTL,
  OPT_NX,
  OPT_PERSIST,
  OPT_PX,
  OPT_PXAT,
  OPT_XX,
  parsedExpire,
  parseStringOptions,
} from './string-expire-options.js';
import { lcsCommand } from './string-lcs.js';

// The string commands (bit operations live in bit-strings.ts). Like Redis' t_string.c, the SET
// variants share one generic function and the expire grammar of string-expire-options.ts.

/**
 * V8 cannot hold a string longer than 2^29 - 24 characters, a little under Redis' 512 MB
 * default proto-max-bulk-len: a result that long is refused with Redis' size error rather than
 * crashing on a RangeError.
 */
const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** Redis' checkStringLength: the result of APPEND/SETRANGE must fit proto-max-bulk-len. */
function checkStringLength(session: Session, length: number): void {
  if (length > session.server.config.getInt('proto-max-bulk-len') || length > MAX_STRING_LENGTH) {
    throw new CommandError(ERR_STRING_TOO_LONG);
  }
}

/** The old value for SET ... GET and GETSET (getGenericCommand): counted as a read, WRONGTYPE checked. */
function stringAt(db: Database, slot: number): string {
  const value = db.valueAt(slot);
  if (typeof value !== 'string') throw new CommandError(ERR_WRONGTYPE);
  return value;
}

/**
 * Redis' setGenericCommand: validates the expire time first, then (with GET) reads the old value,
 * then applies NX/XX, then stores the value (clearing the TTL unless KEEPTTL) and the new expiry.
 * `abortReply`/`okReply` are what SETNX answers instead of nil/OK.
 */
function setGeneric(
  session: Session,
  key: string,
  value: string,
  flags: number,
  expireText: string | undefined,
  command: string,
  okReply: Reply,
  abortReply: Reply,
): Reply {
  const db = session.db;
  const expireAt = expireText === undefined ? 0 : expireTimeMs(expireText, flags, session.server.clock.now, command);
  const withGet = (flags & OPT_GET) !== 0;
  const slot = withGet ? db.findForRead(key) : db.find(key);
  const old = withGet && slot >= 0 ? stringAt(db, slot) : null;
  if (((flags & OPT_NX) !== 0 && slot >= 0) || ((flags & OPT_XX) !== 0 && slot < 0)) {
    return withGet ? old : abortReply;
  }
  let target = slot;
  if (slot < 0) {
    target = db.insert(key, value);
  } else {
    db.replaceAt(slot, value);
    if ((flags & OPT_KEEPTTL) === 0) db.clearExpireAt(slot);
  }
  // A time already past is stored as it is: the key then expires lazily on its next access,
  // counted in expired_keys, exactly as Redis' SET does.
  if (expireAt !== 0) db.setExpireAt(target, expireAt);
  return withGet ? old : okReply;
}

function setCommand(session: Session, argv: string[]): Reply {
  // The benchmarked form: no options, one lookup.
  if (argv.length === 3) {
    session.db.set(argv[1]!, argv[2]!);
    return OK;
  }
  const flags = parseStringOptions(argv, 3, true);
  const expireText = (flags & (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)) !== 0 ? parsedExpire : undefined;
  return setGeneric(session, argv[1]!, argv[2]!, flags, expireText, 'set', OK, null);
}

function getCommand(session: Session, argv: string[]): Reply {
  return readString(session.db, argv[1]!) ?? null;
}

function getexCommand(session: Session, argv: string[]): Reply {
  const flags = parseStringOptions(argv, 2, false);
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  if (slot < 0) return null;
  const value = stringAt(db, slot);
  if ((flags & (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)) !== 0) {
    const now = session.server.clock.now;
    const expireAt = expireTimeMs(parsedExpire, flags, now, 'getex');
    // An absolute time already past deletes the key at once (Redis' checkAlreadyExpired).
    if ((flags & (OPT_EXAT | OPT_PXAT)) !== 0 && expireAt <= now) db.deleteAt(slot);
    else db.setExpireAt(slot, expireAt);
  } else if ((flags & OPT_PERSIST) !== 0) {
    db.clearExpireAt(slot);
  }
  return value;
}

function getsetCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  if (slot < 0) {
    db.insert(argv[1]!, argv[2]!);
    return null;
  }
  const old = stringAt(db, slot);
  db.replaceAt(slot, argv[2]!);
  db.clearExpireAt(slot);
  return old;
}

function getdelCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  if (slot < 0) return null;
  const value = stringAt(db, slot);
  db.deleteAt(slot);
  return value;
}

function mgetCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const values: Reply[] = new Array<Reply>(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const slot = db.findForRead(argv[i]!);
    // MGET answers nil for a key of another type instead of an error.
    const value = slot < 0 ? null : db.valueAt(slot);
    values[i - 1] = typeof value === 'string' ? value : null;
  }
  return values;
}

function msetGeneric(session: Session, argv: string[], onlyIfNoneExists: boolean): Reply {
  if (argv.length % 2 === 0) throw new CommandError(wrongArity(onlyIfNoneExists ? 'msetnx' : 'mset'));
  const db = session.db;
  if (onlyIfNoneExists) {
    for (let i = 1; i < argv.length; i += 2) if (db.find(argv[i]!) >= 0) return 0;
  }
  for (let i = 1; i < argv.length; i += 2) db.set(argv[i]!, argv[i + 1]!);
  return onlyIfNoneExists ? 1 : OK;
}

function appendCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const key = argv[1]!;
  const suffix = argv[2]!;
  const slot = findStringSlot(db, key);
  if (slot < 0) {
    db.insert(key, suffix);
    return suffix.length;
  }
  const value = db.valueAt(slot) as string;
  checkStringLength(session, value.length + suffix.length);
  const result = value + suffix;
  db.replaceAt(slot, result);
  db.setEncodingRaw(slot);
  return result.length;
}

function strlenCommand(session: Session, argv: string[]): Reply {
  return readString(session.db, argv[1]!)?.length ?? 0;
}

function getrangeCommand(session: Session, argv: string[]): Reply {
  let start = intArg(argv[2]!);
  let end = intArg(argv[3]!);
  const value = readString(session.db, argv[1]!);
  if (value === undefined) return '';
  const length = value.length;
  // Redis 7 answers empty when both ends count from the end and are inverted.
  if (start < 0 && end < 0 && start > end) return '';
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return '';
  return value.slice(start, end + 1);
}

function setrangeCommand(session: Session, argv: string[]): Reply {
  const offset = intArg(argv[2]!);
  if (offset < 0) throw new CommandError(ERR_OFFSET_RANGE);
  const db = session.db;
  const key = argv[1]!;
  const patch = argv[3]!;
  const slot = findStringSlot(db, key);
  if (slot < 0) {
    // Setting nothing on a missing key creates nothing.
    if (patch.length === 0) return 0;
    checkStringLength(session, offset + patch.length);
    const created = db.insert(key, '\0'.repeat(offset) + patch);
    db.setEncodingRaw(created);
    return offset + patch.length;
  }
  const value = db.valueAt(slot) as string;
  if (patch.length === 0) return value.length;
  checkStringLength(session, offset + patch.length);
  const head = offset <= value.length ? value.slice(0, offset) : value + '\0'.repeat(offset - value.length);
  const result = head + patch + value.slice(offset + patch.length);
  db.replaceAt(slot, result);
  db.setEncodingRaw(slot);
  return result.length;
}

const KEY: KeyPositions = { first: 1, last: 1, step: 1 };
const KEY_ARGUMENT: ArgumentSpec = { name: 'key', type: 'key' };
const VALUE_ARGUMENT: ArgumentSpec = { name: 'value', type: 'string' };
const RANGE_ARGUMENTS: readonly ArgumentSpec[] = [KEY_ARGUMENT, { name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }];
const RANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';
const KEY_VALUE_PAIRS: readonly ArgumentSpec[] = [
  { name: 'key_value', type: 'block', multiple: true, arguments: [KEY_ARGUMENT, VALUE_ARGUMENT] },
];

/** The expiration choices SET and GETEX share (each adds its own: KEEPTTL, PERSIST). */
const EXPIRATION_TOKENS: readonly ArgumentSpec[] = [
  { name: 'seconds', type: 'integer', token: 'EX' },
  { name: 'milliseconds', type: 'integer', token: 'PX' },
  { name: 'unix-time-seconds', type: 'unix-time', token: 'EXAT' },
  { name: 'unix-time-milliseconds', type: 'unix-time', token: 'PXAT' },
];

export const stringCommands: CommandSpec[] = [
  {
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: KEY,
    acl: ['read', 'string', 'fast'],
    group: 'string',
    since: '1.0.0',
    summary: 'Get the value of a key',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT],
    handler: getCommand,
  },
  {
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'update', 'variable_flags'],
    keyNotes: 'RW and ACCESS due to the optional `GET` argument',
    // Redis' setGetKeys: the key is read too only when a GET follows the value.
    variableKeyFlags: (argv) => (argv.slice(3).some((arg) => arg.toLowerCase() === 'get') ? ['RW', 'access', 'update'] : ['OW', 'update']),
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '1.0.0',
    summary: 'Set the string value of a key',
    complexity: 'O(1)',
    arguments: [
      KEY_ARGUMENT,
      VALUE_ARGUMENT,
      {
        name: 'condition',
        type: 'oneof',
        optional: true,
        arguments: [
          { name: 'nx', type: 'pure-token', token: 'NX' },
          { name: 'xx', type: 'pure-token', token: 'XX' },
        ],
      },
      { name: 'get', type: 'pure-token', token: 'GET', optional: true },
      {
        name: 'expiration',
        type: 'oneof',
        optional: true,
        arguments: [
          ...EXPIRATION_TOKENS,
          { name: 'keepttl', type: 'pure-token', token: 'KEEPTTL' },
        ],
      },
    ],
    handler: setCommand,
  },
  {
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: KEY,
    keyFlags: ['OW', 'insert'],
    acl: ['write', 'string', 'fast'],
    group: 'string',
    since: '1.0.0',
    summary: 'Set the value of a key, only if the key does not exist',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT, VALUE_ARGUMENT],
    handler: (session, argv) => setGeneric(session, argv[1]!, argv[2]!, OPT_NX, undefined, 'setnx', 1, 0),
  },
  {
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: KEY,
    keyFlags: ['OW', 'update'],
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '2.0.0',
    summary: 'Set the value and expiration of a key',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT, { name: 'seconds', type: 'integer' }, VALUE_ARGUMENT],
    handler: (session, argv) => setGeneric(session, argv[1]!, argv[3]!, OPT_EX, argv[2]!, 'setex', OK, null),
  },
  {
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: KEY,
    keyFlags: ['OW', 'update'],
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '2.6.0',
    summary: 'Set the value and expiration in milliseconds of a key',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT, { name: 'milliseconds', type: 'integer' }, VALUE_ARGUMENT],
    handler: (session, argv) => setGeneric(session, argv[1]!, argv[3]!, OPT_PX, argv[2]!, 'psetex', OK, null),
  },
  {
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'update'],
    acl: ['write', 'string', 'fast'],
    group: 'string',
    since: '1.0.0',
    summary: 'Set the string value of a key and return its old value',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT, VALUE_ARGUMENT],
    handler: getsetCommand,
  },
  {
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'delete'],
    acl: ['write', 'string', 'fast'],
    group: 'string',
    since: '6.2.0',
    summary: 'Get the value of a key and delete the key',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT],
    handler: getdelCommand,
  },
  {
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'update'],
    keyNotes: 'RW and UPDATE because it changes the TTL',
    acl: ['write', 'string', 'fast'],
    group: 'string',
    since: '6.2.0',
    summary: 'Get the value of a key and optionally set its expiration',
    complexity: 'O(1)',
    arguments: [
      KEY_ARGUMENT,
      {
        name: 'expiration',
        type: 'oneof',
        optional: true,
        arguments: [
          ...EXPIRATION_TOKENS,
          { name: 'persist', type: 'pure-token', token: 'PERSIST' },
        ],
      },
    ],
    handler: getexCommand,
  },
  {
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: -1, step: 1 },
    acl: ['read', 'string', 'fast'],
    group: 'string',
    since: '1.0.0',
    summary: 'Get the values of all the given keys',
    complexity: 'O(N) where N is the number of keys to retrieve.',
    arguments: [{ name: 'key', type: 'key', multiple: true }],
    handler: mgetCommand,
  },
  {
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: -1, step: 2 },
    keyFlags: ['OW', 'update'],
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '1.0.1',
    summary: 'Set multiple keys to multiple values',
    complexity: 'O(N) where N is the number of keys to set.',
    arguments: KEY_VALUE_PAIRS,
    handler: (session, argv) => msetGeneric(session, argv, false),
  },
  {
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: -1, step: 2 },
    keyFlags: ['OW', 'insert'],
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '1.0.1',
    summary: 'Set multiple keys to multiple values, only if none of the keys exist',
    complexity: 'O(N) where N is the number of keys to set.',
    arguments: KEY_VALUE_PAIRS,
    handler: (session, argv) => msetGeneric(session, argv, true),
  },
  {
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'insert'],
    acl: ['write', 'string', 'fast'],
    group: 'string',
    since: '2.0.0',
    summary: 'Append a value to a key',
    complexity:
      'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    arguments: [KEY_ARGUMENT, VALUE_ARGUMENT],
    handler: appendCommand,
  },
  {
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: KEY,
    keyFlags: ['RO'],
    acl: ['read', 'string', 'fast'],
    group: 'string',
    since: '2.2.0',
    summary: 'Get the length of the value stored in a key',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT],
    handler: strlenCommand,
  },
  {
    name: 'getrange',
    arity: 4,
    flags: ['readonly'],
    keys: KEY,
    acl: ['read', 'string', 'slow'],
    group: 'string',
    since: '2.4.0',
    summary: 'Get a substring of the string stored at a key',
    complexity: RANGE_COMPLEXITY,
    arguments: RANGE_ARGUMENTS,
    handler: getrangeCommand,
  },
  {
    name: 'substr',
    arity: 4,
    flags: ['readonly'],
    keys: KEY,
    acl: ['read', 'string', 'slow'],
    group: 'string',
    since: '1.0.0',
    summary: 'Get a substring of the string stored at a key',
    complexity: RANGE_COMPLEXITY,
    arguments: RANGE_ARGUMENTS,
    handler: getrangeCommand,
  },
  {
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: KEY,
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '2.2.0',
    summary: 'Overwrite part of a string at key starting at the specified offset',
    complexity:
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    arguments: [KEY_ARGUMENT, { name: 'offset', type: 'integer' }, VALUE_ARGUMENT],
    handler: setrangeCommand,
  },
  ...counterCommands,
  lcsCommand,
];
