import { stringMatch } from '../datastructures/glob.js';
import { HashValue, type HashLimits } from '../datastructures/hash.js';
import { formatLongDouble, addLongDouble, parseLongDouble } from '../datastructures/long-double.js';
import {
  CommandError,
  ERR_LONG_RANGE_SYMMETRIC,
  ERR_HASH_NOT_FLOAT,
  ERR_HASH_NOT_INTEGER,
  ERR_INCR_FLOAT_NAN,
  ERR_NAN_OR_INFINITY,
  ERR_NOT_FLOAT,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  ERR_VALUE_OUT_OF_RANGE,
  ERR_WRONGTYPE,
  wrongArity,
} from '../protocol/errors.js';
import { MapReply, OK, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { int64Arg, isToken, parseInt64 } from './args.js';
import { readCollection } from './lookup.js';
import { CollectionScanOptions, parseScanCursor } from './scan-cursor.js';
import type { ArgumentSpec, CommandSpec, KeySpecFlag } from './spec.js';

// The hash commands of Redis 7.0's t_hash.c. Writes read hash-max-listpack-* from CONFIG when
// they add to a hash, so a CONFIG SET applies to the next write, as in Redis.

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const LONG_MAX_HALF = 4611686018427387903n;

function currentLimits(session: Session): HashLimits {
  return session.server.encodingLimits.hash;
}

function readHash(session: Session, key: string): HashValue | undefined {
  return readCollection<HashValue>(session.db, key, 'hash');
}

/** The slot of the hash at `key` for a write, -1 when missing; WRONGTYPE for another type. */
function findHashSlot(session: Session, key: string): number {
  const db = session.db;
  const slot = db.find(key);
  if (slot >= 0) {
    const value = db.valueAt(slot);
    if (typeof value === 'string' || value.kind !== 'hash') throw new CommandError(ERR_WRONGTYPE);
  }
  return slot;
}

// ---- HSET, HMSET, HSETNX ----

function hsetGeneric(session: Session, argv: string[]): number {
  if (argv.length % 2 !== 0) throw new CommandError(wrongArity(argv[0]!.toLowerCase()));
  const db = session.db;
  const key = argv[1]!;
  const slot = findHashSlot(session, key);
  const hash = slot >= 0 ? (db.valueAt(slot) as HashValue) : new HashValue();
  const current = currentLimits(session);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i]!, argv[i + 1]!, current)) created++;
  // Redis counts one change per pair written; a new key's insert is one of them.
  const pairs = (argv.length - 2) / 2;
  if (slot < 0) {
    db.insert(key, hash);
    db.markChanged(pairs - 1);
  } else {
    db.markChanged(pairs);
  }
  return created;
}

function hsetCommand(session: Session, argv: string[]): Reply {
  return hsetGeneric(session, argv);
}

function hmsetCommand(session: Session, argv: string[]): Reply {
  hsetGeneric(session, argv);
  return OK;
}

function hsetnxCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const key = argv[1]!;
  const field = argv[2]!;
  const slot = findHashSlot(session, key);
  if (slot >= 0) {
    const hash = db.valueAt(slot) as HashValue;
    if (hash.has(field)) return 0;
    hash.set(field, argv[3]!, currentLimits(session));
    db.markChanged(1);
    return 1;
  }
  const hash = new HashValue();
  hash.set(field, argv[3]!, currentLimits(session));
  db.insert(key, hash);
  return 1;
}

// ---- HGET, HMGET, HEXISTS, HLEN, HSTRLEN, HGETALL, HKEYS, HVALS ----

function hgetCommand(session: Session, argv: string[]): Reply {
  const hash = readHash(session, argv[1]!);
  return hash === undefined ? null : (hash.get(argv[2]!) ?? null);
}

function hmgetCommand(session: Session, argv: string[]): Reply {
  const hash = readHash(session, argv[1]!);
  const out: Reply[] = new Array<Reply>(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = hash === undefined ? null : (hash.get(argv[i]!) ?? null);
  return out;
}

function hexistsCommand(session: Session, argv: string[]): Reply {
  const hash = readHash(session, argv[1]!);
  return hash !== undefined && hash.has(argv[2]!) ? 1 : 0;
}

function hlenCommand(session: Session, argv: string[]): Reply {
  return readHash(session, argv[1]!)?.size ?? 0;
}

function hstrlenCommand(session: Session, argv: string[]): Reply {
  return readHash(session, argv[1]!)?.get(argv[2]!)?.length ?? 0;
}

function hgetallCommand(session: Session, argv: string[]): Reply {
  const hash = readHash(session, argv[1]!);
  return new MapReply(hash === undefined ? [] : hash.toFlatArray());
}

function hkeysCommand(session: Session, argv: string[]): Reply {
  return readHash(session, argv[1]!)?.fieldList() ?? [];
}

function hvalsCommand(session: Session, argv: string[]): Reply {
  return readHash(session, argv[1]!)?.valueList() ?? [];
}

// ---- HDEL ----

function hdelCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = findHashSlot(session, argv[1]!);
  if (slot < 0) return 0;
  const hash = db.valueAt(slot) as HashValue;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (hash.delete(argv[i]!)) {
      deleted++;
      if (hash.size === 0) break;
    }
  }
  if (deleted === 0) return 0;
  // Redis adds the deleted fields to dirty; the emptied key's removal is one of them here.
  if (hash.size === 0) {
    db.markChanged(deleted - 1);
    db.deleteAt(slot);
  } else {
    db.markChanged(deleted);
  }
  return deleted;
}

// ---- HINCRBY, HINCRBYFLOAT ----

/** Writes `value` at `field` of the hash at `slot` (or a new hash at `key`), one change. */
function storeIncrement(session: Session, key: string, slot: number, hash: HashValue, field: string, value: string): void {
  hash.set(field, value, currentLimits(session));
  if (slot >= 0) session.db.markChanged(1);
  else session.db.insert(key, hash);
}

function hincrbyCommand(session: Session, argv: string[]): Reply {
  const increment = int64Arg(argv[3]!);
  const key = argv[1]!;
  const field = argv[2]!;
  const slot = findHashSlot(session, key);
  const hash = slot >= 0 ? (session.db.valueAt(slot) as HashValue) : new HashValue();
  let current: number | bigint = 0;
  const text = hash.get(field);
  if (text !== undefined) {
    const parsed = parseInt64(text);
    if (parsed === undefined) throw new CommandError(ERR_HASH_NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === 'number' && typeof increment === 'number' && Number.isSafeInteger(current + increment)) {
    result = current + increment;
  } else {
    const sum = BigInt(current) + BigInt(increment);
    if (sum > INT64_MAX || sum < INT64_MIN) throw new CommandError(ERR_OVERFLOW);
    result = Number.isSafeInteger(Number(sum)) ? Number(sum) : sum;
  }
  storeIncrement(session, key, slot, hash, field, String(result));
  return result;
}

function hincrbyfloatCommand(session: Session, argv: string[]): Reply {
  const increment = parseLongDouble(argv[3]!);
  if (increment === undefined) throw new CommandError(ERR_NOT_FLOAT);
  if (increment.infinite) throw new CommandError(ERR_NAN_OR_INFINITY);
  const key = argv[1]!;
  const field = argv[2]!;
  const slot = findHashSlot(session, key);
  const hash = slot >= 0 ? (session.db.valueAt(slot) as HashValue) : new HashValue();
  const text = hash.get(field);
  let sumText: string;
  if (text === undefined) {
    sumText = formatLongDouble(increment);
  } else {
    const current = parseLongDouble(text);
    if (current === undefined) throw new CommandError(ERR_HASH_NOT_FLOAT);
    const sum = addLongDouble(current, increment);
    if (sum === undefined) throw new CommandError(ERR_INCR_FLOAT_NAN);
    sumText = formatLongDouble(sum);
  }
  storeIncrement(session, key, slot, hash, field, sumText);
  return sumText;
}

// ---- HRANDFIELD ----

function hrandfieldCommand(session: Session, argv: string[]): Reply {
  if (argv.length >= 3) return hrandfieldWithCount(session, argv);
  const hash = readHash(session, argv[1]!);
  return hash === undefined ? null : hash.randomEntry()[0];
}

/**
 * Redis' hrandfieldWithCountCommand: the count is checked before the key is looked up; a
 * negative count allows repeats, a positive one returns distinct fields (the whole hash, in its
 * order, when it asks for at least that many). WITHVALUES pairs are two-element arrays in RESP3
 * and flat in RESP2.
 */
function hrandfieldWithCount(session: Session, argv: string[]): Reply {
  const countValue = int64Arg(argv[2]!);
  // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): only LONG_MIN is outside.
  if (countValue === INT64_MIN) throw new CommandError(ERR_LONG_RANGE_SYMMETRIC);
  const withValues = argv.length === 4;
  if (argv.length > 4 || (withValues && !isToken(argv[3]!, 'WITHVALUES'))) throw new CommandError(ERR_SYNTAX);
  if (withValues && (BigInt(countValue) < -LONG_MAX_HALF || BigInt(countValue) > LONG_MAX_HALF)) throw new CommandError(ERR_VALUE_OUT_OF_RANGE);
  const count = Number(countValue);
  const hash = readHash(session, argv[1]!);
  if (hash === undefined || count === 0) return [];
  const pairsAsArrays = withValues && session.protocol === 3;
  const out: Reply[] = [];
  const push = (field: string, value: string): void => {
    if (pairsAsArrays) out.push([field, value]);
    else if (withValues) out.push(field, value);
    else out.push(field);
  };
  if (count < 0 || count === 1) {
    for (let i = Math.abs(count); i > 0; i--) {
      const [field, value] = hash.randomEntry();
      push(field, value);
    }
    return out;
  }
  const picked = count >= hash.size ? hash.toFlatArray() : hash.randomDistinct(count);
  for (let i = 0; i < picked.length; i += 2) push(picked[i]!, picked[i + 1]!);
  return out;
}

// ---- HSCAN ----

/**
 * The cursor is read before the key (an invalid cursor errs even for a missing key), the
 * options only once the hash exists, as Redis' hscanCommand and scanGenericCommand do. A
 * listpack-encoded hash is returned whole with cursor 0; a hashtable is walked by slot.
 */
function hscanCommand(session: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const hash = readHash(session, argv[1]!);
  if (hash === undefined) return ['0', []];
  const options = new CollectionScanOptions(argv, 3);
  let found: string[];
  let next = 0;
  if (hash.encoding === 'listpack') {
    found = hash.toFlatArray();
  } else {
    found = [];
    next = hash.scan(cursor, options.count, found);
  }
  const pattern = options.pattern;
  if (pattern === undefined) return [String(next), found];
  const matched: string[] = [];
  for (let i = 0; i < found.length; i += 2) {
    if (stringMatch(pattern, found[i]!)) matched.push(found[i]!, found[i + 1]!);
  }
  return [String(next), matched];
}

// ---- specs ----

const KEY: ArgumentSpec = { name: 'key', type: 'key' };
const FIELD: ArgumentSpec = { name: 'field', type: 'string' };
const FIELDS: ArgumentSpec = { name: 'field', type: 'string', multiple: true };
const FIELD_VALUES: ArgumentSpec = {
  name: 'field_value',
  type: 'block',
  multiple: true,
  arguments: [FIELD, { name: 'value', type: 'string' }],
};

function hashCommand(
  name: string,
  arity: number,
  kind: 'write' | 'write-denyoom' | 'read' | 'read-slow',
  since: string,
  summary: string,
  complexity: string,
  args: ArgumentSpec[],
  handler: CommandSpec['handler'],
  keyFlags?: readonly KeySpecFlag[],
): CommandSpec {
  const write = kind !== 'read' && kind !== 'read-slow';
  const fast = kind !== 'read-slow';
  return {
    name,
    arity,
    flags: [write ? 'write' : 'readonly', ...(kind === 'write-denyoom' ? (['denyoom'] as const) : []), ...(fast ? (['fast'] as const) : [])],
    keys: { first: 1, last: 1, step: 1 },
    ...(keyFlags !== undefined ? { keyFlags } : {}),
    acl: [write ? 'write' : 'read', 'hash', fast ? 'fast' : 'slow'],
    group: 'hash',
    since,
    summary,
    complexity,
    arguments: args,
    handler,
  };
}

const O1 = 'O(1)';
const WHOLE = 'O(N) where N is the size of the hash.';

export const hashesCommands: CommandSpec[] = [
  hashCommand('hset', -4, 'write-denyoom', '2.0.0', 'Set the string value of a hash field',
    'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    [KEY, FIELD_VALUES], hsetCommand),
  hashCommand('hsetnx', 4, 'write-denyoom', '2.0.0', 'Set the value of a hash field, only if the field does not exist', O1,
    [KEY, FIELD, { name: 'value', type: 'string' }], hsetnxCommand, ['RW', 'insert']),
  hashCommand('hget', 3, 'read', '2.0.0', 'Get the value of a hash field', O1, [KEY, FIELD], hgetCommand),
  hashCommand('hmget', -3, 'read', '2.0.0', 'Get the values of all the given hash fields',
    'O(N) where N is the number of fields being requested.', [KEY, FIELDS], hmgetCommand),
  hashCommand('hmset', -4, 'write-denyoom', '2.0.0', 'Set multiple hash fields to multiple values',
    'O(N) where N is the number of fields being set.', [KEY, FIELD_VALUES], hmsetCommand),
  hashCommand('hgetall', 2, 'read-slow', '2.0.0', 'Get all the fields and values in a hash', WHOLE, [KEY], hgetallCommand),
  hashCommand('hdel', -3, 'write', '2.0.0', 'Delete one or more hash fields',
    'O(N) where N is the number of fields to be removed.', [KEY, FIELDS], hdelCommand, ['RW', 'delete']),
  hashCommand('hexists', 3, 'read', '2.0.0', 'Determine if a hash field exists', O1, [KEY, FIELD], hexistsCommand, ['RO']),
  hashCommand('hlen', 2, 'read', '2.0.0', 'Get the number of fields in a hash', O1, [KEY], hlenCommand, ['RO']),
  hashCommand('hstrlen', 3, 'read', '3.2.0', 'Get the length of the value of a hash field', O1, [KEY, FIELD], hstrlenCommand, ['RO']),
  hashCommand('hkeys', 2, 'read-slow', '2.0.0', 'Get all the fields in a hash', WHOLE, [KEY], hkeysCommand),
  hashCommand('hvals', 2, 'read-slow', '2.0.0', 'Get all the values in a hash', WHOLE, [KEY], hvalsCommand),
  hashCommand('hincrby', 4, 'write-denyoom', '2.0.0', 'Increment the integer value of a hash field by the given number', O1,
    [KEY, FIELD, { name: 'increment', type: 'integer' }], hincrbyCommand, ['RW', 'access', 'update']),
  hashCommand('hincrbyfloat', 4, 'write-denyoom', '2.6.0', 'Increment the float value of a hash field by the given amount', O1,
    [KEY, FIELD, { name: 'increment', type: 'double' }], hincrbyfloatCommand, ['RW', 'access', 'update']),
  hashCommand('hrandfield', -2, 'read-slow', '6.2.0', 'Get one or multiple random fields from a hash',
    'O(N) where N is the number of fields returned',
    [KEY, { name: 'options', type: 'block', optional: true, arguments: [{ name: 'count', type: 'integer' }, { name: 'withvalues', type: 'pure-token', token: 'WITHVALUES', optional: true }] }],
    hrandfieldCommand),
  hashCommand('hscan', -3, 'read-slow', '2.8.0', 'Incrementally iterate hash fields and associated values',
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    [KEY, { name: 'cursor', type: 'integer' }, { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true }, { name: 'count', type: 'integer', token: 'COUNT', optional: true }],
    hscanCommand),
];
