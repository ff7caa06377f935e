import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { importDist } from '../scripts/project-root.js';

// Calibration of used_memory: for each value type (small collections under many keys, large
// collections under few), loads the data into a fresh keyspace, as the commands would, and
// compares the growth of the keyspace's meter with the growth of V8's heap plus the typed
// arrays' backing stores, each read after full garbage collections. The acceptance band is
// ±25%. Usage: node dist-bench/bench/memory-calibration.js [keys] (default 1,000,000 keys per
// small workload; large ones hold the same number of elements under keys/100,000 keys).
// test/unit/memory-calibration.test.ts runs the same workloads with fewer keys.

/** The data structure classes, from src/ (tests) or the built dist/ (this script). */
export interface CalibrationModules {
  Keyspace: new (clock: { now: number; lruNow: number }, databases: number) => KeyspaceLike;
  HashValue: new () => HashLike;
  ListValue: new () => ListLike;
  SetValue: { empty(): SetLike; forMember(member: string): SetLike };
  SortedSet: new (skiplistEncoded: boolean) => ZsetLike;
}

interface KeyspaceLike {
  meter: { used: number };
  databases: DatabaseLike[];
  flushAll(): number;
}
interface DatabaseLike {
  insert(key: string, value: unknown): number;
  setExpireAt(slot: number, when: number): void;
}
interface HashLike {
  set(field: string, value: string, limits: { maxListpackEntries: number; maxListpackValue: number }): boolean;
}
interface ListLike {
  pushTail(element: string): void;
}
interface SetLike {
  add(member: string, maxIntsetEntries: number): boolean;
}
interface ZsetLike {
  add(score: number, member: string, flags: number, limits: { maxEntries: number; maxValue: number } | null): number;
}

export interface CalibrationResult {
  workload: string;
  keys: number;
  elementsPerKey: number;
  /** Growth of V8's heapUsed plus arrayBuffers, bytes. */
  heapBytes: number;
  /** Growth of the keyspace's meter (used_memory), bytes. */
  meterBytes: number;
  /** meterBytes / heapBytes. */
  ratio: number;
}

const HASH_LIMITS = { maxListpackEntries: 128, maxListpackValue: 64 };
const ZSET_LIMITS = { maxEntries: 128, maxValue: 64 };
const INTSET_LIMIT = 512;

let collect: (() => void) | undefined;

function heapBytes(): number {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Strings made as the request parser makes them (a latin1 slice of a buffer), so V8 lays them out as for real traffic. */
const scratch = Buffer.alloc(256);
function wire(text: string): string {
  const length = scratch.write(text, 0, 'latin1');
  return scratch.toString('latin1', 0, length);
}

interface Workload {
  name: string;
  /** Elements per key; the key count is scaled so that large workloads hold `keys` elements. */
  elements: number;
  large: boolean;
  build(modules: CalibrationModules, db: DatabaseLike, key: number, elements: number): void;
}

const WORKLOADS: Workload[] = [
  { name: 'string (16-byte values)', elements: 1, large: false, build: (_m, db, k) => db.insert(wire(`key:${k}`), wire(`value:${String(k).padStart(10, '0')}`)) },
  { name: 'string (100-byte values)', elements: 1, large: false, build: (_m, db, k) => db.insert(wire(`key:${k}`), wire(`${k}:`.padEnd(100, 'x'))) },
  {
    name: 'string with TTL',
    elements: 1,
    large: false,
    build: (_m, db, k) => db.setExpireAt(db.insert(wire(`key:${k}`), wire(`value:${k}`)), Date.now() + 3_600_000),
  },
  { name: 'hash (listpack, 5 fields)', elements: 5, large: false, build: buildHash },
  { name: 'hash (hashtable, 100,000 fields)', elements: 100_000, large: true, build: buildHash },
  { name: 'list (5 elements)', elements: 5, large: false, build: buildList },
  { name: 'list (100,000 elements)', elements: 100_000, large: true, build: buildList },
  { name: 'set (intset, 5 members)', elements: 5, large: false, build: (m, db, k, n) => buildSet(m, db, k, n, true) },
  { name: 'set (hashtable, 5 members)', elements: 5, large: false, build: (m, db, k, n) => buildSet(m, db, k, n, false) },
  { name: 'set (hashtable, 100,000 members)', elements: 100_000, large: true, build: (m, db, k, n) => buildSet(m, db, k, n, false) },
  { name: 'zset (listpack, 5 members)', elements: 5, large: false, build: buildZset },
  { name: 'zset (skiplist, 100,000 members)', elements: 100_000, large: true, build: buildZset },
];

function buildHash(modules: CalibrationModules, db: DatabaseLike, key: number, elements: number): void {
  const hash = new modules.HashValue();
  for (let i = 0; i < elements; i++) hash.set(wire(`field:${i}`), wire(`value:${key}:${i}`), HASH_LIMITS);
  db.insert(wire(`hash:${key}`), hash);
}

function buildList(modules: CalibrationModules, db: DatabaseLike, key: number, elements: number): void {
  const list = new modules.ListValue();
  for (let i = 0; i < elements; i++) list.pushTail(wire(`element:${key}:${i}`));
  db.insert(wire(`list:${key}`), list);
}

function buildSet(modules: CalibrationModules, db: DatabaseLike, key: number, elements: number, integers: boolean): void {
  const member = (i: number): string => wire(integers ? String(key * 10 + i) : `member:${key}:${i}`);
  const set = modules.SetValue.forMember(member(0));
  for (let i = 0; i < elements; i++) set.add(member(i), INTSET_LIMIT);
  db.insert(wire(`set:${key}`), set);
}

function buildZset(modules: CalibrationModules, db: DatabaseLike, key: number, elements: number): void {
  const zset = new modules.SortedSet(elements > ZSET_LIMITS.maxEntries);
  for (let i = 0; i < elements; i++) zset.add(Math.floor(Math.random() * 1e9), wire(`member:${key}:${i}`), 0, ZSET_LIMITS);
  db.insert(wire(`zset:${key}`), zset);
}

/** Loads each workload (`keys` elements' worth) into a fresh keyspace and compares meter and heap growth. */
export function runCalibration(modules: CalibrationModules, keys: number, only?: (name: string) => boolean): CalibrationResult[] {
  const results: CalibrationResult[] = [];
  for (const workload of WORKLOADS) {
    if (only !== undefined && !only(workload.name)) continue;
    const keyCount = workload.large ? Math.max(1, Math.round(keys / workload.elements)) : keys;
    const keyspace = new modules.Keyspace({ now: Date.now(), lruNow: Math.floor(Date.now() / 1000) }, 16);
    const db = keyspace.databases[0]!;
    const heapBefore = heapBytes();
    const meterBefore = keyspace.meter.used;
    for (let k = 0; k < keyCount; k++) workload.build(modules, db, k, workload.elements);
    const heapGrowth = heapBytes() - heapBefore;
    const meterGrowth = keyspace.meter.used - meterBefore;
    results.push({
      workload: workload.name,
      keys: keyCount,
      elementsPerKey: workload.elements,
      heapBytes: heapGrowth,
      meterBytes: meterGrowth,
      ratio: meterGrowth / heapGrowth,
    });
    keyspace.flushAll();
  }
  return results;
}

async function main(): Promise<void> {
  const keys = Number(process.argv[2] ?? 1_000_000);
  const modules: CalibrationModules = {
    Keyspace: (await importDist<{ Keyspace: CalibrationModules['Keyspace'] }>('datastructures/keyspace.js')).Keyspace,
    HashValue: (await importDist<{ HashValue: CalibrationModules['HashValue'] }>('datastructures/hash.js')).HashValue,
    ListValue: (await importDist<{ ListValue: CalibrationModules['ListValue'] }>('datastructures/list.js')).ListValue,
    SetValue: (await importDist<{ SetValue: CalibrationModules['SetValue'] }>('datastructures/set.js')).SetValue,
    SortedSet: (await importDist<{ SortedSet: CalibrationModules['SortedSet'] }>('datastructures/sorted-set.js')).SortedSet,
  };
  const only = process.argv[3];
  for (const result of runCalibration(modules, keys, only === undefined ? undefined : (name) => name.startsWith(only))) {
    const perKey = (bytes: number): string => (bytes / result.keys).toFixed(1);
    process.stdout.write(
      `${result.workload.padEnd(34)} keys=${String(result.keys).padEnd(8)} heap/key=${perKey(result.heapBytes).padStart(9)} ` +
        `meter/key=${perKey(result.meterBytes).padStart(9)} ratio=${result.ratio.toFixed(3)}\n`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
