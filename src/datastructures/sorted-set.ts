import type { CollectionValue } from './values.js';
import { DETACHED_METER, MAP_BYTES, OBJECT_HEADER_BYTES, POINTER_BYTES, stringBytes, type MemoryMeter } from './memory-meter.js';
import { lexGteMin, lexLteMax, lexRangeEmpty, type LexRange, type ScoreRange } from './zset-range.js';
import { ZsetTree, type ZsetNode } from './zset-tree.js';

// The zset value, as Redis' `zset` struct: a dict from member to its node (which holds the score)
// plus an index for order and ranks (Redis' skiplist; here an order-statistic B+tree, zset-tree.ts,
// which misses the CPU caches far less at a million members). OBJECT ENCODING says "listpack" while the set is
// within zset-max-listpack-entries and every member within zset-max-listpack-value bytes, and
// "skiplist" once it has outgrown either, never back (Redis converts one way).

/** The two limits Redis reads when a zset grows (zset-max-listpack-entries / -value). */
export interface ZsetLimits {
  maxEntries: number;
  maxValue: number;
}

// ZADD's input flags and zsetAdd's output flags, as Redis' ZADD_IN_* / ZADD_OUT_*.
export const ZADD_INCR = 1;
export const ZADD_NX = 2;
export const ZADD_XX = 4;
export const ZADD_GT = 8;
export const ZADD_LT = 16;

export const ZADD_OUT_NOP = 1;
export const ZADD_OUT_NAN = 2;
export const ZADD_OUT_ADDED = 4;
export const ZADD_OUT_UPDATED = 8;

/**
 * A listpack stores a score as text (Redis' d2string), which writes -0 as the integer 0: a
 * listpack-encoded zset never holds -0, a skiplist one does.
 */
function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

/**
 * An empty zset: its object (nine fields), the dict, the tree object and its first leaf (a
 * Float64Array of 65 scores with its buffer, and 65 node cells). Calibrated: 1,080 for the leaf.
 */
const ZSET_BYTES = OBJECT_HEADER_BYTES + 9 * POINTER_BYTES + MAP_BYTES + 64 + 1080;
/**
 * Per member: its ZsetNode (four fields, the score boxed as a heap number), its dict entry and
 * its share of the tree's leaves (about two thirds full). Calibrated.
 */
const MEMBER_BYTES = 56 + 16 + 40 + 11;

export class SortedSet implements CollectionValue {
  readonly kind = 'zset' as const;
  readonly dict = new Map<string, ZsetNode>();
  readonly list = new ZsetTree();
  private skiplistEncoded: boolean;
  /** The member's score after the last add() (Redis' zsetAdd `newscore` out parameter). */
  lastScore = 0;
  /** Members ordered by hash for ZSCAN, built on demand and dropped by any change. */
  private scanOrder: ScanOrder | null = null;
  bytes = ZSET_BYTES;
  meter: MemoryMeter = DETACHED_METER;

  /** A new zset: listpack unless the first member already exceeds the limits (Redis' zaddGenericCommand). */
  constructor(skiplistEncoded: boolean) {
    this.skiplistEncoded = skiplistEncoded;
  }

  /** What Redis creates for a first member of this length. */
  static create(firstMemberLength: number, limits: ZsetLimits): SortedSet {
    return new SortedSet(limits.maxEntries === 0 || firstMemberLength > limits.maxValue);
  }

  get encoding(): string {
    return this.skiplistEncoded ? 'skiplist' : 'listpack';
  }

  get isListpack(): boolean {
    return !this.skiplistEncoded;
  }

  get size(): number {
    return this.dict.size;
  }

  clone(): SortedSet {
    const copy = new SortedSet(this.skiplistEncoded);
    for (let node = this.list.first; node !== null; node = node.next) copy.insertNew(node.score, node.member);
    return copy;
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  /** Adds a member known to be absent, with no encoding check (building a result set). */
  insertNew(score: number, member: string): void {
    this.scanOrder = null;
    this.dict.set(member, this.list.insert(score, member));
    this.charge(MEMBER_BYTES + stringBytes(member.length));
  }

  /**
   * Redis' zsetAdd: adds or updates `member` under the ZADD flags. Returns ZADD_OUT_* bits; with
   * ZADD_OUT_NAN nothing changed (an increment reached NaN). lastScore holds the resulting score
   * when the member was added or updated. `limits` is consulted only while listpack-encoded.
   */
  add(score: number, member: string, flags: number, limits: ZsetLimits | null): number {
    const node = this.dict.get(member);
    if (node !== undefined) {
      if ((flags & ZADD_NX) !== 0) return ZADD_OUT_NOP;
      const current = node.score;
      if ((flags & ZADD_INCR) !== 0) {
        score += current;
        if (Number.isNaN(score)) return ZADD_OUT_NAN;
      }
      if (((flags & ZADD_LT) !== 0 && score >= current) || ((flags & ZADD_GT) !== 0 && score <= current)) return ZADD_OUT_NOP;
      this.lastScore = score;
      if (score !== current) {
        this.scanOrder = null;
        this.list.updateScore(node, this.skiplistEncoded ? score : listpackScore(score));
        return ZADD_OUT_UPDATED;
      }
      return 0;
    }
    if ((flags & ZADD_XX) !== 0) return ZADD_OUT_NOP;
    if (!this.skiplistEncoded && limits !== null && (this.dict.size + 1 > limits.maxEntries || member.length > limits.maxValue)) {
      this.skiplistEncoded = true;
    }
    this.insertNew(this.skiplistEncoded ? score : listpackScore(score), member);
    this.lastScore = score;
    return ZADD_OUT_ADDED;
  }

  remove(member: string): boolean {
    const node = this.dict.get(member);
    if (node === undefined) return false;
    this.scanOrder = null;
    this.list.delete(node.score, member);
    this.dict.delete(member);
    this.charge(-MEMBER_BYTES - stringBytes(member.length));
    return true;
  }

  /** 0-based rank from the low end (or the high end when reverse), -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const node = this.dict.get(member);
    if (node === undefined) return -1;
    const rank = this.list.rank(node.score, member);
    return reverse ? this.list.length - rank : rank - 1;
  }

  /** The node at a 0-based rank from the low end. */
  nodeAt(index: number): ZsetNode | null {
    return this.list.byRank(index + 1);
  }

  /** Removes and returns the lowest (or highest) node; the set must not be empty. */
  pop(fromMax: boolean): ZsetNode {
    this.scanOrder = null;
    let node: ZsetNode;
    if (fromMax) {
      node = this.list.last!;
      this.list.delete(node.score, node.member);
    } else {
      node = this.list.deleteFirst()!;
    }
    this.dict.delete(node.member);
    this.charge(-MEMBER_BYTES - stringBytes(node.member.length));
    return node;
  }

  /** Number of members within the score range. */
  countInScoreRange(range: ScoreRange): number {
    const first = this.list.firstInScoreRange(range);
    if (first === null) return 0;
    const last = this.list.lastInScoreRange(range)!;
    return this.list.rank(last.score, last.member) - this.list.rank(first.score, first.member) + 1;
  }

  /**
   * The first node of a lex range. A listpack is scanned from its head (zzlFirstInLexRange), a
   * skiplist descended (zslFirstInLexRange): the same node when all scores are equal, as lex
   * ranges assume; with mixed scores Redis' answer depends on the encoding, and so does ours.
   */
  firstInLexRange(range: LexRange): ZsetNode | null {
    if (this.skiplistEncoded) return this.list.firstInLexRange(range);
    if (!this.listpackLexReachable(range)) return null;
    for (let node = this.list.first; node !== null; node = node.next) {
      if (lexGteMin(node.member, range)) return lexLteMax(node.member, range) ? node : null;
    }
    return null;
  }

  lastInLexRange(range: LexRange): ZsetNode | null {
    if (this.skiplistEncoded) return this.list.lastInLexRange(range);
    if (!this.listpackLexReachable(range)) return null;
    for (let node = this.list.last; node !== null; node = node.backward) {
      if (lexLteMax(node.member, range)) return lexGteMin(node.member, range) ? node : null;
    }
    return null;
  }

  /** Redis' zzlIsInLexRange: the last member reaches the min and the first the max. */
  private listpackLexReachable(range: LexRange): boolean {
    const first = this.list.first;
    const last = this.list.last;
    return !lexRangeEmpty(range) && first !== null && last !== null && lexGteMin(last.member, range) && lexLteMax(first.member, range);
  }

  /** ZLEXCOUNT, computed as Redis does for each encoding (a walk, or the difference of ranks). */
  countInLexRange(range: LexRange): number {
    const first = this.firstInLexRange(range);
    if (first === null) return 0;
    if (!this.skiplistEncoded) {
      let count = 0;
      for (let node: ZsetNode | null = first; node !== null && lexLteMax(node.member, range); node = node.next) count++;
      return count;
    }
    const length = this.list.length;
    let count = length - (this.list.rank(first.score, first.member) - 1);
    const last = this.list.lastInLexRange(range);
    if (last !== null) count -= length - this.list.rank(last.score, last.member);
    return count;
  }

  /** Removes 0-based ranks start..end inclusive; returns how many. */
  removeRangeByRank(start: number, end: number): number {
    return this.forget(this.list.deleteRangeByRank(start + 1, end + 1));
  }

  removeRangeByScore(range: ScoreRange): number {
    return this.forget(this.list.deleteRangeByScore(range));
  }

  removeRangeByLex(range: LexRange): number {
    if (this.skiplistEncoded) return this.forget(this.list.deleteRangeByLex(range));
    let node = this.firstInLexRange(range);
    let removed = 0;
    while (node !== null && lexLteMax(node.member, range)) {
      const next: ZsetNode | null = node.next;
      this.remove(node.member);
      removed++;
      node = next;
    }
    return removed;
  }

  private forget(members: string[]): number {
    if (members.length > 0) this.scanOrder = null;
    let bytes = 0;
    for (let i = 0; i < members.length; i++) {
      this.dict.delete(members[i]!);
      bytes += MEMBER_BYTES + stringBytes(members[i]!.length);
    }
    this.charge(-bytes);
    return members.length;
  }

  /** Adds a change of the zset's cost to it and to the keyspace's meter. */
  private charge(delta: number): void {
    this.bytes += delta;
    this.meter.used += delta;
  }

  /** The members in hash order, cached until the next change. */
  hashOrder(): ScanOrder {
    if (this.scanOrder !== null) return this.scanOrder;
    const size = this.dict.size;
    const entries: { hash: number; member: string }[] = new Array<{ hash: number; member: string }>(size);
    let i = 0;
    for (const member of this.dict.keys()) entries[i++] = { hash: memberHash(member), member };
    entries.sort((a, b) => a.hash - b.hash);
    const hashes = new Uint32Array(size);
    const members = new Array<string>(size);
    for (i = 0; i < size; i++) {
      hashes[i] = entries[i]!.hash;
      members[i] = entries[i]!.member;
    }
    this.scanOrder = { hashes, members };
    return this.scanOrder;
  }

  /**
   * Redis' zsetConvertToListpackIfNeeded for a freshly built result (ZUNIONSTORE, ZRANGESTORE…):
   * listpack when it fits both limits.
   */
  fitEncoding(limits: ZsetLimits): void {
    if (this.dict.size > limits.maxEntries) {
      this.skiplistEncoded = true;
      return;
    }
    for (const member of this.dict.keys()) {
      if (member.length > limits.maxValue) {
        this.skiplistEncoded = true;
        return;
      }
    }
    this.skiplistEncoded = false;
    for (let node = this.list.first; node !== null; node = node.next) node.score = listpackScore(node.score);
  }
}

/** The members of a zset sorted by a 32-bit hash: the order ZSCAN walks a skiplist-encoded zset in. */
export interface ScanOrder {
  hashes: Uint32Array;
  members: string[];
}

/** FNV-1a over the member's bytes. */
export function memberHash(member: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < member.length; i++) hash = Math.imul(hash ^ member.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * One ZSCAN step over a zset: members whose hash is at least `cursor`, in hash order, `count` of
 * them plus any sharing the last one's hash. Returns the next cursor (0 when done). Every member
 * present for the whole scan is returned once, whatever is added or removed meanwhile, because
 * a member's place depends only on its own bytes (the guarantee Redis' SCAN gives).
 */
export function scanByHash(zset: SortedSet, cursor: number, count: number, found: string[]): number {
  const order = zset.hashOrder();
  const { hashes, members } = order;
  let low = 0;
  let high = hashes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (hashes[middle]! < cursor) low = middle + 1;
    else high = middle;
  }
  let i = low;
  for (; i < hashes.length && i - low < count; i++) found.push(members[i]!);
  if (i === low) return 0;
  const last = hashes[i - 1]!;
  for (; i < hashes.length && hashes[i] === last; i++) found.push(members[i]!);
  return i < hashes.length ? last + 1 : 0;
}
