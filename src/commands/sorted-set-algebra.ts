import { SetValue } from '../datastructures/set.js';
import { SortedSet } from '../datastructures/sorted-set.js';
import { CommandError, ERR_SYNTAX, ERR_WRONGTYPE } from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg, isToken } from './args.js';
import { scoreArg } from './sorted-set-args.js';
import { rangeReply, storeResult } from './sorted-set-range.js';
import type { Handler } from './spec.js';

// Redis' zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD.
// Inputs may be sorted sets or plain sets (every member scoring 1).

export const ERR_WEIGHT_NOT_FLOAT = 'ERR weight value is not a float';
export const ERR_LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
const numkeysError = (command: string): string => `ERR at least 1 input key is needed for '${command}' command`;

const UNION = 0;
const INTER = 1;
const DIFF = 2;

const AGGREGATE_SUM = 0;
const AGGREGATE_MIN = 1;
const AGGREGATE_MAX = 2;

/** One input: its value (undefined for a missing key, which is empty) and its weight. */
interface Source {
  value: SortedSet | SetValue | undefined;
  weight: number;
}

function sourceSize(source: Source): number {
  return source.value === undefined ? 0 : source.value.size;
}

/** The member's score in the input (1 for a set member), undefined when absent. */
function sourceScore(source: Source, member: string): number | undefined {
  const value = source.value;
  if (value === undefined) return undefined;
  if (value instanceof SortedSet) return value.score(member);
  return value.has(member) ? 1 : undefined;
}

/** Calls visit(member, score) for every member of the input. */
function forEachMember(source: Source, visit: (member: string, score: number) => boolean | void): void {
  const value = source.value;
  if (value === undefined) return;
  if (value instanceof SortedSet) {
    for (let node = value.list.first; node !== null; node = node.next) if (visit(node.member, node.score) === true) return;
  } else {
    for (const member of value.toArray()) if (visit(member, 1) === true) return;
  }
}

/** Redis' zunionInterAggregate; a sum of +inf and -inf is 0 by Redis' convention. */
function aggregate(target: number, value: number, mode: number): number {
  if (mode === AGGREGATE_SUM) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (mode === AGGREGATE_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

function zsetOperation(session: Session, argv: string[], destination: string | null, numkeysIndex: number, op: number, cardinalityOnly: boolean): Reply {
  const setCount = intArg(argv[numkeysIndex]!);
  if (setCount < 1) throw new CommandError(numkeysError(argv[0]!.toLowerCase()));
  if (setCount > argv.length - (numkeysIndex + 1)) throw new CommandError(ERR_SYNTAX);
  const db = session.db;
  const sources: Source[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setCount; i++, j++) {
    const slot = destination === null ? db.findForRead(argv[j]!) : db.find(argv[j]!);
    let value: SortedSet | SetValue | undefined;
    if (slot >= 0) {
      const stored = db.valueAt(slot);
      if (!(stored instanceof SortedSet) && !(stored instanceof SetValue)) throw new CommandError(ERR_WRONGTYPE);
      value = stored;
    }
    sources.push({ value, weight: 1 });
  }
  let mode = AGGREGATE_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const option = argv[j]!;
    const remaining = argv.length - j;
    if (op !== DIFF && !cardinalityOnly && remaining >= setCount + 1 && isToken(option, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setCount; i++, j++) sources[i]!.weight = scoreArg(argv[j]!, ERR_WEIGHT_NOT_FLOAT);
    } else if (op !== DIFF && !cardinalityOnly && remaining >= 2 && isToken(option, 'AGGREGATE')) {
      const how = argv[j + 1]!;
      if (isToken(how, 'SUM')) mode = AGGREGATE_SUM;
      else if (isToken(how, 'MIN')) mode = AGGREGATE_MIN;
      else if (isToken(how, 'MAX')) mode = AGGREGATE_MAX;
      else throw new CommandError(ERR_SYNTAX);
      j += 2;
    } else if (destination === null && !cardinalityOnly && isToken(option, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isToken(option, 'LIMIT')) {
      limit = intArg(argv[j + 1]!, ERR_LIMIT_NEGATIVE);
      if (limit < 0) throw new CommandError(ERR_LIMIT_NEGATIVE);
      j += 2;
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  // Smallest inputs first, as Redis sorts them (a stable sort, like glibc's qsort here): it decides
  // the order scores are aggregated in. ZDIFF keeps its first input first.
  if (op !== DIFF) sources.sort((a, b) => sourceSize(a) - sourceSize(b));

  const result = new SortedSet(false);
  let cardinality = 0;
  if (op === INTER) {
    const first = sources[0]!;
    forEachMember(first, (member, memberScore) => {
      let score = first.weight * memberScore;
      if (Number.isNaN(score)) score = 0;
      for (let i = 1; i < sources.length; i++) {
        const other = sources[i]!;
        const found = other.value === first.value ? memberScore : sourceScore(other, member);
        if (found === undefined) return false;
        score = aggregate(score, found * other.weight, mode);
      }
      if (cardinalityOnly) {
        cardinality++;
        return limit !== 0 && cardinality >= limit;
      }
      result.insertNew(score, member);
      return false;
    });
  } else if (op === UNION) {
    const accumulator = new Map<string, number>();
    for (const source of sources) {
      forEachMember(source, (member, memberScore) => {
        let score = source.weight * memberScore;
        if (Number.isNaN(score)) score = 0;
        const existing = accumulator.get(member);
        accumulator.set(member, existing === undefined ? score : aggregate(existing, score, mode));
      });
    }
    for (const [member, score] of accumulator) result.insertNew(score, member);
  } else {
    forEachMember(sources[0]!, (member, score) => {
      for (let i = 1; i < sources.length; i++) if (sourceScore(sources[i]!, member) !== undefined) return false;
      result.insertNew(score, member);
      return false;
    });
  }

  if (cardinalityOnly) return cardinality;
  if (destination !== null) return storeResult(session, destination, result);
  const members: string[] = [];
  const scores: number[] = [];
  for (let node = result.list.first; node !== null; node = node.next) {
    members.push(node.member);
    scores.push(node.score);
  }
  return rangeReply(session, members, scores, withScores);
}

export const algebraHandlers: Record<'zinter' | 'zunion' | 'zdiff' | 'zinterstore' | 'zunionstore' | 'zdiffstore' | 'zintercard', Handler> = {
  zunion: (session, argv) => zsetOperation(session, argv, null, 1, UNION, false),
  zinter: (session, argv) => zsetOperation(session, argv, null, 1, INTER, false),
  zdiff: (session, argv) => zsetOperation(session, argv, null, 1, DIFF, false),
  zunionstore: (session, argv) => zsetOperation(session, argv, argv[1]!, 2, UNION, false),
  zinterstore: (session, argv) => zsetOperation(session, argv, argv[1]!, 2, INTER, false),
  zdiffstore: (session, argv) => zsetOperation(session, argv, argv[1]!, 2, DIFF, false),
  zintercard: (session, argv) => zsetOperation(session, argv, null, 1, INTER, true),
};
