import type { Database } from '../datastructures/database.js';
import { stringMatch } from '../datastructures/glob.js';
import { kindOf, type StoredValue } from '../datastructures/values.js';
import {
  CommandError,
  ERR_DB_INDEX,
  ERR_FIRST_DB_INDEX,
  ERR_INT_RANGE,
  ERR_NO_SUCH_KEY,
  ERR_NOT_INTEGER,
  ERR_SAME_OBJECT,
  ERR_SECOND_DB_INDEX,
  ERR_SYNTAX,
} from '../protocol/errors.js';
import { OK, SimpleString, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { isToken, parseInt64 } from './args.js';
import { objectCommand } from './object.js';
import { CollectionScanOptions, parseScanCursor } from './scan-cursor.js';
import type { ArgumentSpec, CommandSpec } from './spec.js';
import { keyAt } from './key-specs.js';

// The generic keyspace commands (Redis' db.c): existence, deletion, renaming, copying and moving
// keys between databases, iteration (KEYS, SCAN, RANDOMKEY), OBJECT introspection and flushing.

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Redis' getIntFromObjectOrReply: a 32-bit integer. Without a custom message, a valid 64-bit
 * integer out of the int range has its own error text.
 */
function int32Arg(text: string, error?: string): number {
  const value = parseInt64(text);
  if (value === undefined) throw new CommandError(error ?? ERR_NOT_INTEGER);
  if (typeof value !== 'number' || value < INT32_MIN || value > INT32_MAX) throw new CommandError(error ?? ERR_INT_RANGE);
  return value;
}

/** A database index for COPY DB and MOVE: an int, then within the configured count. */
function targetDatabase(session: Session, text: string): Database {
  const index = int32Arg(text);
  const db = session.server.keyspace.databases[index];
  if (index < 0 || db === undefined) throw new CommandError(ERR_DB_INDEX);
  return db;
}

const TYPE_REPLIES = new Map<string, SimpleString>(
  ['string', 'list', 'set', 'zset', 'hash', 'stream', 'none'].map((name) => [name, new SimpleString(name)]),
);

// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ----

function deleteKeys(session: Session, argv: string[]): Reply {
  const db = session.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) if (db.delete(argv[i]!)) deleted++;
  return deleted;
}

function existsCommand(session: Session, argv: string[]): Reply {
  // Repeated keys count each time, as in Redis; EXISTS does not refresh the access clock.
  const db = session.db;
  let count = 0;
  for (let i = 1; i < argv.length; i++) if (db.findForReadNoTouch(argv[i]!) >= 0) count++;
  return count;
}

function touchCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  let touched = 0;
  for (let i = 1; i < argv.length; i++) if (db.findForRead(argv[i]!) >= 0) touched++;
  return touched;
}

function typeCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.findForReadNoTouch(argv[1]!);
  return TYPE_REPLIES.get(slot < 0 ? 'none' : kindOf(db.valueAt(slot)))!;
}

// ---- KEYS, SCAN, RANDOMKEY, DBSIZE ----

function keysCommand(session: Session, argv: string[]): Reply {
  const pattern = argv[1]!;
  const all = pattern === '*';
  const keys: string[] = [];
  // Expired keys are skipped but left in place, as Redis' KEYS does (keyIsExpired, no delete).
  session.db.forEachKey((key) => {
    if (all || stringMatch(pattern, key)) keys.push(key);
  });
  return keys;
}

/** Our SCAN cursors are slot positions, all below 2^24 (V8's Map limit). */
const FOREIGN_CURSOR = 2 ** 32;

function scanCommand(session: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[1]!);
  const { count, pattern, typeName } = new CollectionScanOptions(argv, 2, true);
  // Slots stay below 2^24 (V8's Map limit), so a larger cursor was never handed out: like a
  // cursor past the end of Redis' table (e.g. -1, which strtoul wraps), it finds nothing more.
  if (cursor >= FOREIGN_CURSOR) return ['0', []];
  const db = session.db;
  const found: string[] = [];
  const next = db.scan(cursor, count, (key) => {
    if (pattern === undefined || stringMatch(pattern, key)) found.push(key);
  });
  // Redis filters in this order: pattern (above), then type — looking the key up, which counts
  // a keyspace hit and expires it (an expired key then has type "none") — then expiry.
  const keys: string[] = [];
  for (const key of found) {
    if (typeName !== undefined) {
      const slot = db.findForReadNoTouch(key);
      if ((slot < 0 ? 'none' : kindOf(db.valueAt(slot))) !== typeName) continue;
    } else if (db.findNoTouch(key) < 0) {
      continue;
    }
    keys.push(key);
  }
  return [String(next), keys];
}

function randomKeyCommand(session: Session): Reply {
  return session.db.randomKey() ?? null;
}

function dbSizeCommand(session: Session): Reply {
  return session.db.size;
}

// ---- RENAME, RENAMENX, COPY, MOVE ----

function renameGeneric(session: Session, argv: string[], nx: boolean): Reply {
  const db = session.db;
  const from = argv[1]!;
  const to = argv[2]!;
  let slot = db.find(from);
  if (slot < 0) throw new CommandError(ERR_NO_SUCH_KEY);
  if (from === to) return nx ? 0 : OK;
  // Looking the destination up may expire it and so move slots: resolve the source again after.
  if (db.find(to) >= 0 && nx) return 0;
  slot = db.findNoTouch(from);
  db.moveEntryTo(slot, db, to);
  return nx ? 1 : OK;
}

function copyCommand(session: Session, argv: string[]): Reply {
  const source = session.db;
  let target = source;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!;
    if (isToken(option, 'REPLACE')) {
      replace = true;
    } else if (isToken(option, 'DB') && i + 1 < argv.length) {
      target = targetDatabase(session, argv[++i]!);
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  const from = argv[1]!;
  const to = argv[2]!;
  if (source === target && from === to) throw new CommandError(ERR_SAME_OBJECT);
  let slot = source.findForRead(from);
  if (slot < 0) return 0;
  if (target.find(to) >= 0 && !replace) return 0;
  if (source === target) slot = source.findNoTouch(from);
  source.copyEntryTo(slot, target, to, duplicate(source.valueAt(slot)));
  return 1;
}

/** COPY's deep copy: strings are immutable here, so the string itself is the duplicate. */
function duplicate(value: StoredValue): StoredValue {
  return typeof value === 'string' ? value : value.clone();
}

function moveCommand(session: Session, argv: string[]): Reply {
  const source = session.db;
  const target = targetDatabase(session, argv[2]!);
  if (target === source) throw new CommandError(ERR_SAME_OBJECT);
  const key = argv[1]!;
  const slot = source.find(key);
  if (slot < 0) return 0;
  if (target.find(key) >= 0) return 0;
  source.moveEntryTo(slot, target, key);
  return 1;
}

// ---- SWAPDB, FLUSHDB, FLUSHALL ----

function swapDbCommand(session: Session, argv: string[]): Reply {
  const first = int32Arg(argv[1]!, ERR_FIRST_DB_INDEX);
  const second = int32Arg(argv[2]!, ERR_SECOND_DB_INDEX);
  const keyspace = session.server.keyspace;
  const count = keyspace.databases.length;
  if (first < 0 || first >= count || second < 0 || second >= count) throw new CommandError(ERR_DB_INDEX);
  keyspace.swap(first, second);
  return OK;
}

/** Redis' getFlushCommandFlags: nothing, SYNC or ASYNC; freeing is immediate here either way. */
function checkFlushMode(argv: string[]): void {
  if (argv.length === 1) return;
  if (argv.length === 2 && (isToken(argv[1]!, 'SYNC') || isToken(argv[1]!, 'ASYNC'))) return;
  throw new CommandError(ERR_SYNTAX);
}

function flushDbCommand(session: Session, argv: string[]): Reply {
  checkFlushMode(argv);
  session.db.clear();
  return OK;
}

function flushAllCommand(session: Session, argv: string[]): Reply {
  checkFlushMode(argv);
  // Redis 7.0 adds the removed keys to dirty, nothing for the command itself.
  session.server.keyspace.flushAll();
  return OK;
}

// ---- The specs ----

const keyArg: readonly ArgumentSpec[] = [{ name: 'key', type: 'key' }];
const keysArg: readonly ArgumentSpec[] = [{ name: 'key', type: 'key', multiple: true }];
const renameArgs: readonly ArgumentSpec[] = [
  { name: 'key', type: 'key' },
  { name: 'newkey', type: 'key' },
];
const flushArgs: readonly ArgumentSpec[] = [
  {
    name: 'async',
    type: 'oneof',
    optional: true,
    arguments: [
      { name: 'async', type: 'pure-token', token: 'ASYNC' },
      { name: 'sync', type: 'pure-token', token: 'SYNC' },
    ],
  },
];

export const keyspaceCommands: CommandSpec[] = [
  {
    name: 'del',
    arity: -2,
    flags: ['write'],
    keys: { first: 1, last: -1, step: 1 },
    keyFlags: ['RM', 'delete'],
    acl: ['keyspace', 'write', 'slow'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Delete a key',
    complexity:
      'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    arguments: keysArg,
    handler: deleteKeys,
  },
  {
    name: 'unlink',
    arity: -2,
    flags: ['write', 'fast'],
    keys: { first: 1, last: -1, step: 1 },
    keyFlags: ['RM', 'delete'],
    acl: ['keyspace', 'write', 'fast'],
    group: 'generic',
    since: '4.0.0',
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
    complexity:
      'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    arguments: keysArg,
    handler: deleteKeys,
  },
  {
    name: 'exists',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: -1, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'fast'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Determine if a key exists',
    complexity: 'O(N) where N is the number of keys to check.',
    arguments: keysArg,
    handler: existsCommand,
  },
  {
    name: 'type',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'fast'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Determine the type stored at key',
    complexity: 'O(1)',
    arguments: keyArg,
    handler: typeCommand,
  },
  {
    name: 'keys',
    arity: 2,
    flags: ['readonly'],
    acl: ['keyspace', 'read', 'slow', 'dangerous'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Find all keys matching the given pattern',
    complexity:
      'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    arguments: [{ name: 'pattern', type: 'pattern' }],
    handler: keysCommand,
  },
  {
    name: 'scan',
    arity: -2,
    flags: ['readonly'],
    acl: ['keyspace', 'read', 'slow'],
    group: 'generic',
    since: '2.8.0',
    summary: 'Incrementally iterate the keys space',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    arguments: [
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
      { name: 'type', type: 'string', token: 'TYPE', optional: true },
    ],
    handler: scanCommand,
  },
  {
    name: 'randomkey',
    arity: 1,
    flags: ['readonly'],
    acl: ['keyspace', 'read', 'slow'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Return a random key from the keyspace',
    complexity: 'O(1)',
    handler: randomKeyCommand,
  },
  {
    name: 'rename',
    arity: 3,
    flags: ['write'],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [keyAt(1, ['RW', 'access', 'delete']), keyAt(2, ['OW', 'update'])],
    acl: ['keyspace', 'write', 'slow'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Rename a key',
    complexity: 'O(1)',
    arguments: renameArgs,
    handler: (session, argv) => renameGeneric(session, argv, false),
  },
  {
    name: 'renamenx',
    arity: 3,
    flags: ['write', 'fast'],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [keyAt(1, ['RW', 'access', 'delete']), keyAt(2, ['OW', 'insert'])],
    acl: ['keyspace', 'write', 'fast'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Rename a key, only if the new key does not exist',
    complexity: 'O(1)',
    arguments: renameArgs,
    handler: (session, argv) => renameGeneric(session, argv, true),
  },
  {
    name: 'copy',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: [keyAt(1, ['RO', 'access']), keyAt(2, ['OW', 'update'])],
    acl: ['keyspace', 'write', 'slow'],
    group: 'generic',
    since: '6.2.0',
    summary: 'Copy a key',
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    arguments: [
      { name: 'source', type: 'key' },
      { name: 'destination', type: 'key' },
      { name: 'destination-db', type: 'integer', token: 'DB', optional: true },
      { name: 'replace', type: 'pure-token', token: 'REPLACE', optional: true },
    ],
    handler: copyCommand,
  },
  {
    name: 'touch',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: -1, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'fast'],
    group: 'generic',
    since: '3.2.1',
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    complexity: 'O(N) where N is the number of keys that will be touched.',
    arguments: keysArg,
    handler: touchCommand,
  },
  objectCommand,
  {
    name: 'swapdb',
    arity: 3,
    flags: ['write', 'fast'],
    acl: ['keyspace', 'write', 'fast', 'dangerous'],
    group: 'server',
    since: '4.0.0',
    summary: 'Swaps two Redis databases',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    arguments: [
      { name: 'index1', type: 'integer' },
      { name: 'index2', type: 'integer' },
    ],
    handler: swapDbCommand,
  },
  {
    name: 'move',
    arity: 3,
    flags: ['write', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    keyFlags: ['RW', 'access', 'update'],
    acl: ['keyspace', 'write', 'fast'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Move a key to another database',
    complexity: 'O(1)',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'db', type: 'integer' },
    ],
    handler: moveCommand,
  },
  {
    name: 'flushdb',
    arity: -1,
    flags: ['write'],
    acl: ['keyspace', 'write', 'slow', 'dangerous'],
    group: 'server',
    since: '1.0.0',
    summary: 'Remove all keys from the current database',
    complexity: 'O(N) where N is the number of keys in the selected database',
    arguments: flushArgs,
    handler: flushDbCommand,
  },
  {
    name: 'flushall',
    arity: -1,
    flags: ['write'],
    acl: ['keyspace', 'write', 'slow', 'dangerous'],
    group: 'server',
    since: '1.0.0',
    summary: 'Remove all keys from all databases',
    complexity: 'O(N) where N is the total number of keys in all databases',
    arguments: flushArgs,
    handler: flushAllCommand,
  },
  {
    name: 'dbsize',
    arity: 1,
    flags: ['readonly', 'fast'],
    acl: ['keyspace', 'read', 'fast'],
    group: 'server',
    since: '1.0.0',
    summary: 'Return the number of keys in the selected database',
    complexity: 'O(1)',
    handler: dbSizeCommand,
  },
];
