import type { Database } from '../datastructures/database.js';
import { CommandError, ERR_LFU_NOT_SELECTED, ERR_LFU_SELECTED } from '../protocol/errors.js';
import { SimpleString, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { parseInt64 } from './args.js';
import type { ArgumentSpec, CommandSpec } from './spec.js';

// OBJECT: introspection of how Redis would hold a key's value (encoding, refcount, access data).

/** Redis' OBJ_SHARED_REFCOUNT: the refcount the shared integer objects report. */
const SHARED_REFCOUNT = 2147483647;
/** Redis' OBJ_SHARED_INTEGERS: 0..9999 are shared objects. */
const SHARED_INTEGERS = 10000;
/** Redis' OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_SIZE_LIMIT = 44;

/** Redis' tryObjectEncoding outcome for a string value. */
/** A string's encoding as OBJECT ENCODING and DEBUG OBJECT report it: int, embstr (≤ 44 bytes) or raw. */
export function stringEncodingOf(db: Database, slot: number, value: string): string {
  if (db.isEncodingRaw(slot)) return 'raw';
  if (!db.isEncodingNotInteger(slot) && value.length <= 20 && parseInt64(value) !== undefined) return 'int';
  return value.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
}

function encodingOf(db: Database, slot: number): string {
  const value = db.valueAt(slot);
  return typeof value === 'string' ? stringEncodingOf(db, slot, value) : value.encoding;
}

function isLfuPolicy(session: Session): boolean {
  return session.server.config.get('maxmemory-policy').endsWith('-lfu');
}

/**
 * Whether a new integer value 0..9999 is Redis' shared object: always, unless maxmemory is set
 * with an LRU or LFU policy (MAXMEMORY_FLAG_NO_SHARED_INTEGERS), which needs per-key access data.
 */
function sharesIntegers(session: Session): boolean {
  const config = session.server.config;
  const policy = config.get('maxmemory-policy');
  return config.get('maxmemory') === '0' || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

function refCountOf(session: Session, db: Database, slot: number): number {
  const value = db.valueAt(slot);
  if (typeof value !== 'string' || db.isEncodingRaw(slot) || db.isUnshared(slot) || value.length > 4) return 1;
  const number = parseInt64(value);
  const shared = typeof number === 'number' && number >= 0 && number < SHARED_INTEGERS && sharesIntegers(session);
  return shared ? SHARED_REFCOUNT : 1;
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
].map((line) => new SimpleString(line));

/** The key OBJECT asks about: looked up without touching it, a missing key is a null reply. */
function objectSubcommand(inspect: (session: Session, db: Database, slot: number) => Reply): CommandSpec['handler'] {
  return (session, argv) => {
    const db = session.db;
    const slot = db.findForReadNoTouch(argv[2]!);
    return slot < 0 ? null : inspect(session, db, slot);
  };
}

const objectKeyArgs: readonly ArgumentSpec[] = [{ name: 'key', type: 'key' }];

const objectSubcommands: CommandSpec[] = [
  {
    name: 'help',
    arity: 2,
    flags: ['loading', 'stale'],
    acl: ['keyspace', 'slow'],
    group: 'generic',
    since: '6.2.0',
    summary: 'Show helpful text about the different subcommands',
    complexity: 'O(1)',
    handler: () => OBJECT_HELP,
  },
  {
    name: 'idletime',
    arity: 3,
    flags: ['readonly'],
    keys: { first: 2, last: 2, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'slow'],
    group: 'generic',
    since: '2.2.3',
    summary: 'Get the time since a Redis object was last accessed',
    complexity: 'O(1)',
    arguments: objectKeyArgs,
    handler: objectSubcommand((session, db, slot) => {
      if (isLfuPolicy(session)) throw new CommandError(ERR_LFU_SELECTED);
      return db.idleSecondsAt(slot);
    }),
  },
  {
    name: 'freq',
    arity: 3,
    flags: ['readonly'],
    keys: { first: 2, last: 2, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'slow'],
    group: 'generic',
    since: '4.0.0',
    summary: 'Get the logarithmic access frequency counter of a Redis object',
    complexity: 'O(1)',
    arguments: objectKeyArgs,
    handler: objectSubcommand((session, db, slot) => {
      if (!isLfuPolicy(session)) throw new CommandError(ERR_LFU_NOT_SELECTED);
      return db.accessFrequencyAt(slot);
    }),
  },
  {
    name: 'encoding',
    arity: 3,
    flags: ['readonly'],
    keys: { first: 2, last: 2, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'slow'],
    group: 'generic',
    since: '2.2.3',
    summary: 'Inspect the internal encoding of a Redis object',
    complexity: 'O(1)',
    arguments: objectKeyArgs,
    handler: objectSubcommand((_session, db, slot) => encodingOf(db, slot)),
  },
  {
    name: 'refcount',
    arity: 3,
    flags: ['readonly'],
    keys: { first: 2, last: 2, step: 1 },
    keyFlags: ['RO'],
    acl: ['keyspace', 'read', 'slow'],
    group: 'generic',
    since: '2.2.3',
    summary: 'Get the number of references to the value of the key',
    complexity: 'O(1)',
    arguments: objectKeyArgs,
    handler: objectSubcommand((session, db, slot) => refCountOf(session, db, slot)),
  },
];

export const objectCommand: CommandSpec = {
  name: 'object',
  arity: -2,
  flags: [],
  acl: ['slow'],
  group: 'generic',
  since: '2.2.3',
  summary: 'A container for object introspection commands',
  complexity: 'Depends on subcommand.',
  subcommands: objectSubcommands,
};
