import type { Database } from '../datastructures/database.js';
import { SetValue } from '../datastructures/set.js';
import {
  CommandError,
  ERR_LIMIT_NEGATIVE,
  ERR_LONG_RANGE_SYMMETRIC,
  ERR_MUST_BE_POSITIVE,
  ERR_NOT_INTEGER,
  ERR_NUMKEYS_NOT_POSITIVE,
  ERR_NUMKEYS_TOO_MANY,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
} from '../protocol/errors.js';
import { SetReply, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { isToken, parseInt64 } from './args.js';
import { readCollection } from './lookup.js';
import { CollectionScanOptions, parseScanCursor } from './scan-cursor.js';
import { SET_SPECS } from './set-specs.js';
import type { CommandSpec } from './spec.js';

// The set commands (Redis 7.0's t_set.c). Replies, error order, dirty counts and the encoding of
// stored results follow Redis: see src/datastructures/set.ts for the two encodings.

const INT64_MIN = -9223372036854775808n;
/**
 * SRANDMEMBER with a negative count builds the whole reply: Redis 7.0 would try to send 2^63
 * elements and die of memory. Past this many we answer an error instead of crashing the server.
 */
const MAX_REPEATED_PICKS = 1 << 24;
const ERR_TOO_MANY_PICKS = `ERR count is out of range, at most ${MAX_REPEATED_PICKS} repeated members per call`;

const EMPTY_SET = new SetReply([]);

function maxIntsetEntries(session: Session): number {
  return session.server.encodingLimits.setMaxIntsetEntries;
}

/** The set in a slot found this command; WRONGTYPE when the key holds another type. */
function setAt(db: Database, slot: number): SetValue {
  const value = db.valueAt(slot);
  if (typeof value === 'string' || value.kind !== 'set') throw new CommandError(ERR_WRONGTYPE);
  return value as SetValue;
}

function readSet(db: Database, key: string): SetValue | undefined {
  return readCollection<SetValue>(db, key, 'set');
}

// ---- SADD, SREM, SMOVE ----

function saddCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const key = argv[1]!;
  const slot = db.find(key);
  let added = 0;
  if (slot < 0) {
    // Redis' setTypeCreate picks the encoding from the first member; dbAdd is no change of its
    // own, so the changes are the members added (insert counts one of them).
    const set = SetValue.forMember(argv[2]!);
    const max = set.isIntset ? maxIntsetEntries(session) : 0;
    for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!, max)) added++;
    db.insert(key, set);
    db.markChanged(added - 1);
    return added;
  }
  const set = setAt(db, slot);
  const max = set.isIntset ? maxIntsetEntries(session) : 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!, max)) added++;
  if (added > 0) db.markChanged(added);
  return added;
}

function sremCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot < 0) return 0;
  const set = setAt(db, slot);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (!set.remove(argv[i]!)) continue;
    deleted++;
    if (set.size === 0) {
      // The emptied key goes, and the count stops there, as in Redis' sremCommand.
      db.markChanged(deleted - 1);
      db.deleteAt(slot);
      return deleted;
    }
  }
  if (deleted > 0) db.markChanged(deleted);
  return deleted;
}

function smoveCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const sourceKey = argv[1]!;
  const destinationKey = argv[2]!;
  const member = argv[3]!;
  // Both keys are looked up first (the second lookup may expire a key and move slots, so the
  // values are kept, not the slots); a missing source answers 0 before any type check.
  const sourceSlot = db.find(sourceKey);
  const source = sourceSlot < 0 ? undefined : db.valueAt(sourceSlot);
  const destinationSlot = db.find(destinationKey);
  const destination = destinationSlot < 0 ? undefined : db.valueAt(destinationSlot);
  if (source === undefined) return 0;
  if (typeof source === 'string' || source.kind !== 'set') throw new CommandError(ERR_WRONGTYPE);
  if (destination !== undefined && (typeof destination === 'string' || destination.kind !== 'set')) {
    throw new CommandError(ERR_WRONGTYPE);
  }
  const sourceSet = source as SetValue;
  if (sourceSet === destination) return sourceSet.has(member) ? 1 : 0;
  if (!sourceSet.remove(member)) return 0;
  if (sourceSet.size === 0) db.deleteAt(db.findNoTouch(sourceKey));
  else db.markChanged(1);
  if (destination === undefined) {
    const created = SetValue.forMember(member);
    created.add(member, created.isIntset ? maxIntsetEntries(session) : 0);
    db.insert(destinationKey, created);
  } else {
    const destinationSet = destination as SetValue;
    if (destinationSet.add(member, destinationSet.isIntset ? maxIntsetEntries(session) : 0)) db.markChanged(1);
  }
  return 1;
}

// ---- SISMEMBER, SMISMEMBER, SCARD, SMEMBERS ----

function sismemberCommand(session: Session, argv: string[]): Reply {
  const set = readSet(session.db, argv[1]!);
  return set !== undefined && set.has(argv[2]!) ? 1 : 0;
}

function smismemberCommand(session: Session, argv: string[]): Reply {
  const set = readSet(session.db, argv[1]!);
  const replies: number[] = new Array<number>(argv.length - 2);
  for (let i = 2; i < argv.length; i++) replies[i - 2] = set !== undefined && set.has(argv[i]!) ? 1 : 0;
  return replies;
}

function scardCommand(session: Session, argv: string[]): Reply {
  return readSet(session.db, argv[1]!)?.size ?? 0;
}

function smembersCommand(session: Session, argv: string[]): Reply {
  const set = readSet(session.db, argv[1]!);
  return set === undefined ? EMPTY_SET : new SetReply(set.toArray());
}

// ---- SPOP, SRANDMEMBER ----

function spopCommand(session: Session, argv: string[]): Reply {
  if (argv.length === 3) return spopWithCount(session, argv);
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot < 0) return null;
  const set = setAt(db, slot);
  const member = set.popRandom();
  if (set.size === 0) db.deleteAt(slot);
  else db.markChanged(1);
  return member;
}

function spopWithCount(session: Session, argv: string[]): Reply {
  // The count is checked before the key, and any non-integer is "must be positive" too.
  const parsed = parseInt64(argv[2]!);
  if (parsed === undefined || parsed < 0) throw new CommandError(ERR_MUST_BE_POSITIVE);
  const count = Number(parsed);
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot < 0) return EMPTY_SET;
  const set = setAt(db, slot);
  if (count === 0) return EMPTY_SET;
  // One change per member popped (deleting the emptied key is not another).
  if (count >= set.size) {
    const members = set.toArray();
    db.markChanged(members.length - 1);
    db.deleteAt(slot);
    return new SetReply(members);
  }
  db.markChanged(count);
  return new SetReply(set.popRandomMany(count, maxIntsetEntries(session)));
}

function srandmemberCommand(session: Session, argv: string[]): Reply {
  if (argv.length === 3) return srandmemberWithCount(session, argv);
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  const set = readSet(session.db, argv[1]!);
  return set === undefined ? null : set.randomMember();
}

function srandmemberWithCount(session: Session, argv: string[]): Reply {
  const parsed = parseInt64(argv[2]!);
  if (parsed === undefined) throw new CommandError(ERR_NOT_INTEGER);
  if (parsed === INT64_MIN) throw new CommandError(ERR_LONG_RANGE_SYMMETRIC);
  const set = readSet(session.db, argv[1]!);
  // Redis 7.0 replies a plain array here in RESP3 too (members may repeat).
  if (set === undefined || parsed === 0) return [];
  if (parsed < 0) {
    if (parsed < -MAX_REPEATED_PICKS) throw new CommandError(ERR_TOO_MANY_PICKS);
    const picks = -Number(parsed);
    const members = new Array<string>(picks);
    for (let i = 0; i < picks; i++) members[i] = set.randomMember();
    return members;
  }
  const count = Number(parsed);
  if (count >= set.size) return set.toArray();
  return set.randomDistinct(count);
}

// ---- SINTER, SINTERCARD, SINTERSTORE ----

/**
 * The sets at argv[start…end), for an operation over several keys: every key is looked up (a
 * read: hits and misses counted) and type-checked before anything else, a missing one is null.
 */
function lookupSets(db: Database, argv: string[], start: number, end: number): (SetValue | null)[] {
  const sets = new Array<SetValue | null>(end - start);
  for (let i = start; i < end; i++) sets[i - start] = readSet(db, argv[i]!) ?? null;
  return sets;
}

/**
 * The members common to every set, in the iteration order of the smallest (the first of equal
 * sizes), as Redis' sinterGenericCommand walks them; at most `limit` of them when limit > 0.
 */
function intersect(sets: SetValue[], limit: number): string[] {
  const ordered = sets.slice().sort((a, b) => a.size - b.size);
  const smallest = ordered[0]!;
  const result: string[] = [];
  for (let position = 0; position < smallest.size; position++) {
    const member = smallest.memberAt(position);
    let inAll = true;
    for (let j = 1; j < ordered.length; j++) {
      const other = ordered[j]!;
      if (other !== smallest && !other.has(member)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    result.push(member);
    if (result.length === limit) break;
  }
  return result;
}

function allPresent(sets: (SetValue | null)[]): sets is SetValue[] {
  for (let i = 0; i < sets.length; i++) if (sets[i] === null) return false;
  return true;
}

function sinterCommand(session: Session, argv: string[]): Reply {
  const sets = lookupSets(session.db, argv, 1, argv.length);
  // An intersection with a missing (empty) set is empty; all keys were type-checked first.
  if (!allPresent(sets)) return EMPTY_SET;
  return new SetReply(intersect(sets, 0));
}

function sintercardCommand(session: Session, argv: string[]): Reply {
  const parsedKeys = parseInt64(argv[1]!);
  if (parsedKeys === undefined || parsedKeys < 1) throw new CommandError(ERR_NUMKEYS_NOT_POSITIVE);
  if (parsedKeys > argv.length - 2) throw new CommandError(ERR_NUMKEYS_TOO_MANY);
  const end = 2 + Number(parsedKeys);
  let limit = 0;
  for (let i = end; i < argv.length; i++) {
    if (i + 1 < argv.length && isToken(argv[i]!, 'LIMIT')) {
      const parsed = parseInt64(argv[++i]!);
      if (parsed === undefined || parsed < 0) throw new CommandError(ERR_LIMIT_NEGATIVE);
      limit = Number(parsed);
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  const sets = lookupSets(session.db, argv, 2, end);
  if (!allPresent(sets)) return 0;
  return intersect(sets, limit).length;
}

/**
 * Stores a computed set at `destination` as Redis' *STORE commands do: a non-empty result
 * replaces the key (its TTL cleared, setKey); an empty one deletes it. Returns the new size.
 */
function storeResult(db: Database, destination: string, result: SetValue): number {
  if (result.size > 0) {
    db.set(destination, result);
    return result.size;
  }
  db.delete(destination);
  return 0;
}

function sinterstoreCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const sets = lookupSets(db, argv, 2, argv.length);
  // Redis builds the result in a fresh intset, adding member by member.
  const result = allPresent(sets) ? SetValue.of(intersect(sets, 0), maxIntsetEntries(session)) : SetValue.empty();
  return storeResult(db, argv[1]!, result);
}

// ---- SUNION, SDIFF and their STORE forms ----

const UNION = 0;
const DIFF = 1;
type SetOperation = typeof UNION | typeof DIFF;

/**
 * Redis' sunionDiffGenericCommand: the result is built in a fresh intset member by member, so
 * its encoding (and so its iteration order) is what Redis would store. For a difference Redis
 * picks one of two algorithms by estimated work, and they can leave different encodings (the
 * second adds the whole first set, then removes), so the same choice is made here.
 */
function unionOrDiff(sets: (SetValue | null)[], operation: SetOperation, maxEntries: number): SetValue {
  const result = SetValue.empty();
  if (operation === UNION) {
    for (const set of sets) {
      if (set === null) continue;
      for (let position = 0; position < set.size; position++) result.add(set.memberAt(position), maxEntries);
    }
    return result;
  }
  const first = sets[0];
  if (first === null || first === undefined) return result;
  let sameSet = false;
  let algorithmOneWork = 0;
  let algorithmTwoWork = 0;
  for (let j = 0; j < sets.length; j++) {
    const set = sets[j]!;
    if (set === null) continue;
    if (j > 0 && set === first) sameSet = true;
    algorithmOneWork += first.size;
    algorithmTwoWork += set.size;
  }
  // DIFF of a set with itself is empty (Redis' sameset shortcut).
  if (sameSet) return result;
  // Algorithm one has better constants and is favoured by halving its estimate.
  if (Math.floor(algorithmOneWork / 2) <= algorithmTwoWork) {
    for (let position = 0; position < first.size; position++) {
      const member = first.memberAt(position);
      let excluded = false;
      for (let j = 1; j < sets.length; j++) {
        const other = sets[j]!;
        if (other !== null && other.has(member)) {
          excluded = true;
          break;
        }
      }
      if (!excluded) result.add(member, maxEntries);
    }
    return result;
  }
  for (let position = 0; position < first.size; position++) result.add(first.memberAt(position), maxEntries);
  for (let j = 1; j < sets.length && result.size > 0; j++) {
    const other = sets[j]!;
    if (other === null) continue;
    for (let position = 0; position < other.size; position++) result.remove(other.memberAt(position));
  }
  return result;
}

function unionOrDiffCommand(session: Session, argv: string[], operation: SetOperation): Reply {
  const sets = lookupSets(session.db, argv, 1, argv.length);
  return new SetReply(unionOrDiff(sets, operation, maxIntsetEntries(session)).toArray());
}

function unionOrDiffStoreCommand(session: Session, argv: string[], operation: SetOperation): Reply {
  const db = session.db;
  const sets = lookupSets(db, argv, 2, argv.length);
  const result = unionOrDiff(sets, operation, maxIntsetEntries(session));
  return storeResult(db, argv[1]!, result);
}

// ---- SSCAN ----

function sscanCommand(session: Session, argv: string[]): Reply {
  // The cursor is parsed before the key is looked up, the options only when the key exists.
  const cursor = parseScanCursor(argv[2]!);
  const set = readSet(session.db, argv[1]!);
  if (set === undefined) return ['0', []];
  const options = new CollectionScanOptions(argv, 3);
  // An intset is returned whole in one call with cursor 0, whatever the cursor and COUNT.
  if (set.isIntset) return ['0', options.filter(set.toArray())];
  const found: string[] = [];
  const next = set.scan(cursor, options.count, found);
  return [String(next), options.filter(found)];
}

export const setsCommands: CommandSpec[] = [
  { ...SET_SPECS.sadd, handler: saddCommand },
  { ...SET_SPECS.srem, handler: sremCommand },
  { ...SET_SPECS.smove, handler: smoveCommand },
  { ...SET_SPECS.sismember, handler: sismemberCommand },
  { ...SET_SPECS.smismember, handler: smismemberCommand },
  { ...SET_SPECS.scard, handler: scardCommand },
  { ...SET_SPECS.smembers, handler: smembersCommand },
  { ...SET_SPECS.spop, handler: spopCommand },
  { ...SET_SPECS.srandmember, handler: srandmemberCommand },
  { ...SET_SPECS.sinter, handler: sinterCommand },
  { ...SET_SPECS.sintercard, handler: sintercardCommand },
  { ...SET_SPECS.sinterstore, handler: sinterstoreCommand },
  { ...SET_SPECS.sunion, handler: (session, argv) => unionOrDiffCommand(session, argv, UNION) },
  { ...SET_SPECS.sdiff, handler: (session, argv) => unionOrDiffCommand(session, argv, DIFF) },
  { ...SET_SPECS.sunionstore, handler: (session, argv) => unionOrDiffStoreCommand(session, argv, UNION) },
  { ...SET_SPECS.sdiffstore, handler: (session, argv) => unionOrDiffStoreCommand(session, argv, DIFF) },
  { ...SET_SPECS.sscan, handler: sscanCommand },
];
