import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareCanonicalInts, isCanonicalInt64, SetValue } from '../../src/datastructures/set.js';

// The set value against a JS Set, over thousands of random operation sequences, with the encoding
// Redis 7.0 would report checked after every step: intset while every member is a canonical int64
// and there are at most `max` of them, hashtable from the first step that breaks that, forever.

const member = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -30, max: 30 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('a', 'b', '', '01', '-0', '+1', ' 1', '9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x\0\xff') },
);

type Op =
  | { op: 'add' | 'remove' | 'has'; member: string }
  | { op: 'pop' | 'random' | 'clone' }
  | { op: 'popMany' | 'randomDistinct'; fraction: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('add' as const), member }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), member }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('has' as const), member }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('pop' as const, 'random' as const, 'clone' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('popMany' as const, 'randomDistinct' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
) as fc.Arbitrary<Op>;

function numericOrder(members: string[]): string[] {
  return members.slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

function isRedisInt(text: string): boolean {
  if (!/^-?(0|[1-9][0-9]*)$/.test(text) || text === '-0') return false;
  const value = BigInt(text);
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}

describe('SetValue against a JS Set', () => {
  it('agrees on membership, size, encoding and order over random sequences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(opArbitrary, { maxLength: 80 }), (max, ops) => {
        let set: SetValue | undefined;
        const model = new Set<string>();
        let converted = false;
        for (const op of ops) {
          if (set === undefined) {
            if (op.op !== 'add') continue;
            set = SetValue.forMember(op.member);
          }
          switch (op.op) {
            case 'add':
              expect(set.add(op.member, max)).toBe(!model.has(op.member));
              model.add(op.member);
              break;
            case 'remove':
              expect(set.remove(op.member)).toBe(model.delete(op.member));
              break;
            case 'has':
              expect(set.has(op.member)).toBe(model.has(op.member));
              break;
            case 'pop':
              if (model.size === 0) break;
              expect(model.delete(set.popRandom())).toBe(true);
              break;
            case 'random':
              if (model.size === 0) break;
              expect(model.has(set.randomMember())).toBe(true);
              break;
            case 'clone': {
              const copy = set.clone();
              expect(copy.encoding).toBe(set.encoding);
              expect(copy.toArray()).toEqual(set.toArray());
              set = copy;
              break;
            }
            case 'randomDistinct': {
              const count = Math.floor(op.fraction * model.size);
              if (count === 0 || count >= model.size) break;
              const picked = set.randomDistinct(count);
              expect(picked.length).toBe(count);
              expect(new Set(picked).size).toBe(count);
              for (const item of picked) expect(model.has(item)).toBe(true);
              break;
            }
            case 'popMany': {
              const count = Math.floor(op.fraction * model.size);
              if (count === 0 || count >= model.size) break;
              const wasIntset = set.isIntset;
              // Redis rebuilds the set from what is left when most of it is popped ("case 3"), and
              // only then replies an intset's members in ascending order; fewer are random pops.
              const rebuilds = (model.size - count) * 5 <= count;
              const popped = set.popRandomMany(count, max);
              expect(new Set(popped).size).toBe(count);
              for (const item of popped) expect(model.delete(item)).toBe(true);
              if (wasIntset && rebuilds) expect(popped).toEqual(numericOrder(popped));
              const remaining = model.size;
              if (rebuilds) converted = ![...model].every(isRedisInt) || remaining > max;
              break;
            }
          }
          if (!converted && (![...model].every(isRedisInt) || model.size > max)) converted = true;
          expect(set.size).toBe(model.size);
          expect(set.encoding).toBe(converted ? 'hashtable' : 'intset');
          const members = set.toArray();
          expect(new Set(members)).toEqual(model);
          if (set.isIntset) expect(members).toEqual(numericOrder(members));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a set created for a non-integer first member is a hashtable from the start', () => {
    const set = SetValue.forMember('a');
    expect(set.encoding).toBe('hashtable');
    set.add('a', 512);
    set.remove('a');
    set.add('1', 512);
    expect(set.encoding).toBe('hashtable');
  });

  it('converts to hashtable when the intset passes set-max-intset-entries, never back', () => {
    const set = SetValue.forMember('1');
    for (let i = 1; i <= 4; i++) set.add(String(i), 4);
    expect(set.encoding).toBe('intset');
    set.add('5', 4);
    expect(set.encoding).toBe('hashtable');
    for (let i = 2; i <= 5; i++) set.remove(String(i));
    expect(set.encoding).toBe('hashtable');
    expect(set.toArray()).toEqual(['1']);
  });

  it('SPOP case 3 rebuilds a hashtable of integers as an intset', () => {
    const set = SetValue.forMember('a');
    set.add('a', 512);
    for (let i = 0; i < 20; i++) set.add(String(i), 512);
    // Keep 1 of 21: if the kept member is an integer the rebuilt set is an intset.
    const popped = set.popRandomMany(20, 512);
    expect(popped.length).toBe(20);
    expect(set.size).toBe(1);
    expect(set.encoding).toBe(set.memberAt(0) === 'a' ? 'hashtable' : 'intset');
  });

  it('SSCAN over a hashtable returns every member present for the whole scan despite removals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 7 }), fc.array(fc.nat(80), { maxLength: 30 }), (size, count, removals) => {
        const set = SetValue.forMember('m0');
        for (let i = 0; i < size; i++) set.add(`m${i}`, 0);
        const removed = new Set<string>();
        const seen = new Set<string>();
        let cursor = 0;
        let step = 0;
        do {
          const found: string[] = [];
          cursor = set.scan(cursor, count, found);
          for (const item of found) seen.add(item);
          const victim = `m${removals[step++ % Math.max(1, removals.length)] ?? 0}`;
          if (removals.length > 0 && set.remove(victim)) removed.add(victim);
        } while (cursor !== 0);
        for (let i = 0; i < size; i++) if (!removed.has(`m${i}`)) expect(seen.has(`m${i}`)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('canonical int64 text is exactly what Redis string2ll accepts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String), fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '+', ' ', 'a'), maxLength: 21 })), (text) => {
        expect(isCanonicalInt64(text)).toBe(isRedisInt(text));
      }),
      { numRuns: 5000 },
    );
    expect(isCanonicalInt64('9223372036854775807')).toBe(true);
    expect(isCanonicalInt64('9223372036854775808')).toBe(false);
    expect(isCanonicalInt64('-9223372036854775808')).toBe(true);
    expect(isCanonicalInt64('-9223372036854775809')).toBe(false);
  });

  it('orders canonical ints numerically', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (a, b) => {
        expect(Math.sign(compareCanonicalInts(String(a), String(b)))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});
