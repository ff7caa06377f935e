import { lexGteMin, lexLteMax, lexRangeEmpty, scoreGteMin, scoreLteMax, scoreRangeEmpty, type LexRange, type ScoreRange } from './zset-range.js';

// The order index of a skiplist-encoded zset: an order-statistic B+tree (a counted B-tree) over
// (score, member), ordered as Redis' zskiplist is (score, then member bytes: JS string
// comparison is memcmp-then-length for latin1 strings). Redis walks a skiplist, one pointer
// dereference per step and ~log4(n) steps per level; at a million members nearly every step
// misses the CPU caches. Here a search binary-searches a few contiguous Float64Arrays of scores
// (one per level, log32(n) levels) and reads a member string only when scores are equal. Inner
// pages count the members under each child, so a rank and the member at a rank are O(log n)
// too (ZRANK, ZRANGE by index). The members stay doubly linked in order through the node
// objects themselves (next / backward, Redis' level-0 links), so range replies walk nodes
// without touching the tree.

/** Most entries of a page: a leaf's members, an inner page's children (64 measured faster than 32 for ZADD, ZRANK and rank lookups at 100k-1M members). */
const FANOUT = 64;
/** A page holds one entry more than FANOUT between an insert and its split. */
const CAPACITY = FANOUT + 1;
/** A page other than the root below this many entries is joined with a sibling. */
const MIN_FILL = FANOUT >> 2;
const MAX_HEIGHT = 40;

/** A member with its score: what the member→node dict points to and the commands walk. */
export class ZsetNode {
  backward: ZsetNode | null = null;
  next: ZsetNode | null = null;

  constructor(
    public score: number,
    readonly member: string,
  ) {}
}

class Leaf {
  n = 0;
  /** Each node's score, contiguous so that a binary search reads no node object. */
  readonly scores = new Float64Array(CAPACITY);
  readonly nodes = new Array<ZsetNode | null>(CAPACITY).fill(null);
}

class Inner {
  n = 0;
  /**
   * keys[i] (1 <= i < n) is the score of separator i: child i holds the members from
   * (keys[i], members[i]) up to, not including, separator i + 1. keys[CAPACITY + i] counts the
   * members under child i. One typed array, so one backing store to read per page.
   */
  readonly keys = new Float64Array(2 * CAPACITY);
  readonly members = new Array<string>(CAPACITY).fill('');
  readonly children = new Array<Page | null>(CAPACITY).fill(null);
}

type Page = Leaf | Inner;

/** Whether (aScore, aMember) sorts before (bScore, bMember). */
function before(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

function atOrBefore(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember <= bMember);
}

/** The child of `page` whose range holds (score, member): the last separator at or below it. */
function childFor(page: Inner, score: number, member: string): number {
  const keys = page.keys;
  let low = 1;
  let high = page.n;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const s = keys[middle]!;
    if (s < score || (s === score && page.members[middle]! <= member)) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** The first entry of the leaf not before (score, member). */
function lowerBound(leaf: Leaf, score: number, member: string): number {
  const scores = leaf.scores;
  let low = 0;
  let high = leaf.n;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const s = scores[middle]!;
    if (s < score || (s === score && leaf.nodes[middle]!.member < member)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The number of members under an inner page (the sum of its children's counts). */
function innerTotal(page: Inner): number {
  let total = 0;
  for (let i = 0; i < page.n; i++) total += page.keys[CAPACITY + i]!;
  return total;
}

// Scratch shared by every tree (the operations are synchronous): the path of the last descent
// (inner page and child index per level), and room to lay two sibling pages end to end while
// they are joined. No arrays are allocated per operation.
const pathPages = new Array<Inner | null>(MAX_HEIGHT).fill(null);
const pathIndex = new Int32Array(MAX_HEIGHT);
/** The leaf entry the last descent ended at. */
let foundAt = 0;
const joinScores = new Float64Array(2 * CAPACITY);
const joinCounts = new Float64Array(2 * CAPACITY);
const joinMembers = new Array<string>(2 * CAPACITY).fill('');
const joinNodes = new Array<ZsetNode | null>(2 * CAPACITY).fill(null);
const joinPages = new Array<Page | null>(2 * CAPACITY).fill(null);

export class ZsetTree {
  private root: Page = new Leaf();
  /** Levels of inner pages above the leaves. */
  private height = 0;
  private head: ZsetNode | null = null;
  private tail: ZsetNode | null = null;
  length = 0;

  /** The lowest node, or null. */
  get first(): ZsetNode | null {
    return this.head;
  }

  /** The highest node, or null. */
  get last(): ZsetNode | null {
    return this.tail;
  }

  /** Adds a member that is not in the tree (the caller's dict says so). */
  insert(score: number, member: string): ZsetNode {
    const node = new ZsetNode(score, member);
    this.place(node);
    return node;
  }

  /** Puts a detached node (new, or removed to move it) at its place for its score and member. */
  private place(node: ZsetNode): void {
    const score = node.score;
    const member = node.member;
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      const i = childFor(inner, score, member);
      inner.keys[CAPACITY + i] = inner.keys[CAPACITY + i]! + 1;
      pathPages[depth] = inner;
      pathIndex[depth] = i;
      page = inner.children[i]!;
    }
    const leaf = page as Leaf;
    const at = lowerBound(leaf, score, member);
    const n = leaf.n;
    let prev: ZsetNode | null = null;
    let next: ZsetNode | null = null;
    if (at < n) {
      next = leaf.nodes[at]!;
      prev = next.backward;
    } else if (n > 0) {
      prev = leaf.nodes[n - 1]!;
      next = prev.next;
    }
    node.backward = prev;
    node.next = next;
    if (prev === null) this.head = node;
    else prev.next = node;
    if (next === null) this.tail = node;
    else next.backward = node;
    const scores = leaf.scores;
    const nodes = leaf.nodes;
    for (let j = n; j > at; j--) {
      scores[j] = scores[j - 1]!;
      nodes[j] = nodes[j - 1]!;
    }
    scores[at] = score;
    nodes[at] = node;
    leaf.n = n + 1;
    this.length++;
    if (n + 1 > FANOUT) this.split(leaf);
  }

  /** Splits the overfull leaf at the end of the path, and each ancestor that overflows in turn. */
  private split(leaf: Leaf): void {
    let page: Page = leaf;
    for (let depth = this.height; ; depth--) {
      const half = page.n >> 1;
      let right: Page;
      let sepScore: number;
      let sepMember: string;
      let rightCount: number;
      if (depth === this.height) {
        const left = page as Leaf;
        const newLeaf = new Leaf();
        for (let j = half; j < left.n; j++) {
          newLeaf.scores[j - half] = left.scores[j]!;
          newLeaf.nodes[j - half] = left.nodes[j]!;
          left.nodes[j] = null;
        }
        newLeaf.n = left.n - half;
        left.n = half;
        right = newLeaf;
        sepScore = newLeaf.scores[0]!;
        sepMember = newLeaf.nodes[0]!.member;
        rightCount = newLeaf.n;
      } else {
        const left = page as Inner;
        const newInner = new Inner();
        rightCount = 0;
        for (let j = half; j < left.n; j++) {
          newInner.keys[j - half] = left.keys[j]!;
          newInner.keys[CAPACITY + j - half] = left.keys[CAPACITY + j]!;
          rightCount += left.keys[CAPACITY + j]!;
          newInner.members[j - half] = left.members[j]!;
          newInner.children[j - half] = left.children[j]!;
          left.children[j] = null;
        }
        newInner.n = left.n - half;
        left.n = half;
        right = newInner;
        sepScore = newInner.keys[0]!;
        sepMember = newInner.members[0]!;
      }
      if (depth === 0) {
        const root = new Inner();
        root.n = 2;
        root.children[0] = page;
        root.children[1] = right;
        root.keys[1] = sepScore;
        root.members[1] = sepMember;
        root.keys[CAPACITY] = this.length - rightCount;
        root.keys[CAPACITY + 1] = rightCount;
        this.root = root;
        this.height++;
        return;
      }
      const parent = pathPages[depth - 1]!;
      const i = pathIndex[depth - 1]!;
      const keys = parent.keys;
      for (let j = parent.n; j > i + 1; j--) {
        keys[j] = keys[j - 1]!;
        keys[CAPACITY + j] = keys[CAPACITY + j - 1]!;
        parent.members[j] = parent.members[j - 1]!;
        parent.children[j] = parent.children[j - 1]!;
      }
      keys[i + 1] = sepScore;
      parent.members[i + 1] = sepMember;
      parent.children[i + 1] = right;
      keys[CAPACITY + i + 1] = rightCount;
      keys[CAPACITY + i] = keys[CAPACITY + i]! - rightCount;
      parent.n++;
      if (parent.n <= FANOUT) return;
      page = parent;
    }
  }

  /** Descends to (score, member)'s place, recording the path; returns the leaf (entry: foundAt). */
  private descend(score: number, member: string): Leaf {
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      const i = childFor(inner, score, member);
      pathPages[depth] = inner;
      pathIndex[depth] = i;
      page = inner.children[i]!;
    }
    const leaf = page as Leaf;
    foundAt = lowerBound(leaf, score, member);
    return leaf;
  }

  /** Descends to the 1-based rank (1..length), recording the path; returns the leaf (entry: foundAt). */
  private descendToRank(rank: number): Leaf {
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      const keys = inner.keys;
      let i = 0;
      while (rank > keys[CAPACITY + i]!) rank -= keys[CAPACITY + i++]!;
      pathPages[depth] = inner;
      pathIndex[depth] = i;
      page = inner.children[i]!;
    }
    foundAt = rank - 1;
    return page as Leaf;
  }

  /** Removes entry `at` of the leaf the last descent reached; returns its node. */
  private removeAt(leaf: Leaf, at: number): ZsetNode {
    const node = leaf.nodes[at]!;
    const prev = node.backward;
    const next = node.next;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.backward = prev;
    const n = leaf.n - 1;
    const scores = leaf.scores;
    const nodes = leaf.nodes;
    for (let j = at; j < n; j++) {
      scores[j] = scores[j + 1]!;
      nodes[j] = nodes[j + 1]!;
    }
    nodes[n] = null;
    leaf.n = n;
    this.length--;
    for (let depth = 0; depth < this.height; depth++) {
      const keys = pathPages[depth]!.keys;
      const slot = CAPACITY + pathIndex[depth]!;
      keys[slot] = keys[slot]! - 1;
    }
    if (n < MIN_FILL) this.rebalance(leaf);
    return node;
  }

  /** Joins each underfull page on the path with a sibling, bottom-up, then drops a one-child root. */
  private rebalance(leaf: Leaf): void {
    let page: Page = leaf;
    for (let depth = this.height; depth > 0 && page.n < MIN_FILL; depth--) {
      const parent = pathPages[depth - 1]!;
      const i = pathIndex[depth - 1]!;
      joinChildren(parent, i + 1 < parent.n ? i : i - 1, depth === this.height);
      page = parent;
    }
    while (this.height > 0 && this.root.n === 1) {
      this.root = (this.root as Inner).children[0]!;
      this.height--;
    }
  }

  /** Removes and returns the lowest node (ZPOPMIN): the leftmost path, no comparisons. */
  deleteFirst(): ZsetNode | null {
    if (this.length === 0) return null;
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      pathPages[depth] = inner;
      pathIndex[depth] = 0;
      page = inner.children[0]!;
    }
    return this.removeAt(page as Leaf, 0);
  }

  /** Removes (score, member); false when it is not there. */
  delete(score: number, member: string): boolean {
    const leaf = this.descend(score, member);
    const at = foundAt;
    if (at >= leaf.n) return false;
    const node = leaf.nodes[at]!;
    if (node.score !== score || node.member !== member) return false;
    this.removeAt(leaf, at);
    return true;
  }

  /**
   * Redis' zslUpdateScore: gives a node its new score, in place when it keeps its position among
   * its neighbours and within its pages' separators (the common ZINCRBY case), otherwise by
   * removing it and placing it again (the same node object: no garbage per moved member).
   */
  updateScore(node: ZsetNode, newScore: number): void {
    const member = node.member;
    const prev = node.backward;
    const next = node.next;
    let inPlace = (prev === null || before(prev.score, prev.member, newScore, member)) && (next === null || before(newScore, member, next.score, next.member));
    const score = node.score;
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      const i = childFor(inner, score, member);
      if (inPlace && ((i > 0 && !atOrBefore(inner.keys[i]!, inner.members[i]!, newScore, member)) || (i + 1 < inner.n && atOrBefore(inner.keys[i + 1]!, inner.members[i + 1]!, newScore, member)))) {
        inPlace = false;
      }
      pathPages[depth] = inner;
      pathIndex[depth] = i;
      page = inner.children[i]!;
    }
    const leaf = page as Leaf;
    const at = lowerBound(leaf, score, member);
    if (leaf.nodes[at] !== node) throw new Error('zset tree: node not found');
    if (inPlace) {
      leaf.scores[at] = newScore;
      node.score = newScore;
      return;
    }
    this.removeAt(leaf, at);
    node.score = newScore;
    this.place(node);
  }

  /** 1-based rank of (score, member), 0 when absent (Redis' zslGetRank). */
  rank(score: number, member: string): number {
    let rank = 0;
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      const i = childFor(inner, score, member);
      const keys = inner.keys;
      for (let j = 0; j < i; j++) rank += keys[CAPACITY + j]!;
      page = inner.children[i]!;
    }
    const leaf = page as Leaf;
    const at = lowerBound(leaf, score, member);
    if (at < leaf.n) {
      const node = leaf.nodes[at]!;
      if (node.member === member && node.score === score) return rank + at + 1;
    }
    return 0;
  }

  /** The node at a 1-based rank, or null (Redis' zslGetElementByRank). */
  byRank(rank: number): ZsetNode | null {
    if (rank < 1 || rank > this.length) return null;
    const leaf = this.descendToRank(rank);
    return leaf.nodes[foundAt]!;
  }

  /**
   * The first node whose score passes the min (or, aboveMax, fails the max), null past the end.
   * Both tests are monotone in the order, so each page is binary-searched on its scores alone.
   */
  private firstByScore(range: ScoreRange, aboveMax: boolean): ZsetNode | null {
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      const keys = inner.keys;
      let low = 1;
      let high = inner.n;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (aboveMax ? !scoreLteMax(keys[middle]!, range) : scoreGteMin(keys[middle]!, range)) high = middle;
        else low = middle + 1;
      }
      page = inner.children[low - 1]!;
    }
    const leaf = page as Leaf;
    const scores = leaf.scores;
    let low = 0;
    let high = leaf.n;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (aboveMax ? !scoreLteMax(scores[middle]!, range) : scoreGteMin(scores[middle]!, range)) high = middle;
      else low = middle + 1;
    }
    if (low < leaf.n) return leaf.nodes[low]!;
    return leaf.n > 0 ? leaf.nodes[leaf.n - 1]!.next : null;
  }

  /** As firstByScore for a lex range: meaningful when all scores are equal, as in Redis. */
  private firstByLex(range: LexRange, aboveMax: boolean): ZsetNode | null {
    let page = this.root;
    for (let depth = 0; depth < this.height; depth++) {
      const inner = page as Inner;
      let low = 1;
      let high = inner.n;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (aboveMax ? !lexLteMax(inner.members[middle]!, range) : lexGteMin(inner.members[middle]!, range)) high = middle;
        else low = middle + 1;
      }
      page = inner.children[low - 1]!;
    }
    const leaf = page as Leaf;
    let low = 0;
    let high = leaf.n;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const member = leaf.nodes[middle]!.member;
      if (aboveMax ? !lexLteMax(member, range) : lexGteMin(member, range)) high = middle;
      else low = middle + 1;
    }
    if (low < leaf.n) return leaf.nodes[low]!;
    return leaf.n > 0 ? leaf.nodes[leaf.n - 1]!.next : null;
  }

  private scoreRangeReachable(range: ScoreRange): boolean {
    if (scoreRangeEmpty(range)) return false;
    return this.tail !== null && scoreGteMin(this.tail.score, range) && this.head !== null && scoreLteMax(this.head.score, range);
  }

  /** The lowest node within the score range, or null. */
  firstInScoreRange(range: ScoreRange): ZsetNode | null {
    if (!this.scoreRangeReachable(range)) return null;
    const node = this.firstByScore(range, false);
    return node !== null && scoreLteMax(node.score, range) ? node : null;
  }

  /** The highest node within the score range, or null. */
  lastInScoreRange(range: ScoreRange): ZsetNode | null {
    if (!this.scoreRangeReachable(range)) return null;
    const after = this.firstByScore(range, true);
    const node = after === null ? this.tail : after.backward;
    return node !== null && scoreGteMin(node.score, range) ? node : null;
  }

  private lexRangeReachable(range: LexRange): boolean {
    if (lexRangeEmpty(range)) return false;
    return this.tail !== null && lexGteMin(this.tail.member, range) && this.head !== null && lexLteMax(this.head.member, range);
  }

  /** The lowest node within the lex range, or null (meaningful when all scores are equal). */
  firstInLexRange(range: LexRange): ZsetNode | null {
    if (!this.lexRangeReachable(range)) return null;
    const node = this.firstByLex(range, false);
    return node !== null && lexLteMax(node.member, range) ? node : null;
  }

  /** The highest node within the lex range, or null. */
  lastInLexRange(range: LexRange): ZsetNode | null {
    if (!this.lexRangeReachable(range)) return null;
    const after = this.firstByLex(range, true);
    const node = after === null ? this.tail : after.backward;
    return node !== null && lexGteMin(node.member, range) ? node : null;
  }

  /**
   * Removes the nodes of 1-based ranks start..end (inclusive) and returns their members, as
   * Redis' zslDeleteRangeByRank.
   */
  deleteRangeByRank(start: number, end: number): string[] {
    const removed: string[] = [];
    for (let rank = start; rank <= end && start <= this.length; rank++) {
      const leaf = this.descendToRank(start);
      removed.push(this.removeAt(leaf, foundAt).member);
    }
    return removed;
  }

  /** Removes every node within the score range; returns their members. */
  deleteRangeByScore(range: ScoreRange): string[] {
    const removed: string[] = [];
    if (scoreRangeEmpty(range)) return removed;
    let node = this.firstByScore(range, false);
    while (node !== null && scoreLteMax(node.score, range)) {
      const next = node.next;
      this.delete(node.score, node.member);
      removed.push(node.member);
      node = next;
    }
    return removed;
  }

  /** Removes every node within the lex range; returns their members. */
  deleteRangeByLex(range: LexRange): string[] {
    const removed: string[] = [];
    if (lexRangeEmpty(range)) return removed;
    let node = this.firstByLex(range, false);
    while (node !== null && lexLteMax(node.member, range)) {
      const next = node.next;
      this.delete(node.score, node.member);
      removed.push(node.member);
      node = next;
    }
    return removed;
  }

  /**
   * Checks every page (fill, separators, counts, cached scores) and the linked order against the
   * leaves; for tests. Returns a description of the first fault.
   */
  verify(): string | null {
    const leaves: ZsetNode[] = [];
    try {
      const total = this.verifyPage(this.root, 0, null, null, leaves);
      if (total !== this.length) return `length ${this.length} != ${total}`;
    } catch (fault) {
      return (fault as Error).message;
    }
    let prev: ZsetNode | null = null;
    let i = 0;
    for (let node = this.head; node !== null; node = node.next, i++) {
      if (leaves[i] !== node) return `linked order at ${node.member}`;
      if (node.backward !== prev) return `backward link of ${node.member}`;
      if (prev !== null && !before(prev.score, prev.member, node.score, node.member)) return `order at ${node.member}`;
      prev = node;
    }
    if (i !== leaves.length) return `linked length ${i} != ${leaves.length}`;
    if (this.tail !== prev) return 'tail';
    return null;
  }

  /** Checks a page whose members must lie in [low, high); returns how many members it holds. */
  private verifyPage(page: Page, depth: number, low: ZsetNode | null, high: ZsetNode | null, out: ZsetNode[]): number {
    const isRoot = depth === 0;
    if (page.n > FANOUT || (!isRoot && page.n < MIN_FILL)) throw new Error(`fill ${page.n} at depth ${depth}`);
    if (depth === this.height) {
      const leaf = page as Leaf;
      for (let j = 0; j < leaf.n; j++) {
        const node = leaf.nodes[j]!;
        if (leaf.scores[j] !== node.score) throw new Error(`cached score of ${node.member}`);
        if (low !== null && !atOrBefore(low.score, low.member, node.score, node.member)) throw new Error(`${node.member} below its separator`);
        if (high !== null && !before(node.score, node.member, high.score, high.member)) throw new Error(`${node.member} above its separator`);
        out.push(node);
      }
      return leaf.n;
    }
    const inner = page as Inner;
    if (isRoot && inner.n < 2) throw new Error('root with one child');
    let total = 0;
    for (let j = 0; j < inner.n; j++) {
      const childLow = j === 0 ? low : new ZsetNode(inner.keys[j]!, inner.members[j]!);
      const childHigh = j + 1 < inner.n ? new ZsetNode(inner.keys[j + 1]!, inner.members[j + 1]!) : high;
      const count = this.verifyPage(inner.children[j]!, depth + 1, childLow, childHigh, out);
      if (inner.keys[CAPACITY + j] !== count) throw new Error(`count of child ${j} at depth ${depth}`);
      total += count;
    }
    return total;
  }
}

/**
 * Joins the children `left` and `left + 1` of `parent`, one of them underfull: into one page when
 * their entries fit, else shared evenly between the two (a new separator goes up).
 */
function joinChildren(parent: Inner, left: number, leaves: boolean): void {
  const right = left + 1;
  const keys = parent.keys;
  let total = 0;
  if (leaves) {
    const a = parent.children[left] as Leaf;
    const b = parent.children[right] as Leaf;
    for (let j = 0; j < a.n; j++, total++) {
      joinScores[total] = a.scores[j]!;
      joinNodes[total] = a.nodes[j]!;
      a.nodes[j] = null;
    }
    for (let j = 0; j < b.n; j++, total++) {
      joinScores[total] = b.scores[j]!;
      joinNodes[total] = b.nodes[j]!;
      b.nodes[j] = null;
    }
    const leftCount = total <= FANOUT ? total : total >> 1;
    for (let j = 0; j < leftCount; j++) {
      a.scores[j] = joinScores[j]!;
      a.nodes[j] = joinNodes[j]!;
    }
    a.n = leftCount;
    for (let j = leftCount; j < total; j++) {
      b.scores[j - leftCount] = joinScores[j]!;
      b.nodes[j - leftCount] = joinNodes[j]!;
    }
    b.n = total - leftCount;
    joinNodes.fill(null, 0, total);
    if (b.n > 0) {
      keys[right] = b.scores[0]!;
      parent.members[right] = b.nodes[0]!.member;
    }
  } else {
    const a = parent.children[left] as Inner;
    const b = parent.children[right] as Inner;
    for (let j = 0; j < a.n; j++, total++) {
      joinScores[total] = a.keys[j]!;
      joinCounts[total] = a.keys[CAPACITY + j]!;
      joinMembers[total] = a.members[j]!;
      joinPages[total] = a.children[j]!;
      a.children[j] = null;
    }
    for (let j = 0; j < b.n; j++, total++) {
      // b's first child is bounded below by the parent's separator.
      joinScores[total] = j === 0 ? keys[right]! : b.keys[j]!;
      joinMembers[total] = j === 0 ? parent.members[right]! : b.members[j]!;
      joinCounts[total] = b.keys[CAPACITY + j]!;
      joinPages[total] = b.children[j]!;
      b.children[j] = null;
    }
    const leftCount = total <= FANOUT ? total : total >> 1;
    for (let j = 0; j < leftCount; j++) {
      a.keys[j] = joinScores[j]!;
      a.keys[CAPACITY + j] = joinCounts[j]!;
      a.members[j] = joinMembers[j]!;
      a.children[j] = joinPages[j]!;
    }
    a.n = leftCount;
    for (let j = leftCount; j < total; j++) {
      b.keys[j - leftCount] = joinScores[j]!;
      b.keys[CAPACITY + j - leftCount] = joinCounts[j]!;
      b.members[j - leftCount] = joinMembers[j]!;
      b.children[j - leftCount] = joinPages[j]!;
    }
    b.n = total - leftCount;
    joinPages.fill(null, 0, total);
    if (b.n > 0) {
      keys[right] = b.keys[0]!;
      parent.members[right] = b.members[0]!;
    }
  }
  if (total <= FANOUT) {
    keys[CAPACITY + left] = keys[CAPACITY + left]! + keys[CAPACITY + right]!;
    for (let j = right; j < parent.n - 1; j++) {
      keys[j] = keys[j + 1]!;
      keys[CAPACITY + j] = keys[CAPACITY + j + 1]!;
      parent.members[j] = parent.members[j + 1]!;
      parent.children[j] = parent.children[j + 1]!;
    }
    parent.n--;
    parent.children[parent.n] = null;
    return;
  }
  const a = parent.children[left]!;
  const leftMembers = leaves ? a.n : innerTotal(a as Inner);
  const allMembers = keys[CAPACITY + left]! + keys[CAPACITY + right]!;
  keys[CAPACITY + left] = leftMembers;
  keys[CAPACITY + right] = allMembers - leftMembers;
}
