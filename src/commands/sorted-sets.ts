import {
  SortedSet,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NX,
  ZADD_OUT_ADDED,
  ZADD_OUT_NAN,
  ZADD_OUT_NOP,
  ZADD_OUT_UPDATED,
  ZADD_XX,
} from '../datastructures/sorted-set.js';
import { CommandError, ERR_SYNTAX } from '../protocol/errors.js';
import { DoubleReply, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg } from './args.js';
import { readCollection } from './lookup.js';
import { finishWrite, parseLexRange, parseScoreRange, scoreArg, zsetAt, zsetLimits } from './sorted-set-args.js';
import { algebraHandlers } from './sorted-set-algebra.js';
import { popHandlers } from './sorted-set-pop.js';
import { rangeHandlers } from './sorted-set-range.js';
import { zrandmemberCommand, zscanCommand } from './sorted-set-random-scan.js';
import { SORTED_SET_SPECS } from './sorted-set-specs.js';
import type { CommandSpec, Handler } from './spec.js';

// The sorted-set commands of Redis' t_zset.c that read or write single members and counts; the
// range, pop, set-algebra and random/scan families live in the sorted-set-*.ts modules.

export const ERR_ZADD_NAN = 'ERR resulting score is not a number (NaN)';
export const ERR_ZADD_INCR_PAIRS = 'ERR INCR option supports a single increment-element pair';
export const ERR_ZADD_NX_XX = 'ERR XX and NX options at the same time are not compatible';
export const ERR_ZADD_GT_LT_NX = 'ERR GT, LT, and/or NX options at the same time are not compatible';

/** Parsed ZADD scores, reused between calls (the command is synchronous). */
let scores: number[] = [];

/**
 * Redis' zaddGenericCommand, shared by ZADD and ZINCRBY (which is ZADD INCR): options, then every
 * score parsed before the key is touched, then each pair through zsetAdd.
 */
function zaddGeneric(session: Session, argv: string[], baseFlags: number): Reply {
  let flags = baseFlags;
  let changed = false;
  let scoreIndex = 2;
  for (; scoreIndex < argv.length; scoreIndex++) {
    const option = argv[scoreIndex]!;
    // Every option is 2 to 4 letters: a score (digits, sign, '.', "inf") ends the options at once.
    const letter = option.charCodeAt(0) | 0x20;
    if (option.length > 4 || option.length < 2 || letter < 97 || letter > 122) break;
    const upper = option.toUpperCase();
    if (upper === 'NX') flags |= ZADD_NX;
    else if (upper === 'XX') flags |= ZADD_XX;
    else if (upper === 'CH') changed = true;
    else if (upper === 'INCR') flags |= ZADD_INCR;
    else if (upper === 'GT') flags |= ZADD_GT;
    else if (upper === 'LT') flags |= ZADD_LT;
    else break;
  }
  const elements = argv.length - scoreIndex;
  if (elements === 0 || elements % 2 !== 0) throw new CommandError(ERR_SYNTAX);
  const pairs = elements / 2;
  const incr = (flags & ZADD_INCR) !== 0;
  if ((flags & ZADD_NX) !== 0 && (flags & ZADD_XX) !== 0) throw new CommandError(ERR_ZADD_NX_XX);
  if (((flags & ZADD_NX) !== 0 && (flags & (ZADD_GT | ZADD_LT)) !== 0) || ((flags & ZADD_GT) !== 0 && (flags & ZADD_LT) !== 0)) {
    throw new CommandError(ERR_ZADD_GT_LT_NX);
  }
  if (incr && pairs > 1) throw new CommandError(ERR_ZADD_INCR_PAIRS);
  if (scores.length < pairs) scores = new Array<number>(pairs);
  for (let i = 0; i < pairs; i++) scores[i] = scoreArg(argv[scoreIndex + i * 2]!);

  const db = session.db;
  const key = argv[1]!;
  let slot = db.find(key);
  let zset: SortedSet;
  let created = false;
  if (slot < 0) {
    if ((flags & ZADD_XX) !== 0) return incr ? null : 0;
    zset = SortedSet.create(argv[scoreIndex + 1]!.length, zsetLimits(session));
    slot = db.insert(key, zset);
    created = true;
    // A new zset key may be what a BZPOPMIN/BZMPOP client waits for (Redis' dbAdd signals it).
    session.server.blocking.signalKeyAsReady(db, key);
  } else {
    zset = zsetAt(db, slot);
  }
  const limits = zset.isListpack ? zsetLimits(session) : null;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  for (let i = 0; i < pairs; i++) {
    const result = zset.add(scores[i]!, argv[scoreIndex + i * 2 + 1]!, flags, limits);
    if ((result & ZADD_OUT_NAN) !== 0) {
      countChanges(session, created, added + updated);
      throw new CommandError(ERR_ZADD_NAN);
    }
    if ((result & ZADD_OUT_ADDED) !== 0) added++;
    if ((result & ZADD_OUT_UPDATED) !== 0) updated++;
    if ((result & ZADD_OUT_NOP) === 0) {
      processed++;
      score = zset.lastScore;
    }
  }
  countChanges(session, created, added + updated);
  if (incr) return processed > 0 ? new DoubleReply(score) : null;
  return changed ? added + updated : added;
}

/** Redis counts each added or updated member; creating the key (counted by insert) is the first. */
function countChanges(session: Session, created: boolean, changes: number): void {
  const extra = created ? changes - 1 : changes;
  if (extra > 0) session.db.markChanged(extra);
}

function zremCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot < 0) return 0;
  const zset = zsetAt(db, slot);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (zset.remove(argv[i]!)) {
      deleted++;
      if (zset.size === 0) break;
    }
  }
  finishWrite(db, slot, zset, deleted);
  return deleted;
}

function zscoreCommand(session: Session, argv: string[]): Reply {
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  const score = zset?.score(argv[2]!);
  return score === undefined ? null : new DoubleReply(score);
}

function zmscoreCommand(session: Session, argv: string[]): Reply {
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  const replies: Reply[] = new Array<Reply>(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i]!);
    replies[i - 2] = score === undefined ? null : new DoubleReply(score);
  }
  return replies;
}

function zcardCommand(session: Session, argv: string[]): Reply {
  return readCollection<SortedSet>(session.db, argv[1]!, 'zset')?.size ?? 0;
}

function zcountCommand(session: Session, argv: string[]): Reply {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  return zset === undefined ? 0 : zset.countInScoreRange(range);
}

function zlexcountCommand(session: Session, argv: string[]): Reply {
  const range = parseLexRange(argv[2]!, argv[3]!);
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  return zset === undefined ? 0 : zset.countInLexRange(range);
}

function zrankGeneric(session: Session, argv: string[], reverse: boolean): Reply {
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  if (zset === undefined) return null;
  const rank = zset.rank(argv[2]!, reverse);
  return rank < 0 ? null : rank;
}

const RANGE_BY_RANK = 0;
const RANGE_BY_SCORE = 1;
const RANGE_BY_LEX = 2;

/** Redis' zremrangeGenericCommand: the range is parsed before the key is looked up. */
function zremrangeGeneric(session: Session, argv: string[], type: number): Reply {
  let start = 0;
  let end = 0;
  const scoreRange = type === RANGE_BY_SCORE ? parseScoreRange(argv[2]!, argv[3]!) : null;
  const lexRange = type === RANGE_BY_LEX ? parseLexRange(argv[2]!, argv[3]!) : null;
  if (type === RANGE_BY_RANK) {
    start = intArg(argv[2]!);
    end = intArg(argv[3]!);
  }
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot < 0) return 0;
  const zset = zsetAt(db, slot);
  let deleted: number;
  if (type === RANGE_BY_RANK) {
    const length = zset.size;
    if (start < 0) start += length;
    if (end < 0) end += length;
    if (start < 0) start = 0;
    if (start > end || start >= length) return 0;
    if (end >= length) end = length - 1;
    deleted = zset.removeRangeByRank(start, end);
  } else if (scoreRange !== null) {
    deleted = zset.removeRangeByScore(scoreRange);
  } else {
    deleted = zset.removeRangeByLex(lexRange!);
  }
  finishWrite(db, slot, zset, deleted);
  return deleted;
}

const HANDLERS: Record<keyof typeof SORTED_SET_SPECS, Handler> = {
  zadd: (session, argv) => zaddGeneric(session, argv, 0),
  zincrby: (session, argv) => zaddGeneric(session, argv, ZADD_INCR),
  zscore: zscoreCommand,
  zmscore: zmscoreCommand,
  zcard: zcardCommand,
  zcount: zcountCommand,
  zlexcount: zlexcountCommand,
  zrank: (session, argv) => zrankGeneric(session, argv, false),
  zrevrank: (session, argv) => zrankGeneric(session, argv, true),
  zrem: zremCommand,
  zremrangebyrank: (session, argv) => zremrangeGeneric(session, argv, RANGE_BY_RANK),
  zremrangebyscore: (session, argv) => zremrangeGeneric(session, argv, RANGE_BY_SCORE),
  zremrangebylex: (session, argv) => zremrangeGeneric(session, argv, RANGE_BY_LEX),
  zrandmember: zrandmemberCommand,
  zscan: zscanCommand,
  ...rangeHandlers,
  ...popHandlers,
  ...algebraHandlers,
};

export const sortedSetsCommands: CommandSpec[] = Object.entries(SORTED_SET_SPECS).map(([name, meta]) => ({
  ...meta,
  handler: HANDLERS[name as keyof typeof SORTED_SET_SPECS],
}));
