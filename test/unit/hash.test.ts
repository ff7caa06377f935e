import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HashValue, type HashLimits } from '../../src/datastructures/hash.js';

// The hash value against a JS Map (which keeps insertion order, as a listpack does), over
// thousands of random operation sequences, with the encoding Redis 7.0 would report checked after
// every step: listpack while no field or value written was longer than maxListpackValue and the
// entries never exceeded maxListpackEntries, hashtable from the first step that broke that, forever.

const field = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', '', '1', 'x\0\xff') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const value = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('', '1', 'v', 'value') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });

type Op =
  | { op: 'set'; field: string; value: string }
  | { op: 'delete' | 'get'; field: string }
  | { op: 'random' | 'clone' | 'scan' }
  | { op: 'distinct'; fraction: number };

const opArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('set' as const), field, value }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), field }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), field }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('random' as const, 'clone' as const, 'scan' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('distinct' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
) as fc.Arbitrary<Op>;

const limitsArbitrary = fc.record({ maxListpackEntries: fc.integer({ min: 0, max: 8 }), maxListpackValue: fc.integer({ min: 0, max: 10 }) });

/** Every field, value pair by full HSCAN-style iteration of a hashtable (or the listpack whole). */
function scanAll(hash: HashValue, count: number): string[] {
  if (hash.encoding === 'listpack') return hash.toFlatArray();
  const found: string[] = [];
  let cursor = 0;
  do cursor = hash.scan(cursor, count, found);
  while (cursor !== 0);
  return found;
}

function pairsOf(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe('HashValue against a Map', () => {
  it('agrees on contents, size, order (listpack) and encoding over random operation sequences', () => {
    fc.assert(
      fc.property(limitsArbitrary, fc.array(opArbitrary, { maxLength: 60 }), (limits: HashLimits, ops: Op[]) => {
        let hash = new HashValue();
        const model = new Map<string, string>();
        let converted = false;
        for (const op of ops) {
          switch (op.op) {
            case 'set': {
              const isNew = !model.has(op.field);
              if (op.field.length > limits.maxListpackValue || op.value.length > limits.maxListpackValue) converted = true;
              model.set(op.field, op.value);
              if (model.size > limits.maxListpackEntries) converted = true;
              expect(hash.set(op.field, op.value, limits)).toBe(isNew);
              break;
            }
            case 'delete':
              expect(hash.delete(op.field)).toBe(model.delete(op.field));
              if (model.size === 0) {
                // An emptied hash's key is deleted; the next write creates a new listpack.
                hash = new HashValue();
                converted = false;
              }
              break;
            case 'get':
              expect(hash.get(op.field)).toBe(model.get(op.field));
              expect(hash.has(op.field)).toBe(model.has(op.field));
              break;
            case 'random':
              if (model.size > 0) {
                const [f, v] = hash.randomEntry();
                expect(model.get(f)).toBe(v);
              }
              break;
            case 'clone': {
              const copy = hash.clone();
              expect(copy.encoding).toBe(hash.encoding);
              expect(copy.toFlatArray()).toEqual(hash.toFlatArray());
              hash = copy;
              break;
            }
            case 'scan':
              expect(new Map(pairsOf(scanAll(hash, 1 + (ops.length % 4))))).toEqual(model);
              break;
            case 'distinct': {
              if (model.size < 2) break;
              const count = 1 + Math.floor(op.fraction * (model.size - 1));
              const picked = pairsOf(hash.randomDistinct(count));
              expect(picked.length).toBe(count);
              expect(new Set(picked.map(([f]) => f)).size).toBe(count);
              for (const [f, v] of picked) expect(model.get(f)).toBe(v);
              break;
            }
          }
          expect(hash.size).toBe(model.size);
          expect(hash.encoding).toBe(converted ? 'hashtable' : 'listpack');
        }
        const entries = [...model.entries()];
        if (hash.encoding === 'listpack') {
          expect(pairsOf(hash.toFlatArray())).toEqual(entries);
          expect(hash.fieldList()).toEqual([...model.keys()]);
          expect(hash.valueList()).toEqual([...model.values()]);
        } else {
          expect(new Map(pairsOf(hash.toFlatArray()))).toEqual(model);
          expect(hash.fieldList().sort()).toEqual([...model.keys()].sort());
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('converts at hash-max-listpack-entries + 1 and on a long field or value, never back', () => {
    const limits: HashLimits = { maxListpackEntries: 3, maxListpackValue: 5 };
    const hash = new HashValue();
    for (const f of ['a', 'b', 'c']) hash.set(f, '1', limits);
    expect(hash.encoding).toBe('listpack');
    hash.set('d', '1', limits);
    expect(hash.encoding).toBe('hashtable');
    for (const f of ['a', 'b', 'c']) hash.delete(f);
    expect(hash.encoding).toBe('hashtable');
    const long = new HashValue();
    long.set('a', '12345', limits);
    expect(long.encoding).toBe('listpack');
    long.set('a', '123456', limits);
    expect(long.encoding).toBe('hashtable');
    const longField = new HashValue();
    longField.set('abcdef', '', limits);
    expect(longField.encoding).toBe('hashtable');
  });

  it('a scan returns every field present from start to end despite deletes and inserts between steps', () => {
    const limits: HashLimits = { maxListpackEntries: 0, maxListpackValue: 0 };
    const hash = new HashValue();
    for (let i = 0; i < 200; i++) hash.set(`f${i}`, String(i), limits);
    const found = new Set<string>();
    let cursor = 0;
    let step = 0;
    do {
      const batch: string[] = [];
      cursor = hash.scan(cursor, 7, batch);
      for (let i = 0; i < batch.length; i += 2) found.add(batch[i]!);
      // Churn: delete a field from the odd ones, add new ones that may reuse the freed slots.
      hash.delete(`f${2 * step + 1}`);
      hash.set(`new${step}`, 'x', limits);
      step++;
    } while (cursor !== 0);
    for (let i = 0; i < 200; i += 2) expect(found.has(`f${i}`)).toBe(true);
  });

  it('random picks of a sparse hashtable still cover every field', () => {
    const limits: HashLimits = { maxListpackEntries: 0, maxListpackValue: 0 };
    const hash = new HashValue();
    for (let i = 0; i < 1000; i++) hash.set(`f${i}`, String(i), limits);
    for (let i = 3; i < 1000; i++) hash.delete(`f${i}`);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(hash.randomEntry()[0]);
    expect([...seen].sort()).toEqual(['f0', 'f1', 'f2']);
  });
});
