import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Keyspace } from '../../src/datastructures/keyspace.js';
import { HashValue } from '../../src/datastructures/hash.js';
import { ListValue } from '../../src/datastructures/list.js';
import { SetValue } from '../../src/datastructures/set.js';
import { SortedSet } from '../../src/datastructures/sorted-set.js';
import { DETACHED_METER } from '../../src/datastructures/memory-meter.js';
import { SLOT_BYTES } from '../../src/datastructures/key-table.js';
import type { StoredValue } from '../../src/datastructures/values.js';
import { runCalibration } from '../../bench/memory-calibration.js';

// The meter is incremental: every structure adds its own changes. Two properties keep it honest:
// after any sequence of operations it equals what the stored keys and values say they cost (no
// drift, nothing lost on delete, move, copy, swap or flush), and its growth stays within 25% of
// V8's heap growth for every value type (the calibration, with fewer keys than the bench's
// million so that it runs in seconds).

const HASH_LIMITS = { maxListpackEntries: 4, maxListpackValue: 16 };
const ZSET_LIMITS = { maxEntries: 4, maxValue: 16 };

function clock(): { now: number; lruNow: number } {
  return { now: 1_700_000_000_000, lruNow: 1_700_000_000 };
}

/** What the keyspace should have charged: each database's overhead plus each key's usage. */
function recount(keyspace: Keyspace, base: number): number {
  let total = base;
  for (const db of keyspace.databases) {
    total += db.overheadMain() + db.overheadExpires();
    const seen: number[] = [];
    db.forEachKey((key) => seen.push(db.peek(key)));
    // Usage counts the slot's cells again; overheadMain already did.
    for (const slot of seen) total += db.usageAt(slot) - SLOT_BYTES;
  }
  return total;
}

type Op =
  | { kind: 'string'; key: number; length: number }
  | { kind: 'hash'; key: number; field: number; length: number }
  | { kind: 'hdel'; key: number; field: number }
  | { kind: 'push'; key: number; length: number }
  | { kind: 'pop'; key: number }
  | { kind: 'sadd'; key: number; member: number; integer: boolean }
  | { kind: 'srem'; key: number; member: number; integer: boolean }
  | { kind: 'zadd'; key: number; member: number }
  | { kind: 'zrem'; key: number; member: number }
  | { kind: 'del'; key: number }
  | { kind: 'expire'; key: number }
  | { kind: 'move'; key: number; to: number }
  | { kind: 'copy'; key: number; to: number }
  | { kind: 'swap' }
  | { kind: 'flush' };

const key = fc.integer({ min: 0, max: 7 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('string' as const), key, length: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ kind: fc.constant('hash' as const), key, field: fc.integer({ min: 0, max: 9 }), length: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('hdel' as const), key, field: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('push' as const), key, length: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('pop' as const), key }),
  fc.record({ kind: fc.constant('sadd' as const), key, member: fc.integer({ min: 0, max: 9 }), integer: fc.boolean() }),
  fc.record({ kind: fc.constant('srem' as const), key, member: fc.integer({ min: 0, max: 9 }), integer: fc.boolean() }),
  fc.record({ kind: fc.constant('zadd' as const), key, member: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('zrem' as const), key, member: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('del' as const), key }),
  fc.record({ kind: fc.constant('expire' as const), key }),
  fc.record({ kind: fc.constant('move' as const), key, to: key }),
  fc.record({ kind: fc.constant('copy' as const), key, to: key }),
  fc.constant({ kind: 'swap' as const }),
  fc.constant({ kind: 'flush' as const }),
);

function collectionAt<T extends StoredValue>(keyspace: Keyspace, name: string, make: () => T, is: (value: StoredValue) => boolean): T | undefined {
  const db = keyspace.databases[0]!;
  const slot = db.find(name);
  if (slot < 0) {
    const value = make();
    db.insert(name, value);
    return value;
  }
  const value = db.valueAt(slot);
  return is(value) ? (value as T) : undefined;
}

/** Deletes a key whose collection was emptied, as the commands do. */
function dropIfEmpty(keyspace: Keyspace, name: string): void {
  const db = keyspace.databases[0]!;
  const slot = db.find(name);
  if (slot >= 0 && typeof db.valueAt(slot) !== 'string' && (db.valueAt(slot) as { size: number }).size === 0) db.deleteAt(slot);
}

function apply(keyspace: Keyspace, step: Op): void {
  const db = keyspace.databases[0]!;
  const other = keyspace.databases[1]!;
  const name = `key:${'key' in step ? step.key : 0}`;
  switch (step.kind) {
    case 'string':
      db.set(name, 'x'.repeat(step.length));
      return;
    case 'hash':
      collectionAt(keyspace, name, () => new HashValue(), (v) => v instanceof HashValue)?.set(`f${step.field}`, 'v'.repeat(step.length), HASH_LIMITS);
      return;
    case 'hdel':
      if (db.get(name) instanceof HashValue) (db.get(name) as HashValue).delete(`f${step.field}`);
      dropIfEmpty(keyspace, name);
      return;
    case 'push':
      collectionAt(keyspace, name, () => new ListValue(), (v) => v instanceof ListValue)?.pushTail('e'.repeat(step.length));
      return;
    case 'pop':
      if (db.get(name) instanceof ListValue) (db.get(name) as ListValue).popHead();
      dropIfEmpty(keyspace, name);
      return;
    case 'sadd': {
      const member = step.integer ? String(step.member) : `m${step.member}`;
      collectionAt(keyspace, name, () => SetValue.forMember(member), (v) => v instanceof SetValue)?.add(member, 4);
      return;
    }
    case 'srem':
      if (db.get(name) instanceof SetValue) (db.get(name) as SetValue).remove(step.integer ? String(step.member) : `m${step.member}`);
      dropIfEmpty(keyspace, name);
      return;
    case 'zadd':
      collectionAt(keyspace, name, () => new SortedSet(false), (v) => v instanceof SortedSet)?.add(step.member, `m${step.member}`.repeat(step.member), 0, ZSET_LIMITS);
      return;
    case 'zrem':
      if (db.get(name) instanceof SortedSet) (db.get(name) as SortedSet).remove(`m${step.member}`.repeat(step.member));
      dropIfEmpty(keyspace, name);
      return;
    case 'del':
      db.delete(name);
      return;
    case 'expire': {
      const slot = db.find(name);
      if (slot >= 0) db.setExpireAt(slot, 1_800_000_000_000);
      return;
    }
    case 'move': {
      const slot = db.find(name);
      if (slot >= 0) db.moveEntryTo(slot, other, `key:${step.to}`);
      return;
    }
    case 'copy': {
      const slot = db.find(name);
      if (slot < 0) return;
      const value = db.valueAt(slot);
      db.copyEntryTo(slot, other, `key:${step.to}`, typeof value === 'string' ? value : value.clone());
      return;
    }
    case 'swap':
      keyspace.swap(0, 1);
      return;
    case 'flush':
      db.clear();
      return;
  }
}

describe('memory meter', () => {
  it('equals what the stored keys and values cost after any operations, and returns to its base when emptied', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const keyspace = new Keyspace(clock(), 4, 1000);
        const empty = keyspace.meter.used;
        for (const step of ops) apply(keyspace, step);
        expect(keyspace.meter.used).toBe(recount(keyspace, 1000));
        keyspace.flushAll();
        expect(keyspace.meter.used).toBe(empty);
      }),
    );
  });

  it('stops charging a collection that left the keyspace', () => {
    const keyspace = new Keyspace(clock(), 1);
    const db = keyspace.databases[0]!;
    const list = new ListValue();
    db.insert('list', list);
    list.pushTail('abc');
    const withList = keyspace.meter.used;
    db.delete('list');
    expect(list.meter).toBe(DETACHED_METER);
    const without = keyspace.meter.used;
    expect(withList - without).toBe(list.bytes + SLOT_BYTES + 24);
    list.pushTail('more');
    expect(keyspace.meter.used).toBe(without);
  });

  it('grows within 25% of V8\'s heap growth for every value type', () => {
    const results = runCalibration({ Keyspace, HashValue, ListValue, SetValue, SortedSet }, 100_000);
    for (const result of results) {
      expect(result.ratio, `${result.workload}: meter ${result.meterBytes}, heap ${result.heapBytes}`).toBeGreaterThan(0.75);
      expect(result.ratio, result.workload).toBeLessThan(1.25);
    }
  });
});
