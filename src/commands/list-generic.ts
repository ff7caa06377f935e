import type { Database } from '../datastructures/database.js';
import { LIST_HEAD, LIST_TAIL, ListValue, type ListEnd } from '../datastructures/list.js';
import type { StoredValue } from '../datastructures/values.js';
import { CommandError, ERR_SYNTAX, ERR_WRONGTYPE } from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { isToken, parseInt64 } from './args.js';
import type { KeySpec } from './spec.js';
import { keyAt } from './key-specs.js';

// The list operations shared by the list commands and the blocking ones (BLPOP, BLMOVE,
// BLMPOP…), as Redis' t_list.c shares popGenericCommand, lmoveGenericCommand,
// listPopRangeAndReplyWithKey and listElementsRemoved between the two.

/** The slot of the list at `key`, -1 when missing; WRONGTYPE when the key holds another type. */
export function findListSlot(db: Database, key: string): number {
  const slot = db.find(key);
  if (slot >= 0 && !isList(db.valueAt(slot))) throw new CommandError(ERR_WRONGTYPE);
  return slot;
}

export function isList(value: StoredValue): value is ListValue {
  return typeof value !== 'string' && value.kind === 'list';
}

/** LEFT or RIGHT, case-insensitively (Redis' getListPositionFromObjectOrReply); a syntax error otherwise. */
export function parseListEnd(text: string): ListEnd {
  if (isToken(text, 'LEFT')) return LIST_HEAD;
  if (isToken(text, 'RIGHT')) return LIST_TAIL;
  throw new CommandError(ERR_SYNTAX);
}

/**
 * Redis' getPositiveLongFromObjectOrReply / getRangeLongFromObjectOrReply with a message: a
 * non-integer and a value below `min` both answer `error`.
 */
export function integerAtLeast(text: string, min: number, error: string): number {
  const value = parseInt64(text);
  if (value === undefined || value < min) throw new CommandError(error);
  return Number(value);
}

/**
 * Adds a new list key (after a lookup missed). The keyspace reports the new collection, which
 * wakes clients blocked on the key (Redis' dbAdd → signalKeyAsReady); pushes onto an existing list
 * need no signal, since nobody blocks on a key holding a non-empty list.
 */
export function addList(session: Session, key: string, list: ListValue): void {
  session.db.insert(key, list);
}

/**
 * Redis' listElementsRemoved: after `count` elements left the list in `slot` (still valid), an
 * emptied list is deleted, and the keyspace counts `count` changes (Redis' dbDelete counts none,
 * our deleteAt one, hence the adjustment).
 */
export function elementsRemoved(db: Database, slot: number, list: ListValue, count: number): void {
  if (list.size === 0) {
    db.deleteAt(slot);
    db.markChanged(count - 1);
  } else {
    db.markChanged(count);
  }
}

/**
 * Pops up to `count` elements from the non-empty list in `slot`, in pop order (RPOP's from the
 * tail first), deleting the key when it empties (listPopRangeAndReplyWithKey's elements).
 */
export function popRange(db: Database, slot: number, list: ListValue, where: ListEnd, count: number): string[] {
  const length = list.size;
  const taken = count > length ? length : count;
  let elements: string[];
  if (where === LIST_HEAD) {
    elements = list.range(0, taken);
    list.removeRange(0, taken);
  } else {
    elements = list.rangeReversed(length - 1, taken);
    list.removeRange(length - taken, taken);
  }
  elementsRemoved(db, slot, list, taken);
  return elements;
}

/**
 * The pop of BLPOP/BRPOP (count -1: [key, element]) and of LMPOP/BLMPOP (count >= 1:
 * [key, [elements]]) on one key. Undefined when the key is missing (or an empty list), so the
 * caller tries the next key or blocks; WRONGTYPE when it holds another type.
 */
export function popWithKey(session: Session, key: string, where: ListEnd, count: number): Reply | undefined {
  const db = session.db;
  const slot = findListSlot(db, key);
  if (slot < 0) return undefined;
  const list = db.valueAt(slot) as ListValue;
  if (list.size === 0) return undefined;
  if (count < 0) {
    const element = list.pop(where)!;
    elementsRemoved(db, slot, list, 1);
    return [key, element];
  }
  return [key, popRange(db, slot, list, where, count)];
}

/** The parsed arguments of LMPOP/BLMPOP after the numkeys position. */
export interface MpopArguments {
  numkeys: number;
  where: ListEnd;
  count: number;
}

/**
 * Redis' lmpopGenericCommand argument parsing: numkeys (at `numkeysIndex`), the keys, LEFT|RIGHT,
 * then an optional COUNT given once; errors in Redis' order.
 */
export function parseMpopArguments(argv: readonly string[], numkeysIndex: number): MpopArguments {
  const numkeys = integerAtLeast(argv[numkeysIndex]!, 1, 'ERR numkeys should be greater than 0');
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) throw new CommandError(ERR_SYNTAX);
  const where = parseListEnd(argv[whereIndex]!);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && isToken(argv[j]!, 'COUNT') && j + 1 < argv.length) {
      count = integerAtLeast(argv[++j]!, 1, 'ERR count should be greater than 0');
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  return { numkeys, where, count: count === -1 ? 1 : count };
}

/**
 * Redis' mpopGenericCommand: pops from the first non-empty list among `numkeys` keys from
 * argv[firstKeyIndex]; undefined when every key is missing (LMPOP answers the null array,
 * BLMPOP blocks). A key of another type met first is WRONGTYPE.
 */
export function mpopGeneric(session: Session, argv: readonly string[], firstKeyIndex: number, parsed: MpopArguments): Reply | undefined {
  for (let j = 0; j < parsed.numkeys; j++) {
    const reply = popWithKey(session, argv[firstKeyIndex + j]!, parsed.where, parsed.count);
    if (reply !== undefined) return reply;
  }
  return undefined;
}

/**
 * Redis' lmoveGenericCommand: pops from `source` at `whereFrom` and pushes onto `destination`
 * at `whereTo` (the same key rotates it), answering the element, or null when the source is
 * missing. The destination's type is checked before anything moves.
 */
export function lmoveGeneric(session: Session, source: string, destination: string, whereFrom: ListEnd, whereTo: ListEnd): Reply {
  const db = session.db;
  const sourceSlot = findListSlot(db, source);
  if (sourceSlot < 0) return null;
  const sourceList = db.valueAt(sourceSlot) as ListValue;
  if (sourceList.size === 0) return null;
  // Looking the destination up may expire it, which moves slots: the source is found again by
  // key if it has to be deleted.
  const destinationSlot = findListSlot(db, destination);
  const element = sourceList.pop(whereFrom)!;
  // Redis counts one change however many keys were created or deleted; insert and delete count one each.
  let changes = 1;
  let destinationList: ListValue;
  if (destinationSlot < 0) {
    destinationList = new ListValue();
    addList(session, destination, destinationList);
    changes--;
  } else {
    destinationList = db.valueAt(destinationSlot) as ListValue;
  }
  destinationList.push(element, whereTo);
  if (sourceList.size === 0) {
    db.delete(source);
    changes--;
  }
  db.markChanged(changes);
  return element;
}

/** LMOVE, RPOPLPUSH and their blocking forms: the source is read and emptied, the destination grows. */
export const MOVE_KEY_SPECS: readonly KeySpec[] = [
  keyAt(1, ['RW', 'access', 'delete']),
  keyAt(2, ['RW', 'insert']),
];
