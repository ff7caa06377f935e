import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LEX_MINUS, LEX_PLUS, LEX_VALUE, type LexRange, type ScoreRange } from '../../src/datastructures/zset-range.js';
import { ZsetTree, type ZsetNode } from '../../src/datastructures/zset-tree.js';
import { SortedSet, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NX, ZADD_XX } from '../../src/datastructures/sorted-set.js';
import { seededRandom } from '../helpers/seeded-random.js';

// The zset index (an order-statistic B+tree) against a plain model: an array of [score, member]
// kept sorted by score, then member bytes. Thousands of random operation sequences; after each
// one every rank, range answer, page count and separator must agree with the model.

type Entry = [number, string];

const compare = (a: Entry, b: Entry): number => (a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

const member = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\0', '\xff'), maxLength: 3 });
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-Infinity, Infinity, 0.5, -0.5));
const bound = fc.tuple(score, fc.boolean());
const lexBound = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(member, fc.boolean()).map(([value, exclusive]) => ({ value, kind: LEX_VALUE, exclusive })) },
  { weight: 1, arbitrary: fc.constantFrom({ value: '', kind: LEX_MINUS, exclusive: true }, { value: '', kind: LEX_PLUS, exclusive: true }) },
);

type Op =
  | { op: 'insert'; score: number; member: string }
  | { op: 'delete'; member: string }
  | { op: 'update'; member: string; score: number }
  | { op: 'deleteRank'; start: number; end: number }
  | { op: 'deleteScore'; min: [number, boolean]; max: [number, boolean] }
  | { op: 'deleteLex'; min: { value: string; kind: number; exclusive: boolean }; max: { value: string; kind: number; exclusive: boolean } };

const operation: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('insert' as const), score, member }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), member }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('update' as const), member, score }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteRank' as const), start: fc.integer({ min: 1, max: 30 }), end: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteScore' as const), min: bound, max: bound }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteLex' as const), min: lexBound, max: lexBound }) },
);

function scoreRange(min: [number, boolean], max: [number, boolean]): ScoreRange {
  return { min: min[0], minExclusive: min[1], max: max[0], maxExclusive: max[1] };
}

function lexRange(min: { value: string; kind: number; exclusive: boolean }, max: { value: string; kind: number; exclusive: boolean }): LexRange {
  return { min: min.value, minKind: min.kind, minExclusive: min.exclusive, max: max.value, maxKind: max.kind, maxExclusive: max.exclusive };
}

function inScore(entry: Entry, range: ScoreRange): boolean {
  const [s] = entry;
  return (range.minExclusive ? s > range.min : s >= range.min) && (range.maxExclusive ? s < range.max : s <= range.max);
}

function lexCmp(value: string, bound: string, kind: number): number {
  if (kind === LEX_MINUS) return 1;
  if (kind === LEX_PLUS) return -1;
  return value < bound ? -1 : value > bound ? 1 : 0;
}

function inLex(entry: Entry, range: LexRange): boolean {
  const low = lexCmp(entry[1], range.min, range.minKind);
  const high = lexCmp(entry[1], range.max, range.maxKind);
  return (range.minExclusive ? low > 0 : low >= 0) && (range.maxExclusive ? high < 0 : high <= 0);
}

function apply(list: ZsetTree, model: Entry[], op: Op): void {
  const index = (m: string): number => model.findIndex((entry) => entry[1] === m);
  switch (op.op) {
    case 'insert':
      if (index(op.member) >= 0) return;
      list.insert(op.score, op.member);
      model.push([op.score, op.member]);
      break;
    case 'delete': {
      const i = index(op.member);
      const wasThere = i >= 0;
      expect(list.delete(wasThere ? model[i]![0] : 0, op.member)).toBe(wasThere && true);
      if (wasThere) model.splice(i, 1);
      break;
    }
    case 'update': {
      const i = index(op.member);
      if (i < 0) return;
      const node = findNode(list, op.member)!;
      list.updateScore(node, op.score);
      expect(node.score).toBe(op.score);
      model[i] = [op.score, op.member];
      break;
    }
    case 'deleteRank': {
      model.sort(compare);
      const removed = list.deleteRangeByRank(op.start, op.end);
      const expected = model.slice(op.start - 1, op.end).map((entry) => entry[1]);
      expect(removed).toEqual(op.start <= op.end ? expected : []);
      if (op.start <= op.end) model.splice(op.start - 1, op.end - op.start + 1);
      break;
    }
    case 'deleteScore': {
      const range = scoreRange(op.min, op.max);
      model.sort(compare);
      const removed = list.deleteRangeByScore(range);
      expect(removed).toEqual(model.filter((entry) => inScore(entry, range)).map((entry) => entry[1]));
      for (const m of removed) model.splice(index(m), 1);
      break;
    }
    case 'deleteLex': {
      const range = lexRange(op.min, op.max);
      model.sort(compare);
      const removed = list.deleteRangeByLex(range);
      // With mixed scores the lex walk is only defined for equal scores (as in Redis); what it
      // removes must still lie below the max (Redis' walk checks only that) and leave the list consistent.
      for (const m of removed) expect(inLex([0, m], { ...range, min: '', minKind: LEX_MINUS })).toBe(true);
      for (const m of removed) model.splice(index(m), 1);
      break;
    }
  }
}

function findNode(list: ZsetTree, m: string): ZsetNode | null {
  for (let node = list.first; node !== null; node = node.next) if (node.member === m) return node;
  return null;
}

function checkAgainstModel(list: ZsetTree, model: Entry[]): void {
  model.sort(compare);
  expect(list.verify()).toBeNull();
  expect(list.length).toBe(model.length);
  const walked: Entry[] = [];
  for (let node = list.first; node !== null; node = node.next) walked.push([node.score, node.member]);
  expect(walked).toEqual(model);
  const backwards: Entry[] = [];
  for (let node = list.last; node !== null; node = node.backward) backwards.unshift([node.score, node.member]);
  expect(backwards).toEqual(model);
  model.forEach(([s, m], i) => {
    expect(list.rank(s, m)).toBe(i + 1);
    const node = list.byRank(i + 1)!;
    expect([node.score, node.member]).toEqual([s, m]);
  });
  expect(list.byRank(model.length + 1)).toBeNull();
  expect(list.byRank(0)).toBeNull();
  expect(list.rank(99, 'nope')).toBe(0);
}

describe('ZsetTree against a sorted-array model', () => {
  it('keeps order, ranks and counts through thousands of random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (ops) => {
        const list = new ZsetTree();
        const model: Entry[] = [];
        for (const op of ops) apply(list, model, op);
        checkAgainstModel(list, model);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers first/last in score and lex ranges like a scan of the model', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(score, member), { selector: (entry) => entry[1], maxLength: 40 }),
        bound, bound, lexBound, lexBound, fc.boolean(),
        (entries, min, max, lexMin, lexMax, sameScore) => {
          const list = new ZsetTree();
          const model: Entry[] = entries.map(([s, m]) => [sameScore ? 0 : s, m]);
          for (const [s, m] of model) list.insert(s, m);
          model.sort(compare);
          const range = scoreRange(min, max);
          const inside = model.filter((entry) => inScore(entry, range));
          const first = list.firstInScoreRange(range);
          const last = list.lastInScoreRange(range);
          expect(first === null ? null : [first.score, first.member]).toEqual(inside[0] ?? null);
          expect(last === null ? null : [last.score, last.member]).toEqual(inside[inside.length - 1] ?? null);
          if (sameScore) {
            const lex = lexRange(lexMin, lexMax);
            const lexInside = model.filter((entry) => inLex(entry, lex));
            const lexFirst = list.firstInLexRange(lex);
            const lexLast = list.lastInLexRange(lex);
            expect(lexFirst?.member ?? null).toBe(lexInside[0]?.[1] ?? null);
            expect(lexLast?.member ?? null).toBe(lexInside[lexInside.length - 1]?.[1] ?? null);
            expect(list.deleteRangeByLex(lex)).toEqual(lexInside.map((entry) => entry[1]));
            expect(list.verify()).toBeNull();
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('stays consistent at a size where it has two levels', () => {
    const list = new ZsetTree();
    const model: Entry[] = [];
    for (let i = 0; i < 5000; i++) {
      const entry: Entry = [Math.floor(Math.random() * 1000), `m${i}`];
      list.insert(entry[0], entry[1]);
      model.push(entry);
    }
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(Math.random() * model.length);
      const [s, m] = model[at]!;
      if (i % 2 === 0) {
        expect(list.delete(s, m)).toBe(true);
        model.splice(at, 1);
      } else {
        const node = findNode(list, m)!;
        const next = Math.floor(Math.random() * 1000);
        list.updateScore(node, next);
        model[at] = [next, m];
      }
    }
    checkAgainstModel(list, model);
  });
});

/** Where an entry belongs in the sorted model (binary search). */
function modelIndex(model: Entry[], entry: Entry): number {
  let low = 0;
  let high = model.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(model[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

describe('ZsetTree at sizes with several levels (splits, joins, shrinking to empty)', () => {
  const wideMember = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '\0', '\xff'), maxLength: 4 });
  const wideOperation: fc.Arbitrary<Op> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ op: fc.constant('insert' as const), score, member: wideMember }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), member: wideMember }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('update' as const), member: wideMember, score }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteRank' as const), start: fc.integer({ min: 1, max: 400 }), end: fc.integer({ min: 1, max: 400 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteScore' as const), min: bound, max: bound }) },
  );

  it('matches the model through random sequences long enough to split and join pages', () => {
    fc.assert(
      fc.property(fc.array(wideOperation, { minLength: 200, maxLength: 1500 }), (ops) => {
        const list = new ZsetTree();
        const model: Entry[] = [];
        for (const op of ops) apply(list, model, op);
        checkAgainstModel(list, model);
      }),
      { numRuns: 60 },
    );
  });

  it('grows to three levels of pages, takes thousands of mixed operations, then empties', () => {
    const random = seededRandom(20261123);
    const list = new ZsetTree();
    const model: Entry[] = [];
    const nodes = new Map<string, ZsetNode>();
    const add = (entry: Entry): void => {
      nodes.set(entry[1], list.insert(entry[0], entry[1]));
      model.splice(modelIndex(model, entry), 0, entry);
    };
    const drop = (entry: Entry): void => {
      model.splice(modelIndex(model, entry), 1);
      nodes.delete(entry[1]);
    };
    let next = 0;
    // Few distinct scores: long runs of equal scores ordered by member, separators included.
    const randomScore = (): number => (random() < 0.05 ? (random() < 0.5 ? -Infinity : Infinity) : Math.floor(random() * 200) - 100);
    for (let i = 0; i < 30000; i++) add([randomScore(), `m${next++}`]);
    expect(list.verify()).toBeNull();
    // Wide rank ranges empty whole inner pages: they join with full siblings (shared, not merged).
    for (let i = 0; i < 12; i++) {
      const start = 1 + Math.floor(random() * (model.length - 2000));
      expect(list.deleteRangeByRank(start, start + 1499)).toEqual(model.slice(start - 1, start + 1499).map((entry) => entry[1]));
      for (const entry of model.splice(start - 1, 1500)) nodes.delete(entry[1]);
      expect(list.verify()).toBeNull();
      for (let j = 0; j < 1500; j++) add([randomScore(), `m${next++}`]);
    }
    for (let i = 0; i < 6000; i++) {
      const choice = random();
      if (choice < 0.3) {
        add([randomScore(), `m${next++}`]);
      } else if (choice < 0.55) {
        const entry = model[Math.floor(random() * model.length)]!;
        expect(list.delete(entry[0], entry[1])).toBe(true);
        drop(entry);
      } else if (choice < 0.75) {
        const at = Math.floor(random() * model.length);
        const entry = model[at]!;
        const node = nodes.get(entry[1])!;
        // Half the updates nudge the score by a hair, so they mostly stay in place.
        const moved = random() < 0.5 ? randomScore() : entry[0] + 1e-9;
        list.updateScore(node, moved);
        model.splice(at, 1);
        model.splice(modelIndex(model, [moved, entry[1]]), 0, [moved, entry[1]]);
      } else if (choice < 0.8) {
        const node = list.deleteFirst()!;
        expect([node.score, node.member]).toEqual(model[0]);
        drop(model[0]!);
      } else if (choice < 0.83) {
        const start = 1 + Math.floor(random() * model.length);
        const end = start + Math.floor(random() * 200);
        const expected = model.slice(start - 1, end).map((entry) => entry[1]);
        expect(list.deleteRangeByRank(start, end)).toEqual(expected);
        for (const entry of model.slice(start - 1, end)) nodes.delete(entry[1]);
        model.splice(start - 1, end - start + 1);
      } else {
        const at = Math.floor(random() * model.length);
        const entry = model[at]!;
        expect(list.rank(entry[0], entry[1])).toBe(at + 1);
        expect(list.byRank(at + 1)!.member).toBe(entry[1]);
        const range: ScoreRange = { min: entry[0], max: entry[0] + 3, minExclusive: random() < 0.5, maxExclusive: random() < 0.5 };
        const inside = model.filter((candidate) => inScore(candidate, range));
        expect(list.firstInScoreRange(range)?.member ?? null).toBe(inside[0]?.[1] ?? null);
        expect(list.lastInScoreRange(range)?.member ?? null).toBe(inside[inside.length - 1]?.[1] ?? null);
      }
      if (i % 1000 === 0) expect(list.verify()).toBeNull();
    }
    checkAgainstModel(list, model);
    const range: ScoreRange = { min: -10, max: 10, minExclusive: false, maxExclusive: true };
    expect(list.deleteRangeByScore(range)).toEqual(model.filter((entry) => inScore(entry, range)).map((entry) => entry[1]));
    for (const entry of model.filter((candidate) => inScore(candidate, range))) drop(entry);
    expect(list.verify()).toBeNull();
    // Down to empty in random order: every join and the root's collapse on the way.
    let removals = 0;
    while (model.length > 0) {
      const entry = model[Math.floor(random() * model.length)]!;
      expect(list.delete(entry[0], entry[1])).toBe(true);
      drop(entry);
      if (++removals % 2000 === 0) expect(list.verify()).toBeNull();
    }
    expect(list.verify()).toBeNull();
    expect(list.length).toBe(0);
    expect(list.first).toBeNull();
    expect(list.last).toBeNull();
    expect(list.deleteFirst()).toBeNull();
    list.insert(1, 'again');
    checkAgainstModel(list, [[1, 'again']]);
  });
});

describe('SortedSet (ZADD semantics and encodings)', () => {
  it('follows zsetAdd flags and converts to skiplist one way', () => {
    const limits = { maxEntries: 3, maxValue: 4 };
    const zset = SortedSet.create(1, limits);
    expect(zset.encoding).toBe('listpack');
    zset.add(1, 'a', 0, limits);
    zset.add(2, 'b', ZADD_NX, limits);
    zset.add(5, 'b', ZADD_NX, limits);
    expect(zset.score('b')).toBe(2);
    zset.add(5, 'c', ZADD_XX, limits);
    expect(zset.score('c')).toBeUndefined();
    zset.add(0, 'b', ZADD_GT, limits);
    expect(zset.score('b')).toBe(2);
    zset.add(0, 'b', ZADD_LT, limits);
    expect(zset.score('b')).toBe(0);
    zset.add(2.5, 'a', ZADD_INCR, limits);
    expect(zset.lastScore).toBe(3.5);
    expect(zset.rank('a', false)).toBe(1);
    expect(zset.rank('a', true)).toBe(0);
    zset.add(1, 'long!', 0, limits);
    expect(zset.encoding).toBe('skiplist');
    zset.remove('long!');
    expect(zset.encoding).toBe('skiplist');
    const copy = zset.clone();
    zset.remove('a');
    expect(copy.size).toBe(2);
    expect(copy.encoding).toBe('skiplist');
  });
});
