// Redis' zskiplist: a skiplist ordered by (score, member bytes) whose forward links carry spans
// (how many level-0 nodes each link jumps), so a node's rank and the node at a rank are found in
// O(log n), as ZRANK and ZRANGE need. Members are latin1 strings: JS string comparison is then
// Redis' memcmp-then-length order (sdscmp).

const MAX_LEVEL = 32;
/** Redis' ZSKIPLIST_P: each level holds about a quarter of the one below. */
const LEVEL_PROBABILITY = 0.25;

export class SkipListNode {
  backward: SkipListNode | null = null;
  readonly forward: (SkipListNode | null)[];
  /** span[i]: the number of level-0 steps forward[i] jumps. */
  readonly span: number[];

  constructor(
    public score: number,
    readonly member: string,
    level: number,
  ) {
    this.forward = new Array<SkipListNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
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
    return this.header.forward[0]!;
  }

  /** The highest node, or null. */
  get last(): SkipListNode | null {
    return this.tail;
  }

  /** Adds a member that is not in the list (the caller's dict says so). */
  insert(score: number, member: string): SkipListNode {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : rankAt[i + 1]!;
      let next = x.forward[i]!;
      while (next !== null && before(next.score, next.member, score, member)) {
        rankAt[i]! += x.span[i]!;
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = this.header;
        this.header.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new SkipListNode(score, member, level);
    const rank0 = rankAt[0]!;
    for (let i = 0; i < level; i++) {
      const prev = update[i]!;
      node.forward[i] = prev.forward[i]!;
      prev.forward[i] = node;
      node.span[i] = prev.span[i]! - (rank0 - rankAt[i]!);
      prev.span[i] = rank0 - rankAt[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === this.header ? null : update[0]!;
    const next = node.forward[0]!;
    if (next !== null) next.backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Fills `update` with the last node before (score, member) on each level; returns the node after. */
  private seek(score: number, member: string): SkipListNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && before(next.score, next.member, score, member)) {
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    return x.forward[0]!;
  }

  private unlink(node: SkipListNode): void {
    for (let i = 0; i < this.level; i++) {
      const prev = update[i]!;
      if (prev.forward[i] === node) {
        prev.span[i]! += node.span[i]! - 1;
        prev.forward[i] = node.forward[i]!;
      } else {
        prev.span[i]!--;
      }
    }
    const next = node.forward[0]!;
    if (next !== null) next.backward = node.backward;
    else this.tail = node.backward;
    while (this.level > 1 && this.header.forward[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** Removes (score, member); false when it is not there. */
  delete(score: number, member: string): boolean {
    const node = this.seek(score, member);
    if (node === null || node.score !== score || node.member !== member) return false;
    this.unlink(node);
    return true;
  }

  /**
   * Redis' zslUpdateScore: moves a node to its new score, in place when it keeps its position
   * (the common ZINCRBY case), otherwise by removing and re-inserting it. Returns the node now
   * holding the member.
   */
  updateScore(node: SkipListNode, newScore: number): SkipListNode {
    const found = this.seek(node.score, node.member);
    if (found !== node) throw new Error('skiplist: node not found');
    const prev = node.backward;
    const next = node.forward[0]!;
    if ((prev === null || before(prev.score, prev.member, newScore, node.member)) && (next === null || before(newScore, node.member, next.score, next.member))) {
      node.score = newScore;
      return node;
    }
    this.unlink(node);
    return this.insert(newScore, node.member);
  }

  /** 1-based rank of (score, member), 0 when absent (Redis' zslGetRank). */
  rank(score: number, member: string): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && (next.score < score || (next.score === score && next.member <= member))) {
        rank += x.span[i]!;
        x = next;
        next = x.forward[i]!;
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
      let next = x.forward[i]!;
      while (next !== null && traversed + x.span[i]! <= rank) {
        traversed += x.span[i]!;
        x = next;
        next = x.forward[i]!;
      }
      if (traversed === rank) return x === this.header ? null : x;
    }
    return null;
  }

  private scoreRangeReachable(range: ScoreRange): boolean {
    if (scoreRangeEmpty(range)) return false;
    const first = this.header.forward[0]!;
    return this.tail !== null && scoreGteMin(this.tail.score, range) && first !== null && scoreLteMax(first.score, range);
  }

  /** The lowest node within the score range, or null. */
  firstInScoreRange(range: ScoreRange): SkipListNode | null {
    if (!this.scoreRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && !scoreGteMin(next.score, range)) {
        x = next;
        next = x.forward[i]!;
      }
    }
    const node = x.forward[0]!;
    return node !== null && scoreLteMax(node.score, range) ? node : null;
  }

  /** The highest node within the score range, or null. */
  lastInScoreRange(range: ScoreRange): SkipListNode | null {
    if (!this.scoreRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && scoreLteMax(next.score, range)) {
        x = next;
        next = x.forward[i]!;
      }
    }
    return x !== this.header && scoreGteMin(x.score, range) ? x : null;
  }

  private lexRangeReachable(range: LexRange): boolean {
    if (lexRangeEmpty(range)) return false;
    const first = this.header.forward[0]!;
    return this.tail !== null && lexGteMin(this.tail.member, range) && first !== null && lexLteMax(first.member, range);
  }

  /** The lowest node within the lex range, or null (meaningful when all scores are equal). */
  firstInLexRange(range: LexRange): SkipListNode | null {
    if (!this.lexRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && !lexGteMin(next.member, range)) {
        x = next;
        next = x.forward[i]!;
      }
    }
    const node = x.forward[0]!;
    return node !== null && lexLteMax(node.member, range) ? node : null;
  }

  /** The highest node within the lex range, or null. */
  lastInLexRange(range: LexRange): SkipListNode | null {
    if (!this.lexRangeReachable(range)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && lexLteMax(next.member, range)) {
        x = next;
        next = x.forward[i]!;
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
      let next = x.forward[i]!;
      while (next !== null && traversed + x.span[i]! < start) {
        traversed += x.span[i]!;
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    const removed: string[] = [];
    let node = x.forward[0]!;
    for (traversed++; node !== null && traversed <= end; traversed++) {
      const next = node.forward[0]!;
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
      let next = x.forward[i]!;
      while (next !== null && !scoreGteMin(next.score, range)) {
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    let node = x.forward[0]!;
    while (node !== null && scoreLteMax(node.score, range)) {
      const next = node.forward[0]!;
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
      let next = x.forward[i]!;
      while (next !== null && !lexGteMin(next.member, range)) {
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    let node = x.forward[0]!;
    while (node !== null && lexLteMax(node.member, range)) {
      const next = node.forward[0]!;
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
    for (let node = this.header.forward[0]!; node !== null; node = node.forward[0]!) {
      count++;
      positions.set(node, count);
      if (node.backward !== prev) return `backward link of ${node.member}`;
      if (prev !== null && !before(prev.score, prev.member, node.score, node.member)) return `order at ${node.member}`;
      prev = node;
    }
    if (count !== this.length) return `length ${this.length} != ${count}`;
    if (this.tail !== prev) return 'tail';
    for (const [node, position] of positions) {
      for (let i = 0; i < (node === this.header ? this.level : node.forward.length); i++) {
        const next = node.forward[i]!;
        const target = next === null ? this.length + 1 : positions.get(next)!;
        if (next !== null && node.span[i] !== target - position) return `span at ${node.member} level ${i}`;
      }
    }
    return null;
  }
}
