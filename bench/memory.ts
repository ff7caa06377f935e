import { Socket } from 'node:net';
import { info, rssBytes, run, sleep, type BenchServer } from './processes.js';

// Bytes per key: the same deterministic keyset (key:0…key:N-1 holding val:0…) loaded into a
// fresh server, measured before and after. RSS is the like-for-like figure (both processes, the
// same /proc counter); INFO memory's used_memory is shown beside it when the server reports it.
// RSS only settles a while after the load (Redis' allocator returns pages within seconds; V8's
// memory reducer compacts the heap after ~20 s of low allocation), so both servers are read by
// the same rule: every second for 30 s (longer, up to 45 s, while RSS still dropped in the last
// 8 s), each reading after one INFO memory request; the settled figure is the median of the last
// five readings.

const COMMANDS_PER_CHUNK = 10_000;
/** The "just after loading" reading, as the measurement was taken before the settle rule. */
const EARLY_SECONDS = 2;
const SETTLED_READINGS = 5;
/** RSS counts as settled once it has not dropped for this long. */
const STABLE_SECONDS = 8;
/** A reading this far below every earlier one counts as a drop. */
const DROP_BYTES = 1024 * 1024;

export interface MemoryResult {
  label: string;
  keys: number;
  /** RSS growth per key EARLY_SECONDS after the load. */
  rssPerKeyEarly: number;
  /** RSS growth per key once settled: the median of the last readings of the settle window. */
  rssPerKey: number;
  /** RSS growth per key after MEMORY PURGE (both servers implement it) and two seconds more. */
  rssPerKeyPurged: number;
  /** The last second of the window at which RSS dropped (0: never). */
  lastDropSecond: number;
  earlySeconds: number;
  /** How long RSS was read after the load, at least minimumSettleSeconds. */
  settleSeconds: number;
  minimumSettleSeconds: number;
  /** INFO memory used_memory delta per key, when the server reports it. */
  usedMemoryPerKey: number | undefined;
  /** Ours only: the keyspace alone per key, V8 heap plus typed arrays, after a full GC (heap-per-key.ts). */
  heapPerKey: number | undefined;
  loadSeconds: number;
}

function setCommand(index: number): string {
  const key = `key:${index}`;
  const value = `val:${index}`;
  return `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
}

/** Pipelines `count` SETs over one connection and waits for every +OK. */
export function loadKeys(port: number, count: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let replies = 0;
    let next = 0;
    let failed = false;
    const timer = setTimeout(() => finish(new Error(`loading ${count} keys took over ${timeoutMs} ms (${replies} done)`)), timeoutMs);
    const finish = (error?: Error): void => {
      if (failed) return;
      failed = error !== undefined;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const writeMore = (): void => {
      while (next < count) {
        const end = Math.min(count, next + COMMANDS_PER_CHUNK);
        let text = '';
        for (let index = next; index < end; index++) text += setCommand(index);
        next = end;
        if (!socket.write(text, 'latin1')) return;
      }
    };
    socket.on('drain', writeMore);
    socket.on('error', (error) => finish(error));
    socket.on('data', (data: Buffer) => {
      if (replies === 0 && data[0] !== 43) return finish(new Error(`SET failed: ${data.toString('latin1', 0, 200)}`));
      // Every reply is +OK\r\n: one line feed each.
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) replies++;
      if (replies >= count) finish();
    });
    socket.connect(port, '127.0.0.1', writeMore);
  });
}

function numberField(fields: Map<string, string>, name: string): number | undefined {
  const value = fields.get(name);
  return value === undefined ? undefined : Number(value);
}

function perKey(after: number | undefined, before: number | undefined, keys: number): number | undefined {
  return after === undefined || before === undefined ? undefined : (after - before) / keys;
}

export async function measureBytesPerKey(server: BenchServer, keys: number, timeoutMs: number, settleSeconds: number): Promise<MemoryResult> {
  await sleep(500);
  const rssBefore = rssBytes(server.pid);
  const infoBefore = await info(server.port, 'memory');
  const started = performance.now();
  await loadKeys(server.port, keys, timeoutMs);
  const loadSeconds = (performance.now() - started) / 1000;
  const readings: number[] = [];
  let infoAfter = new Map<string, string>();
  let lastDropSecond = 0;
  // At least settleSeconds, and on (up to half as long again) while RSS dropped in the last STABLE_SECONDS.
  for (let second = 1; second <= settleSeconds || (second <= settleSeconds * 1.5 && second - lastDropSecond <= STABLE_SECONDS); second++) {
    await sleep(1000);
    // One light request a second, to both servers alike: an idle Node process that receives
    // nothing never runs V8's memory reducer (measured: RSS flat for 40 s), whereas any client
    // traffic, a monitoring agent's INFO included, lets it compact the heap.
    infoAfter = await info(server.port, 'memory');
    const rss = rssBytes(server.pid);
    if (readings.length > 0 && rss < Math.min(...readings) - DROP_BYTES) lastDropSecond = second;
    readings.push(rss);
  }
  const settled = median(readings.slice(-SETTLED_READINGS));
  // Then ask each allocator to give back what it holds free: jemalloc purges dirty pages, ours
  // runs V8's collector until it shrinks its spaces.
  await run('redis-cli', ['-p', String(server.port), 'memory', 'purge'], 30_000);
  await sleep(2000);
  const purged = rssBytes(server.pid);
  return {
    label: server.label,
    keys,
    rssPerKeyEarly: (readings[EARLY_SECONDS - 1]! - rssBefore) / keys,
    rssPerKey: (settled - rssBefore) / keys,
    rssPerKeyPurged: (purged - rssBefore) / keys,
    lastDropSecond,
    earlySeconds: EARLY_SECONDS,
    settleSeconds: readings.length,
    minimumSettleSeconds: settleSeconds,
    usedMemoryPerKey: perKey(numberField(infoAfter, 'used_memory'), numberField(infoBefore, 'used_memory'), keys),
    heapPerKey: undefined,
    loadSeconds,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
