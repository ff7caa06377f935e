import { CommandError, ERR_SYNTAX } from '../protocol/errors.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg, isToken } from './args.js';
import { finishWrite, zsetAt } from './sorted-set-args.js';
import type { Handler } from './spec.js';

// Redis' genericZpopCommand and its callers ZPOPMIN, ZPOPMAX and ZMPOP. The blocking commands
// (BZPOPMIN, BZPOPMAX, BZMPOP) reuse zpopGeneric once a key has data, and parseZmpopArguments
// for BZMPOP's grammar.

export const ERR_NOT_POSITIVE = 'ERR value is out of range, must be positive';
export const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
export const ERR_COUNT = 'ERR count should be greater than 0';

/**
 * Redis' genericZpopCommand over argv[keyStart .. keyStart + keyCount): pops up to `count` members
 * (-1: one, the form without COUNT) from the lowest (or highest) end of the first of those keys
 * that exists, deleting it when emptied. The reply's shape is Redis':
 * - neither `emitKey` nor `nested`: [member, score, …] (ZPOPMIN/ZPOPMAX in RESP2 or without count)
 * - `nested` only: [[member, score], …] (ZPOPMIN/ZPOPMAX with a count in RESP3)
 * - `emitKey` only: [key, member, score, …] (BZPOPMIN/BZPOPMAX)
 * - both: [key, [[member, score], …]] (ZMPOP/BZMPOP)
 * When no key exists: the null array if `nilWhenEmpty`, else an empty array. WRONGTYPE stops at
 * the first key of another type before any existing one.
 */
export function zpopGeneric(
  session: Session,
  argv: readonly string[],
  keyStart: number,
  keyCount: number,
  fromMax: boolean,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): Reply {
  const db = session.db;
  let slot = -1;
  let key = '';
  for (let i = keyStart; i < keyStart + keyCount; i++) {
    key = argv[i]!;
    slot = db.find(key);
    if (slot >= 0) break;
  }
  if (slot < 0) return nilWhenEmpty ? NULL_ARRAY : [];
  const zset = zsetAt(db, slot);
  if (count === 0) return [];
  const wanted = count === -1 ? 1 : count;
  const popped = wanted > zset.size ? zset.size : wanted;
  const items: Reply[] = [];
  for (let i = 0; i < popped; i++) {
    const node = zset.pop(fromMax);
    const score = new DoubleReply(node.score);
    if (nested) items.push([node.member, score]);
    else items.push(node.member, score);
  }
  finishWrite(db, slot, zset, popped);
  if (!emitKey) return items;
  if (nested) return [key, items];
  items.unshift(key);
  return items;
}

function zpopMinMax(session: Session, argv: string[], fromMax: boolean): Reply {
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    count = intArg(argv[2]!, ERR_NOT_POSITIVE);
    if (count < 0) throw new CommandError(ERR_NOT_POSITIVE);
  }
  // RESP3 nests [member, score] pairs only when a count was given.
  return zpopGeneric(session, argv, 1, 1, fromMax, false, count, session.protocol === 3 && count !== -1, false);
}

/** ZMPOP/BZMPOP's grammar after numkeys: its keys, MIN|MAX, [COUNT n]. */
export interface ZmpopArguments {
  keyStart: number;
  keyCount: number;
  fromMax: boolean;
  count: number;
}

/** Redis' zmpopGenericCommand argument parsing; `numkeysIndex` is where numkeys is in argv. */
export function parseZmpopArguments(argv: readonly string[], numkeysIndex: number): ZmpopArguments {
  const numkeys = intArg(argv[numkeysIndex]!, ERR_NUMKEYS);
  if (numkeys < 1) throw new CommandError(ERR_NUMKEYS);
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) throw new CommandError(ERR_SYNTAX);
  const where = argv[whereIndex]!;
  let fromMax: boolean;
  if (isToken(where, 'MIN')) fromMax = false;
  else if (isToken(where, 'MAX')) fromMax = true;
  else throw new CommandError(ERR_SYNTAX);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && j + 1 < argv.length && isToken(argv[j]!, 'COUNT')) {
      j++;
      count = intArg(argv[j]!, ERR_COUNT);
      if (count < 1) throw new CommandError(ERR_COUNT);
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  return { keyStart: numkeysIndex + 1, keyCount: numkeys, fromMax, count: count === -1 ? 1 : count };
}

function zmpopCommand(session: Session, argv: string[]): Reply {
  const parsed = parseZmpopArguments(argv, 1);
  return zpopGeneric(session, argv, parsed.keyStart, parsed.keyCount, parsed.fromMax, true, parsed.count, true, true);
}

export const popHandlers: Record<'zpopmin' | 'zpopmax' | 'zmpop', Handler> = {
  zpopmin: (session, argv) => zpopMinMax(session, argv, false),
  zpopmax: (session, argv) => zpopMinMax(session, argv, true),
  zmpop: zmpopCommand,
};
