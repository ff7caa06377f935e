import type { LexRange, ScoreRange } from '../datastructures/zset-range.js';
import type { ZsetNode } from '../datastructures/zset-tree.js';
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax } from '../datastructures/zset-range.js';
import { SortedSet } from '../datastructures/sorted-set.js';
import { CommandError, ERR_SYNTAX } from '../protocol/errors.js';
import { DoubleReply, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg, isToken } from './args.js';
import { readCollection } from './lookup.js';
import { parseLexRange, parseScoreRange, zsetLimits } from './sorted-set-args.js';
import type { Handler } from './spec.js';

// Redis' zrangeGenericCommand: ZRANGE with BYSCORE/BYLEX/REV/LIMIT/WITHSCORES, the older
// Z[REV]RANGE[BYSCORE|BYLEX] forms (the same function with the type and direction fixed) and
// ZRANGESTORE. The range is collected once, then either replied or stored.

export const ERR_LIMIT_NEEDS_BY = 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX';
export const ERR_WITHSCORES_BYLEX = 'ERR syntax error, WITHSCORES not supported in combination with BYLEX';

const AUTO = 0;
const BY_RANK = 1;
const BY_SCORE = 2;
const BY_LEX = 3;

const FORWARD = 1;
const REVERSE = 2;

/** The collected range: members and their scores, in reply order. */
interface RangeResult {
  members: string[];
  scores: number[];
}

function collectNode(result: RangeResult, node: ZsetNode): void {
  result.members.push(node.member);
  result.scores.push(node.score);
}

function rankRange(zset: SortedSet, startArg: number, endArg: number, reverse: boolean, result: RangeResult): void {
  const length = zset.size;
  let start = startArg < 0 ? length + startArg : startArg;
  let end = endArg < 0 ? length + endArg : endArg;
  if (start < 0) start = 0;
  if (start > end || start >= length) return;
  if (end >= length) end = length - 1;
  let count = end - start + 1;
  let node = zset.nodeAt(reverse ? length - 1 - start : start);
  while (node !== null && count-- > 0) {
    collectNode(result, node);
    node = reverse ? node.backward : node.next;
  }
}

/**
 * Redis' offset/limit walk: a positive offset past the end is nothing, a negative one skips
 * everything (its countdown never reaches zero), a negative limit is no limit.
 */
function scoreRange(zset: SortedSet, range: ScoreRange, offset: number, limit: number, reverse: boolean, result: RangeResult): void {
  if (offset > 0 && offset >= zset.size) return;
  let node = reverse ? zset.list.lastInScoreRange(range) : zset.list.firstInScoreRange(range);
  if (offset < 0) return;
  while (node !== null && offset-- > 0) node = reverse ? node.backward : node.next;
  while (node !== null && limit-- !== 0) {
    if (reverse ? !scoreGteMin(node.score, range) : !scoreLteMax(node.score, range)) break;
    collectNode(result, node);
    node = reverse ? node.backward : node.next;
  }
}

function lexRange(zset: SortedSet, range: LexRange, offset: number, limit: number, reverse: boolean, result: RangeResult): void {
  if (offset > 0 && offset >= zset.size) return;
  let node = reverse ? zset.lastInLexRange(range) : zset.firstInLexRange(range);
  if (offset < 0) return;
  while (node !== null && offset-- > 0) node = reverse ? node.backward : node.next;
  while (node !== null && limit-- !== 0) {
    if (reverse ? !lexGteMin(node.member, range) : !lexLteMax(node.member, range)) break;
    collectNode(result, node);
    node = reverse ? node.backward : node.next;
  }
}

/** Members (and scores) as Redis replies them: flat in RESP2, [member, score] pairs in RESP3. */
export function rangeReply(session: Session, members: readonly string[], scores: readonly number[], withScores: boolean): Reply {
  if (!withScores) return members as string[];
  const count = members.length;
  if (session.protocol === 3) {
    const pairs: Reply[] = new Array<Reply>(count);
    for (let i = 0; i < count; i++) pairs[i] = [members[i]!, new DoubleReply(scores[i]!)];
    return pairs;
  }
  const flat: Reply[] = new Array<Reply>(count * 2);
  for (let i = 0; i < count; i++) {
    flat[i * 2] = members[i]!;
    flat[i * 2 + 1] = new DoubleReply(scores[i]!);
  }
  return flat;
}

/** ZRANGESTORE's end (zrangeResultFinalizeStore): the result replaces dst, or an empty one deletes it. */
export function storeResult(session: Session, destination: string, zset: SortedSet): Reply {
  const db = session.db;
  if (zset.size === 0) {
    db.delete(destination);
    return 0;
  }
  zset.fitEncoding(zsetLimits(session));
  db.set(destination, zset);
  // Blocked BZPOPMIN/BZMPOP clients may wait for this key (Redis' dbAdd signals a new zset key).
  session.server.blocking.signalKeyAsReady(db, destination);
  return zset.size;
}

/**
 * Redis' zrangeGenericCommand. `first` is the index of the source key; `store` is the
 * destination for ZRANGESTORE; `type` and `direction` are AUTO for ZRANGE(STORE), fixed for the
 * older forms (so their own options are syntax errors there).
 */
function zrangeGeneric(session: Session, argv: string[], first: number, store: string | null, type: number, direction: number): Reply {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = first + 3; j < argv.length; j++) {
    const option = argv[j]!;
    const left = argv.length - j - 1;
    if (store === null && isToken(option, 'WITHSCORES')) {
      withScores = true;
    } else if (left >= 2 && isToken(option, 'LIMIT')) {
      offset = intArg(argv[j + 1]!);
      limit = intArg(argv[j + 2]!);
      j += 2;
    } else if (direction === AUTO && isToken(option, 'REV')) {
      direction = REVERSE;
    } else if (type === AUTO && isToken(option, 'BYLEX')) {
      type = BY_LEX;
    } else if (type === AUTO && isToken(option, 'BYSCORE')) {
      type = BY_SCORE;
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  if (direction === AUTO) direction = FORWARD;
  if (type === AUTO) type = BY_RANK;
  // Redis tells "no LIMIT" by its default count -1, so LIMIT x -1 passes with a rank range.
  if (limit !== -1 && type === BY_RANK) throw new CommandError(ERR_LIMIT_NEEDS_BY);
  if (withScores && type === BY_LEX) throw new CommandError(ERR_WITHSCORES_BYLEX);
  const reverse = direction === REVERSE;
  // The score and lex forms take the range as max, min when reversed.
  let minText = argv[first + 1]!;
  let maxText = argv[first + 2]!;
  if (reverse && type !== BY_RANK) [minText, maxText] = [maxText, minText];
  let start = 0;
  let end = 0;
  let scores: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (type === BY_RANK) {
    start = intArg(minText);
    end = intArg(maxText);
  } else if (type === BY_SCORE) {
    scores = parseScoreRange(minText, maxText);
  } else {
    lex = parseLexRange(minText, maxText);
  }

  const zset = readCollection<SortedSet>(session.db, argv[first]!, 'zset');
  const result: RangeResult = { members: [], scores: [] };
  if (zset !== undefined) {
    if (type === BY_RANK) rankRange(zset, start, end, reverse, result);
    else if (scores !== null) scoreRange(zset, scores, offset, limit, reverse, result);
    else lexRange(zset, lex!, offset, limit, reverse, result);
  }
  if (store === null) return rangeReply(session, result.members, result.scores, withScores);
  const destination = new SortedSet(false);
  for (let i = 0; i < result.members.length; i++) destination.insertNew(result.scores[i]!, result.members[i]!);
  return storeResult(session, store, destination);
}

export const rangeHandlers: Record<
  'zrange' | 'zrangebyscore' | 'zrevrangebyscore' | 'zrangebylex' | 'zrevrangebylex' | 'zrevrange' | 'zrangestore',
  Handler
> = {
  zrange: (session, argv) => zrangeGeneric(session, argv, 1, null, AUTO, AUTO),
  zrevrange: (session, argv) => zrangeGeneric(session, argv, 1, null, BY_RANK, REVERSE),
  zrangebyscore: (session, argv) => zrangeGeneric(session, argv, 1, null, BY_SCORE, FORWARD),
  zrevrangebyscore: (session, argv) => zrangeGeneric(session, argv, 1, null, BY_SCORE, REVERSE),
  zrangebylex: (session, argv) => zrangeGeneric(session, argv, 1, null, BY_LEX, FORWARD),
  zrevrangebylex: (session, argv) => zrangeGeneric(session, argv, 1, null, BY_LEX, REVERSE),
  zrangestore: (session, argv) => zrangeGeneric(session, argv, 2, argv[1]!, AUTO, AUTO),
};
