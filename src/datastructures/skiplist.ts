// Redis' zskiplist: a skiplist ordered by (score, member bytes) whose forward links carry spans
// (how many level-0 nodes each link jumps), so a node's rank and the node at a rank are found in
// O(log n), as ZRANK and ZRANGE need. Members are latin1 strings: JS string comparison is then
// Redis' memcmp-then-length order (sdscmp).

const MAX_LEVEL = 32;
/** Redis' ZSKIPLIST_P: each level holds about a quarter of the one below. */
const LEVEL_PROBABILITY = 0.25;

const NO_LINKS: (SkipListNode | null)[] = [];
const NO_SPANS: number[] = [];
/** Levels kept in fields: a node of up to this many levels (98.4% of them) is one object. */
const FIELD_LEVELS = 3;

/**
 * A node. Its links at levels 0-2 are fields (level 0's span is 1 by definition), higher ones in
 * arrays: almost every node is then a single object, and a walk reads one object per step
 * instead of a node plus an array and its backing store (measured: the walk is bound by memory
 * latency, and this halved the time of a ZADD into 100,000 members).
 */
export class SkipListNode {
  backward: SkipListNode | null = null;
  next: SkipListNode | null = null;
  next1: SkipListNode | null = null;
  span1 = 0;
  next2: SkipListNode | null = null;
  span2 = 0;
  /** upper[i - 3] is the forward link at level i (i >= 3); upperSpan[i - 3] its span. */
  readonly upper: (SkipListNode | null)[];
  readonly upperSpan: number[];

  constructor(
    public score: number,
    readonly member: string,
    readonly level: number,
  ) {
    if (level > FIELD_LEVELS) {
      this.upper = new Array<SkipListNode | null>(level - FIELD_LEVELS).fill(null);
      this.upperSpan = new Array<number>(level - FIELD_LEVELS).fill(0);
    } else {
      this.upper = NO_LINKS;
      this.upperSpan = NO_SPANS;
    }
  }
}

function forwardAt(x: SkipListNode, level: number): SkipListNode | null {
  switch (level) {
    case 0:
      return x.next;
    case 1:
      return x.next1;
    case 2:
      return x.next2;
    default:
      return x.upper[level - FIELD_LEVELS]!;
  }
}

function setForward(x: SkipListNode, level: number, node: SkipListNode | null): void {
  switch (level) {
    case 0:
      x.next = node;
      return;
    case 1:
      x.next1 = node;
      return;
    case 2:
      x.next2 = node;
      return;
    default:
      x.upper[level - FIELD_LEVELS] = node;
  }
}

/** The span of x's link at `level`: at level 0, 1 to a node and 0 past the tail. */
function spanAt(x: SkipListNode, level: number): number {
  switch (level) {
    case 0:
      return x.next === null ? 0 : 1;
    case 1:
      return x.span1;
    case 2:
      return x.span2;
    default:
      return x.upperSpan[level - FIELD_LEVELS]!;
  }
}

function setSpan(x: SkipListNode, level: number, span: number): void {
  switch (level) {
    case 0:
      return;
    case 1:
      x.span1 = span;
      return;
    case 2:
      x.span2 = span;
      return;
    default:
      x.upperSpan[level - FIELD_LEVELS] = span;
  }
}

/** A score interval; exclusive ends are Redis' '(' prefix. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** A bound of a lex range: a member string, or '-' / '+' (below / above every member). */
export const LEX_MINUS = -1;
export const LEX_PLUS = 1;
export const LEX_VALUE = 0;

export interface LexRange {
  min: string;
  minKind: number;
  minExclusive: boolean;
  max: string;
  maxKind: number;
  maxExclusive: boolean;
}

/** Redis' sdscmplex: compares a member (or a bound) with a bound, '-' and '+' being infinities. */
function compareLex(a: string, aKind: number, b: string, bKind: number): number {
  if (aKind !== LEX_VALUE || bKind !== LEX_VALUE) {
    if (aKind === bKind) return 0;
    if (aKind === LEX_MINUS || bKind === LEX_PLUS) return -1;
    return 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lexGteMin(member: string, range: LexRange): boolean {
  const cmp = compareLex(member, LEX_VALUE, range.min, range.minKind);
  return range.minExclusive ? cmp > 0 : cmp >= 0;
}

export function lexLteMax(member: string, range: LexRange): boolean {
  const cmp = compareLex(member, LEX_VALUE, range.max, range.maxKind);
  return range.maxExclusive ? cmp < 0 : cmp <= 0;
}

/** Redis' zslIsInLexRange first test: a range that cannot hold anything. */
export function lexRangeEmpty(range: LexRange): boolean {
  const cmp = compareLex(range.min, range.minKind, range.max, range.maxKind);
  return cmp > 0 || (cmp === 0 && (range.minExclusive || range.maxExclusive));
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

export function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

/** Whether (score, member) sorts before (otherScore, otherMember). */
function before(score: number, member: string, otherScore: number, otherMember: string): boolean {
  return score < otherScore || (score === otherScore && member < otherMember);
}

// Scratch vectors shared by every list: the operations are synchronous, so one set suffices and
// no update/rank arrays are allocated per insert or delete.
const update = new Array<SkipListNode>(MAX_LEVEL);
const rankAt = new Array<number>(MAX_LEVEL).fill(0);

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < LEVEL_PROBABILITY) level++;
  return level;
}

export class SkipList {
  private readonly header = new SkipListNode(0, '', MAX_LEVEL);
  private tail: SkipListNode | null = null;
  private level = 1;
  length = 0;

  /** The lowest node, or null. */
  get first(): SkipListNode | null {
    return this.header.next;
  }

  /** The highest node, or null. */
  get last(): SkipListNode | null {
    return this.tail;
  }

  /** Adds a member that is not in the list (the caller's dict says so). */
  insert(score: number, member: string): SkipListNode {
    return this.link(new SkipListNode(score, member, randomLevel()));
  }

  /** Puts a detached node (new, or unlinked to move it) at its place for its score and member. */
  private link(node: SkipListNode): SkipListNode {
    const score = node.score;
    const member = node.member;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : rankAt[i + 1]!;
      let next = forwardAt(x, i);
      while (next !== null && before(next.score, next.member, score, member)) {
        rankAt[i]! += spanAt(x, i);
        x = next;
        next = forwardAt(x, i);
      }
      update[i] = x;
    }
    const level = node.level;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = this.header;
        setSpan(this.header, i, this.length);
      }
      this.level = level;
    }
    const rank0 = rankAt[0]!;
    for (let i = 0; i < level; i++) {
      const prev = update[i]!;
      setForward(node, i, forwardAt(prev, i));
      setForward(prev, i, node);
      if (i > 0) {
        setSpan(node, i, spanAt(prev, i) - (rank0 - rankAt[i]!));
        setSpan(prev, i, rank0 - rankAt[i]! + 1);
      }
    }
    for (let i = level; i < this.level; i++) setSpan(update[i]!, i, spanAt(update[i]!, i) + 1);
    node.backward = update[0] === this.header ? null : update[0]!;
    const next = node.next;
    if (next !== null) next.backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Fills `update` with the last node before (score, member) on each level; returns the node after. */
  private seek(score: number, member: string): SkipListNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && before(next.score, next.member, score, member)) {
        x = next;
        next = forwardAt(x, i);
      }
      update[i] = x;
    }
    return x.next;
  }

  private unlink(node: SkipListNode): void {
    for (let i = 0; i < this.level; i++) {
      const prev = update[i]!;
      if (forwardAt(prev, i) === node) {
        setSpan(prev, i, spanAt(prev, i) + spanAt(node, i) - 1);
        setForward(prev, i, forwardAt(node, i));
      } else {
        setSpan(prev, i, spanAt(prev, i) - 1);
      }
    }
    const next = node.next;
    if (next !== null) next.backward = node.backward;
    else this.tail = node.backward;
    while (this.level > 1 && forwardAt(this.header, this.level - 1) === null) this.level--;
    this.length--;
  }

  /** Removes and returns the lowest node (ZPOPMIN): every level's predecessor is the header, no search. */
  deleteFirst(): SkipListNode | null {
    const node = this.header.next;
    if (node === null) return null;
    for (let i = 0; i < this.level; i++) update[i] = this.header;
    this.unlink(node);
    return node;
  }

  /** Removes (score, member); false when it is not there. */
  delete(score: number, member: string): boolean {
    const node = this.seek(score, member);
    if (node === null || node.score !== score || node.member !== member) return false;
    this.unlink(node);
    return true;
  }

  /**
   * Redis' zslUpdateScore: gives a node its new score, in place when it keeps its position (the
   * common ZINCRBY case), otherwise by unlinking and re-linking it.
   */
  updateScore(node: SkipListNode, newScore: number): void {
    const prev = node.backward;
    const next = node.next;
    // Staying between its neighbours, the node keeps every link: no search at all (Redis still
    // searches first, but only to find what a move would need).
    if ((prev === null || before(prev.score, prev.member, newScore, node.member)) && (next === null || before(newScore, node.member, next.score, next.member))) {
      node.score = newScore;
      return;
    }
    if (this.seek(node.score, node.member) !== node) throw new Error('skiplist: node not found');
    // Unlike Redis, which frees the node and allocates another, the node moves itself: no
    // garbage in the old generation for each moved member.
    this.unlink(node);
    node.score = newScore;
    this.link(node);
  }

  /** 1-based rank of (score, member), 0 when absent (Redis' zslGetRank). */
  rank(score: number, member: string): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && (next.score < score || (next.score === score && next.member <= member))) {
        rank += spanAt(x, i);
        x = next;
        next = forwardAt(x, i);
      }
      if (x !== this.header && x.member === member) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank, or null (Redis' zslGetElementByRank). */
  byRank(rank: number): SkipListNode | null {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && traversed + spanAt(x, i) <= rank) {
        traversed += spanAt(x, i);
        x = next;
        next = forwardAt(x, i);
      }
      if (traversed === rank) return x === this.header ? null : x;
    }
    return null;
  }

  private scoreRangeReachable(range: ScoreRange): boolean {
    if (scoreRangeEmpty(range)) return false;
    const first = this.header.next;
    return this.tail !== null && scoreGteMin(this.tail.score, range) && first !== null && scoreLteMax(first.score, range);
  }

  /** The lowest node within the score range, or null. */
  firstInScoreRange(range: ScoreRange): SkipListNode | null {
    if (!this.scoreRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && !scoreGteMin(next.score, range)) {
        x = next;
        next = forwardAt(x, i);
      }
    }
    const node = x.next;
    return node !== null && scoreLteMax(node.score, range) ? node : null;
  }

  /** The highest node within the score range, or null. */
  lastInScoreRange(range: ScoreRange): SkipListNode | null {
    if (!this.scoreRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && scoreLteMax(next.score, range)) {
        x = next;
        next = forwardAt(x, i);
      }
    }
    return x !== this.header && scoreGteMin(x.score, range) ? x : null;
  }

  private lexRangeReachable(range: LexRange): boolean {
    if (lexRangeEmpty(range)) return false;
    const first = this.header.next;
    return this.tail !== null && lexGteMin(this.tail.member, range) && first !== null && lexLteMax(first.member, range);
  }

  /** The lowest node within the lex range, or null (meaningful when all scores are equal). */
  firstInLexRange(range: LexRange): SkipListNode | null {
    if (!this.lexRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && !lexGteMin(next.member, range)) {
        x = next;
        next = forwardAt(x, i);
      }
    }
    const node = x.next;
    return node !== null && lexLteMax(node.member, range) ? node : null;
  }

  /** The highest node within the lex range, or null. */
  lastInLexRange(range: LexRange): SkipListNode | null {
    if (!this.lexRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && lexLteMax(next.member, range)) {
        x = next;
        next = forwardAt(x, i);
      }
    }
    return x !== this.header && lexGteMin(x.member, range) ? x : null;
  }

  /**
   * Removes the nodes of 1-based ranks start..end (inclusive) and returns their members, as
   * Redis' zslDeleteRangeByRank.
   */
  deleteRangeByRank(start: number, end: number): string[] {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && traversed + spanAt(x, i) < start) {
        traversed += spanAt(x, i);
        x = next;
        next = forwardAt(x, i);
      }
      update[i] = x;
    }
    const removed: string[] = [];
    let node = x.next;
    for (traversed++; node !== null && traversed <= end; traversed++) {
      const next = node.next;
      this.unlink(node);
      removed.push(node.member);
      node = next;
    }
    return removed;
  }

  /** Removes every node within the score range; returns their members. */
  deleteRangeByScore(range: ScoreRange): string[] {
    const removed: string[] = [];
    if (scoreRangeEmpty(range)) return removed;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && !scoreGteMin(next.score, range)) {
        x = next;
        next = forwardAt(x, i);
      }
      update[i] = x;
    }
    let node = x.next;
    while (node !== null && scoreLteMax(node.score, range)) {
      const next = node.next;
      this.unlink(node);
      removed.push(node.member);
      node = next;
    }
    return removed;
  }

  /** Removes every node within the lex range; returns their members. */
  deleteRangeByLex(range: LexRange): string[] {
    const removed: string[] = [];
    if (lexRangeEmpty(range)) return removed;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = forwardAt(x, i);
      while (next !== null && !lexGteMin(next.member, range)) {
        x = next;
        next = forwardAt(x, i);
      }
      update[i] = x;
    }
    let node = x.next;
    while (node !== null && lexLteMax(node.member, range)) {
      const next = node.next;
      this.unlink(node);
      removed.push(node.member);
      node = next;
    }
    return removed;
  }

  /** Checks every span against a level-0 walk; for tests. Returns a description of the first fault. */
  verify(): string | null {
    const positions = new Map<SkipListNode, number>();
    positions.set(this.header, 0);
    let count = 0;
    let prev: SkipListNode | null = null;
    for (let node = this.header.next; node !== null; node = node.next) {
      count++;
      positions.set(node, count);
      if (node.backward !== prev) return `backward link of ${node.member}`;
      if (prev !== null && !before(prev.score, prev.member, node.score, node.member)) return `order at ${node.member}`;
      prev = node;
    }
    if (count !== this.length) return `length ${this.length} != ${count}`;
    if (this.tail !== prev) return 'tail';
    for (const [node, position] of positions) {
      for (let i = 0; i < (node === this.header ? this.level : node.level); i++) {
        const next = forwardAt(node, i);
        const target = next === null ? this.length + 1 : positions.get(next)!;
        if (next !== null && spanAt(node, i) !== target - position) return `span at ${node.member} level ${i}`;
      }
    }
    return null;
  }
}
