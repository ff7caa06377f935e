import { stringMatch } from '../datastructures/glob.js';
import { scanByHash, type SortedSet } from '../datastructures/sorted-set.js';
import { formatDouble17g } from '../protocol/format.js';
import { CommandError, ERR_SYNTAX } from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { int64Arg, isToken } from './args.js';
import { readCollection } from './lookup.js';
import { CollectionScanOptions, parseScanCursor } from './scan-cursor.js';
import { rangeReply } from './sorted-set-range.js';

// ZRANDMEMBER (Redis' zrandmemberCommand and zrandmemberWithCountCommand) and ZSCAN.

const LONG_MAX = 9223372036854775807n;
export const ERR_COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
export const ERR_VALUE_RANGE = 'ERR value is out of range';

function randomIndex(size: number): number {
  return Math.floor(Math.random() * size);
}

export function zrandmemberCommand(session: Session, argv: string[]): Reply {
  if (argv.length === 2) {
    const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
    if (zset === undefined) return null;
    return zset.nodeAt(randomIndex(zset.size))!.member;
  }
  // The count must lie within ±LONG_MAX; with WITHSCORES within half of it (the reply doubles it).
  const exact = int64Arg(argv[2]!);
  if (exact === -LONG_MAX - 1n) throw new CommandError(ERR_COUNT_RANGE);
  let withScores = false;
  if (argv.length > 4 || (argv.length === 4 && !isToken(argv[3]!, 'WITHSCORES'))) throw new CommandError(ERR_SYNTAX);
  if (argv.length === 4) {
    withScores = true;
    const big = BigInt(exact);
    if (big < -LONG_MAX / 2n || big > LONG_MAX / 2n) throw new CommandError(ERR_VALUE_RANGE);
  }
  const count = Number(exact);
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  if (zset === undefined || count === 0) return [];
  const size = zset.size;
  const members: string[] = [];
  const scores: number[] = [];
  if (count < 0 || count === 1) {
    // Repetitions allowed: each pick is independent.
    const picks = count < 0 ? -count : 1;
    for (let i = 0; i < picks; i++) {
      const node = zset.nodeAt(randomIndex(size))!;
      members.push(node.member);
      scores.push(node.score);
    }
  } else if (count >= size) {
    for (let node = zset.list.first; node !== null; node = node.next) {
      members.push(node.member);
      scores.push(node.score);
    }
  } else {
    // Distinct ranks, reported in rank order (a listpack's order, as Redis samples one).
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(randomIndex(size));
    const ranks = [...chosen].sort((a, b) => a - b);
    for (const rank of ranks) {
      const node = zset.nodeAt(rank)!;
      members.push(node.member);
      scores.push(node.score);
    }
  }
  return rangeReply(session, members, scores, withScores);
}

/**
 * ZSCAN: a listpack-encoded zset is returned whole with cursor 0, as Redis does; a skiplist one is
 * walked in member-hash order (scanByHash). Scores are text, "%.17g" as Redis stores them.
 */
export function zscanCommand(session: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const zset = readCollection<SortedSet>(session.db, argv[1]!, 'zset');
  if (zset === undefined) return ['0', []];
  const options = new CollectionScanOptions(argv, 3);
  const pattern = options.pattern;
  const items: string[] = [];
  if (zset.isListpack) {
    for (let node = zset.list.first; node !== null; node = node.next) {
      if (pattern === undefined || stringMatch(pattern, node.member)) items.push(node.member, formatDouble17g(node.score));
    }
    return ['0', items];
  }
  const found: string[] = [];
  const next = scanByHash(zset, cursor, options.count, found);
  for (const member of found) {
    if (pattern === undefined || stringMatch(pattern, member)) items.push(member, formatDouble17g(zset.score(member)!));
  }
  return [String(next), items];
}
