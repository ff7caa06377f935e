import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LIST_HEAD, LIST_TAIL, ListValue } from '../../src/datastructures/list.js';

// The ring-buffer list against a plain array, over thousands of random operation sequences that
// wrap the ring around, grow it and shrink it.

type Op =
  | { op: 'pushHead' | 'pushTail'; value: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'set'; index: number; value: string }
  | { op: 'insertAt'; index: number; value: string }
  | { op: 'removeRange'; start: number; count: number }
  | { op: 'removeMatching'; value: string; limit: number; fromTail: boolean }
  | { op: 'pushMany'; values: string[]; head: boolean };

const element = fc.constantFrom('a', 'b', 'c', '', 'x\0\xff');
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), value: element }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), index: fraction, value: element }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insertAt' as const), index: fraction, value: element }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeRange' as const), start: fraction, count: fraction }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeMatching' as const), value: element, limit: fc.nat(3), fromTail: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pushMany' as const), values: fc.array(element, { maxLength: 40 }), head: fc.boolean() }) },
) as fc.Arbitrary<Op>;

/** Applies one operation to both; returns what each answered, for comparison. */
function apply(list: ListValue, model: string[], op: Op): [unknown, unknown] {
  const at = (f: number, length: number): number => Math.min(length, Math.floor(f * (length + 1)));
  switch (op.op) {
    case 'pushHead':
      list.pushHead(op.value);
      model.unshift(op.value);
      return [list.size, model.length];
    case 'pushTail':
      list.push(op.value, LIST_TAIL);
      model.push(op.value);
      return [list.size, model.length];
    case 'popHead':
      return [list.pop(LIST_HEAD), model.shift()];
    case 'popTail':
      return [list.popTail(), model.pop()];
    case 'set': {
      if (model.length === 0) return [0, 0];
      const index = Math.min(model.length - 1, at(op.index, model.length));
      list.set(index, op.value);
      model[index] = op.value;
      return [list.at(index), model[index]];
    }
    case 'insertAt': {
      const index = at(op.index, model.length);
      list.insertAt(index, op.value);
      model.splice(index, 0, op.value);
      return [list.size, model.length];
    }
    case 'removeRange': {
      const start = at(op.start, model.length);
      const count = at(op.count, model.length - start);
      list.removeRange(start, count);
      model.splice(start, count);
      return [list.size, model.length];
    }
    case 'removeMatching': {
      let removed = 0;
      const order = model.map((_, i) => i);
      if (op.fromTail) order.reverse();
      const drop = new Set<number>();
      for (const i of order) {
        if (model[i] === op.value && (op.limit === 0 || removed < op.limit)) {
          drop.add(i);
          removed++;
        }
      }
      const kept = model.filter((_, i) => !drop.has(i));
      model.length = 0;
      model.push(...kept);
      return [list.removeMatching(op.value, op.limit, op.fromTail), removed];
    }
    case 'pushMany':
      for (const value of op.values) {
        if (op.head) {
          list.pushHead(value);
          model.unshift(value);
        } else {
          list.pushTail(value);
          model.push(value);
        }
      }
      return [list.size, model.length];
  }
}

describe('ListValue against an array model', () => {
  it('agrees on every operation of thousands of random sequences', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 120 }), (ops) => {
        const list = new ListValue();
        const model: string[] = [];
        for (const op of ops) {
          const [ours, expected] = apply(list, model, op);
          expect(ours).toEqual(expected);
          expect(list.size).toBe(model.length);
        }
        expect(list.toArray()).toEqual(model);
        // Ranges from every start, both directions, and index reads.
        for (let start = 0; start < model.length; start += 3) {
          const count = model.length - start;
          expect(list.range(start, count)).toEqual(model.slice(start));
          expect(list.rangeReversed(start, start + 1)).toEqual(model.slice(0, start + 1).reverse());
          expect(list.at(start)).toBe(model[start]);
        }
        expect(list.indexOf('b')).toBe(model.indexOf('b'));
        expect(list.clone().toArray()).toEqual(model);
        // The ring keeps at least a quarter of its slots in use once it has grown.
        expect(list.capacity <= 8 || list.size >= list.capacity / 4).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('wraps around the ring: alternate pushes at one end and pops at the other keep the order', () => {
    const list = new ListValue();
    const model: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      list.pushTail(String(i));
      model.push(String(i));
      if (i % 3 !== 0) expect(list.popHead()).toBe(model.shift());
    }
    expect(list.toArray()).toEqual(model);
    expect(list.capacity).toBeGreaterThanOrEqual(list.size);
  });

  it('grows by doubling and shrinks when a quarter full, releasing popped strings', () => {
    const list = new ListValue();
    for (let i = 0; i < 1000; i++) list.pushHead(`v${i}`);
    expect(list.capacity).toBe(1024);
    for (let i = 0; i < 990; i++) list.popTail();
    expect(list.size).toBe(10);
    expect(list.capacity).toBeLessThanOrEqual(64);
    expect(list.toArray()).toEqual(Array.from({ length: 10 }, (_, i) => `v${999 - i}`));
  });

  it('builds from an array and reports Redis 7.0 encoding', () => {
    const list = ListValue.from(['a', 'b', 'c']);
    expect(list.kind).toBe('list');
    expect(list.encoding).toBe('quicklist');
    expect(list.toArray()).toEqual(['a', 'b', 'c']);
    list.pushHead('z');
    expect(list.toArray()).toEqual(['z', 'a', 'b', 'c']);
  });
});
