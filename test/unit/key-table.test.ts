import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyTable } from '../../src/datastructures/key-table.js';

// The table against a Map model: every key maps to a slot holding it, slots stay dense, and
// growing, shrinking and the backward-shift deletion never lose or duplicate a key.

type Step = { op: 'add' | 'remove'; key: string };

function checkAgainst(table: KeyTable, model: Map<string, string>): void {
  expect(table.size).toBe(model.size);
  for (const [key, value] of model) {
    const slot = table.find(key);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(table.keyAt(slot)).toBe(key);
    expect(table.valueAt(slot)).toBe(value);
  }
  for (let slot = 0; slot < table.size; slot++) expect(table.find(table.keyAt(slot))).toBe(slot);
}

function apply(table: KeyTable, model: Map<string, string>, step: Step, serial: number): void {
  const slot = table.find(step.key);
  expect(slot >= 0).toBe(model.has(step.key));
  if (step.op === 'add') {
    const value = `v${serial}`;
    if (slot >= 0) table.setValueAt(slot, value);
    else table.add(step.key, value, serial & 0xffffff);
    model.set(step.key, value);
  } else if (slot >= 0) {
    table.remove(slot);
    model.delete(step.key);
  }
}

describe('KeyTable', () => {
  it('matches a Map model under random adds and removes', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.string({ maxLength: 6 }), fc.integer({ min: 0, max: 3000 }).map((n) => `key:${n}`));
    const step = fc.record({ op: fc.constantFrom<Step['op']>('add', 'add', 'remove'), key });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const table = new KeyTable();
        const model = new Map<string, string>();
        steps.forEach((s, serial) => apply(table, model, s, serial));
        checkAgainst(table, model);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every key through growth to 100,000 keys and shrinking back to empty', () => {
    const table = new KeyTable();
    const model = new Map<string, string>();
    for (let i = 0; i < 100_000; i++) apply(table, model, { op: 'add', key: `key:${i}` }, i);
    checkAgainst(table, model);
    for (let i = 0; i < 100_000; i += 2) apply(table, model, { op: 'remove', key: `key:${i}` }, i);
    checkAgainst(table, model);
    for (let i = 1; i < 100_000; i += 2) apply(table, model, { op: 'remove', key: `key:${i}` }, i);
    expect(table.size).toBe(0);
    expect(table.find('key:1')).toBe(-1);
  });

  it('keeps the access field beside each key when slots move', () => {
    const table = new KeyTable();
    for (let i = 0; i < 50; i++) table.add(`k${i}`, `v${i}`, i);
    table.remove(table.find('k3'));
    const moved = table.find('k49');
    expect(moved).toBe(3);
    expect(table.accessAt(moved)).toBe(49);
    expect(table.valueAt(moved)).toBe('v49');
  });
});
