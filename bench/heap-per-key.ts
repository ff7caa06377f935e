import { importDist } from '../scripts/project-root.js';

// The keyspace alone, in process: bytes per key for the same keyset run.ts loads, in V8's heap
// and in the typed arrays' backing stores (outside the heap), with a full GC before each reading
// so garbage does not count. Needs `node --expose-gc`; prints one
// JSON line. Usage: node --expose-gc dist-bench/bench/heap-per-key.js <keys>

interface DatabaseLike {
  set(key: string, value: string): number;
  readonly size: number;
}

type KeyspaceClass = new (clock: { now: number; lruNow: number }, databases: number) => { databases: DatabaseLike[] };

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { heap: number; arrayBuffers: number } {
  gc!();
  gc!();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const keys = Number(process.argv[2] ?? 1_000_000);
  const { Keyspace } = await importDist<{ Keyspace: KeyspaceClass }>('datastructures/keyspace.js');
  const keyspace = new Keyspace({ now: Date.now(), lruNow: Math.floor(Date.now() / 1000) }, 16);
  const db = keyspace.databases[0]!;
  const before = memory();
  // Strings made the way the request parser makes them (a latin1 slice of a read buffer), so V8
  // stores them as it would for real traffic.
  const scratch = Buffer.alloc(64);
  for (let i = 0; i < keys; i++) {
    const keyLength = scratch.write(`key:${i}`, 0, 'latin1');
    const key = scratch.toString('latin1', 0, keyLength);
    const valueLength = scratch.write(`val:${i}`, 0, 'latin1');
    db.set(key, scratch.toString('latin1', 0, valueLength));
  }
  const after = memory();
  if (db.size !== keys) throw new Error(`stored ${db.size} of ${keys} keys`);
  process.stdout.write(`${JSON.stringify({ keys, heapBytesPerKey: (after.heap - before.heap) / keys, arrayBufferBytesPerKey: (after.arrayBuffers - before.arrayBuffers) / keys })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
