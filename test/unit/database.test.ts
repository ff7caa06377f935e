import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Database } from '../../src/datastructures/database.js';
import { AccessPolicy, Keyspace, KeyspaceEvents, KeyspaceStats, type KeyspaceClock } from '../../src/datastructures/keyspace.js';

// Database against a plain Map model. The model keeps every entry, expired or not; lazy expiry
// is deterministic (find removes a key whose time has come), while randomKey and the expiry
// cycle may remove any expired key, so after each step the model drops the expired keys the
// database no longer holds — and a live key missing from the database fails the test.

class TestClock implements KeyspaceClock {
  now = 1_700_000_000_000;
  get lruNow(): number {
    return Math.floor(this.now / 1000);
  }
}

interface Entry {
  value: string;
  expireAt: number;
}
type Model = Map<string, Entry>;

function makeDatabases(count: number): { clock: TestClock; stats: KeyspaceStats; access: AccessPolicy; dbs: Database[] } {
  const clock = new TestClock();
  const stats = new KeyspaceStats();
  const access = new AccessPolicy();
  const dbs = Array.from({ length: count }, (_, id) => new Database(id, clock, stats, access, new KeyspaceEvents()));
  return { clock, stats, access, dbs };
}

/** Every key physically in the database: one SCAN step over all slots (it visits expired keys too). */
function physicalKeys(db: Database): Set<string> {
  const keys = new Set<string>();
  const next = db.scan(0, db.size + 1, (key) => keys.add(key));
  expect(next).toBe(0);
  return keys;
}

function isLive(entry: Entry, now: number): boolean {
  return entry.expireAt === 0 || entry.expireAt > now;
}

function checkAgainstModel(db: Database, model: Model, now: number): void {
  const physical = physicalKeys(db);
  expect(physical.size).toBe(db.size);
  for (const key of physical) expect(model.has(key), `unknown key ${key}`).toBe(true);
  for (const [key, entry] of [...model]) {
    if (physical.has(key)) continue;
    expect(isLive(entry, now), `live key ${key} lost`).toBe(false);
    model.delete(key);
  }
  let volatile = 0;
  for (const [key, entry] of model) {
    if (entry.expireAt !== 0) volatile++;
    expect(db.has(key)).toBe(isLive(entry, now));
    if (!isLive(entry, now)) continue;
    const slot = db.findNoTouch(key);
    expect(db.keyAt(slot)).toBe(key);
    expect(db.valueAt(slot)).toBe(entry.value);
    expect(db.expireAtSlot(slot)).toBe(entry.expireAt);
  }
  expect(db.expiresCount).toBe(volatile);
}

/** What find() does to the model: a key whose time has come goes. Returns whether it is live. */
function modelFind(model: Model, key: string, now: number): boolean {
  const entry = model.get(key);
  if (entry === undefined) return false;
  if (isLive(entry, now)) return true;
  model.delete(key);
  return false;
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const value = fc.string({ maxLength: 3 });
const operation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), db: fc.nat(1), key, value, keepTtl: fc.boolean() }),
  fc.record({ op: fc.constant('insert' as const), db: fc.nat(1), key, value }),
  fc.record({ op: fc.constant('delete' as const), db: fc.nat(1), key }),
  fc.record({ op: fc.constant('expire' as const), db: fc.nat(1), key, ttl: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ op: fc.constant('persist' as const), db: fc.nat(1), key }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ op: fc.constant('randomKey' as const), db: fc.nat(1) }),
  fc.record({ op: fc.constant('rename' as const), db: fc.nat(1), key, to: key }),
  fc.record({ op: fc.constant('move' as const), db: fc.nat(1), key }),
  fc.record({ op: fc.constant('copy' as const), db: fc.nat(1), key, to: key, otherDb: fc.boolean() }),
  fc.record({ op: fc.constant('expireCycle' as const), db: fc.nat(1) }),
  fc.record({ op: fc.constant('clear' as const), db: fc.nat(1) }),
  fc.record({ op: fc.constant('swap' as const) }),
);

describe('Database against a Map model', () => {
  it('agrees on random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 10, maxLength: 80, size: 'max' }), (operations) => {
        const { clock, dbs } = makeDatabases(2);
        const models: Model[] = [new Map(), new Map()];
        for (const step of operations) {
          const now = clock.now;
          if (step.op === 'advance') {
            clock.now += step.ms;
          } else if (step.op === 'swap') {
            dbs[0]!.swapContents(dbs[1]!);
            models.reverse();
          } else {
            const db = dbs[step.db]!;
            const model = models[step.db]!;
            const other = dbs[1 - step.db]!;
            const otherModel = models[1 - step.db]!;
            switch (step.op) {
              case 'set': {
                const live = modelFind(model, step.key, now);
                db.set(step.key, step.value, step.keepTtl);
                const expireAt = live && step.keepTtl ? model.get(step.key)!.expireAt : 0;
                model.set(step.key, { value: step.value, expireAt });
                break;
              }
              case 'insert': {
                const found = db.find(step.key);
                expect(found >= 0).toBe(modelFind(model, step.key, now));
                if (found < 0) {
                  db.insert(step.key, step.value);
                  model.set(step.key, { value: step.value, expireAt: 0 });
                }
                break;
              }
              case 'delete':
                expect(db.delete(step.key)).toBe(modelFind(model, step.key, now));
                model.delete(step.key);
                break;
              case 'expire': {
                const slot = db.find(step.key);
                expect(slot >= 0).toBe(modelFind(model, step.key, now));
                if (slot >= 0) {
                  db.setExpireAt(slot, now + step.ttl);
                  model.get(step.key)!.expireAt = now + step.ttl;
                }
                break;
              }
              case 'persist': {
                const slot = db.find(step.key);
                expect(slot >= 0).toBe(modelFind(model, step.key, now));
                if (slot >= 0) {
                  const entry = model.get(step.key)!;
                  expect(db.persistAt(slot)).toBe(entry.expireAt !== 0);
                  entry.expireAt = 0;
                }
                break;
              }
              case 'randomKey': {
                const chosen = db.randomKey();
                const anyLive = [...model.values()].some((entry) => isLive(entry, now));
                expect(chosen !== undefined).toBe(anyLive);
                if (chosen !== undefined) expect(isLive(model.get(chosen)!, now)).toBe(true);
                break;
              }
              case 'rename': {
                // RENAME's sequence of calls: source, destination (may expire it), source again.
                if (db.find(step.key) < 0) {
                  expect(modelFind(model, step.key, now)).toBe(false);
                  break;
                }
                expect(modelFind(model, step.key, now)).toBe(true);
                db.find(step.to);
                modelFind(model, step.to, now);
                db.moveEntryTo(db.findNoTouch(step.key), db, step.to);
                const entry = model.get(step.key)!;
                model.delete(step.key);
                model.set(step.to, entry);
                break;
              }
              case 'move': {
                const slot = db.find(step.key);
                expect(slot >= 0).toBe(modelFind(model, step.key, now));
                const taken = other.find(step.key) >= 0;
                expect(taken).toBe(modelFind(otherModel, step.key, now));
                if (slot >= 0 && !taken) {
                  db.moveEntryTo(slot, other, step.key);
                  otherModel.set(step.key, model.get(step.key)!);
                  model.delete(step.key);
                }
                break;
              }
              case 'copy': {
                const target = step.otherDb ? other : db;
                const targetModel = step.otherDb ? otherModel : model;
                if (!step.otherDb && step.key === step.to) break;
                let slot = db.find(step.key);
                expect(slot >= 0).toBe(modelFind(model, step.key, now));
                if (slot < 0) break;
                target.find(step.to);
                modelFind(targetModel, step.to, now);
                slot = db.findNoTouch(step.key);
                const source = model.get(step.key)!;
                db.copyEntryTo(slot, target, step.to, db.valueAt(slot));
                targetModel.set(step.to, { ...source });
                expect(target.isUnshared(target.findNoTouch(step.to))).toBe(true);
                break;
              }
              case 'expireCycle':
                db.expireSample(20);
                expect(db.lastSampled).toBeLessThanOrEqual(20);
                break;
              case 'clear': {
                const before = db.size;
                expect(db.clear()).toBe(before);
                model.clear();
                break;
              }
            }
          }
          checkAgainstModel(dbs[0]!, models[0]!, clock.now);
          checkAgainstModel(dbs[1]!, models[1]!, clock.now);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the TTL, value and access data when an entry moves, and counts one change', () => {
    const { clock, stats, dbs } = makeDatabases(2);
    const [db0, db1] = dbs as [Database, Database];
    const slot = db0.insert('k', 'v');
    db0.setEncodingRaw(slot);
    db0.setExpireAt(slot, clock.now + 5000);
    clock.now += 3000;
    const dirty = stats.dirty;
    const moved = db0.moveEntryTo(db0.findNoTouch('k'), db1, 'k2');
    expect(stats.dirty).toBe(dirty + 1);
    expect(db0.size).toBe(0);
    expect(db1.valueAt(moved)).toBe('v');
    expect(db1.expireAtSlot(moved)).toBe(clock.now + 2000);
    expect(db1.isEncodingRaw(moved)).toBe(true);
    expect(db1.idleSecondsAt(moved)).toBe(3);
  });

  it('replaces an existing destination when an entry moves onto it, dropping its TTL', () => {
    const { clock, dbs } = makeDatabases(1);
    const db = dbs[0]!;
    db.insert('from', 'new');
    const old = db.insert('to', 'old');
    db.setExpireAt(old, clock.now + 100);
    db.moveEntryTo(db.findNoTouch('from'), db, 'to');
    expect(db.size).toBe(1);
    expect(db.expiresCount).toBe(0);
    const slot = db.findNoTouch('to');
    expect(db.valueAt(slot)).toBe('new');
    expect(db.expireAtSlot(slot)).toBe(0);
  });

  it('keeps expiry times past 2^53 exact through moves, copies, swaps and persist', () => {
    const { dbs } = makeDatabases(2);
    const [db0, db1] = dbs as [Database, Database];
    const huge = 9223372036854775807n;
    db0.setExpireAt(db0.insert('k', 'v'), huge);
    expect(db0.exactExpireAtSlot(db0.findNoTouch('k'))).toBe(huge);
    db0.moveEntryTo(db0.findNoTouch('k'), db0, 'k2');
    db0.copyEntryTo(db0.findNoTouch('k2'), db1, 'k3', 'v');
    expect(db0.exactExpireAtSlot(db0.findNoTouch('k2'))).toBe(huge);
    expect(db1.exactExpireAtSlot(db1.findNoTouch('k3'))).toBe(huge);
    db0.swapContents(db1);
    expect(db0.exactExpireAtSlot(db0.findNoTouch('k3'))).toBe(huge);
    db0.setExpireAt(db0.findNoTouch('k3'), 5_000_000_000_000);
    expect(db0.exactExpireAtSlot(db0.findNoTouch('k3'))).toBe(5_000_000_000_000);
    expect(db1.persistAt(db1.findNoTouch('k2'))).toBe(true);
    db1.setExpireAt(db1.findNoTouch('k2'), 2n ** 60n);
    expect(db1.exactExpireAtSlot(db1.findNoTouch('k2'))).toBe(2n ** 60n);
  });

  it('expires lazily without counting a change, and counts expired_keys', () => {
    const { clock, stats, dbs } = makeDatabases(1);
    const db = dbs[0]!;
    db.setExpireAt(db.insert('k', 'v'), clock.now + 10);
    clock.now += 10;
    const dirty = stats.dirty;
    expect(db.findForRead('k')).toBe(-1);
    expect(stats.dirty).toBe(dirty);
    expect(stats.expiredKeys).toBe(1);
    expect(stats.keyspaceMisses).toBe(1);
    expect(db.size).toBe(0);
  });

  it('touch refreshes the access clock except for the no-touch lookups', () => {
    const { clock, dbs } = makeDatabases(1);
    const db = dbs[0]!;
    db.insert('k', 'v');
    clock.now += 10_000;
    expect(db.idleSecondsAt(db.findForReadNoTouch('k'))).toBe(10);
    expect(db.idleSecondsAt(db.findNoTouch('k'))).toBe(10);
    expect(db.idleSecondsAt(db.find('k'))).toBe(0);
  });

  it('keeps Redis LFU counters under an LFU policy: starts at 5, first access +1, decays per minute', () => {
    const { clock, access, dbs } = makeDatabases(1);
    access.lfu = true;
    const db = dbs[0]!;
    const slot = db.insert('k', 'v');
    expect(db.accessFrequencyAt(slot)).toBe(5);
    db.find('k');
    expect(db.accessFrequencyAt(db.findNoTouch('k'))).toBe(6);
    for (let i = 0; i < 2000; i++) db.find('k');
    const counter = db.accessFrequencyAt(db.findNoTouch('k'));
    // Logarithmic: with lfu-log-factor 10, 2000 hits land well below the 255 ceiling.
    expect(counter).toBeGreaterThan(10);
    expect(counter).toBeLessThan(40);
    clock.now += 3 * 60_000;
    expect(db.accessFrequencyAt(db.findNoTouch('k'))).toBe(counter - 3);
    access.lfuDecayTime = 0;
    expect(db.accessFrequencyAt(db.findNoTouch('k'))).toBe(counter);
  });

  it('randomKey removes expired keys it meets and returns undefined when only those remain', () => {
    const { clock, stats, dbs } = makeDatabases(1);
    const db = dbs[0]!;
    for (const k of ['a', 'b', 'c']) db.setExpireAt(db.insert(k, 'v'), clock.now + 1);
    clock.now += 1;
    expect(db.randomKey()).toBeUndefined();
    expect(db.size).toBe(0);
    expect(stats.expiredKeys).toBe(3);
  });

  it('Keyspace.swap exchanges contents and flushAll reports what it removed', () => {
    const keyspace = new Keyspace(new TestClock(), 3);
    keyspace.databases[0]!.insert('a', '1');
    keyspace.databases[2]!.insert('b', '2');
    keyspace.databases[2]!.insert('c', '3');
    keyspace.swap(0, 2);
    expect(keyspace.databases[0]!.size).toBe(2);
    expect(keyspace.databases[2]!.has('a')).toBe(true);
    expect(keyspace.flushAll()).toBe(3);
    expect(keyspace.keyCount).toBe(0);
  });
});

describe('SCAN guarantee', () => {
  it('returns every key present for the whole iteration despite interleaved inserts and deletes', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('scan' as const), count: fc.integer({ min: 1, max: 7 }) }),
      fc.record({ op: fc.constant('insert' as const), key: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ op: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 40, size: 'max' }),
        fc.array(step, { maxLength: 120, size: 'max' }),
        (initial, steps) => {
          const { dbs } = makeDatabases(1);
          const db = dbs[0]!;
          for (const k of initial) db.insert(`k${k}`, 'v');
          // Keys never deleted in this run and present from the start must all come back.
          const deleted = new Set(steps.filter((s) => s.op === 'delete').map((s) => `k${(s as { key: number }).key}`));
          const protectedKeys = initial.map((k) => `k${k}`).filter((k) => !deleted.has(k));
          const returned = new Set<string>();
          let cursor = 0;
          let started = false;
          const scanStep = (count: number): void => {
            cursor = db.scan(cursor, count, (k) => returned.add(k));
            started = true;
          };
          for (const s of steps) {
            if (started && cursor === 0) break;
            if (s.op === 'scan') scanStep(s.count);
            else if (s.op === 'insert') {
              if (db.find(`k${s.key}`) < 0) db.insert(`k${s.key}`, 'v');
            } else db.delete(`k${s.key}`);
          }
          while (!started || cursor !== 0) scanStep(3);
          for (const k of protectedKeys) expect(returned.has(k), `${k} not returned`).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
