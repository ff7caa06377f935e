import { Socket } from 'node:net';
import { info, rssBytes, sleep, type BenchServer } from './processes.js';

// Bytes per key: the same deterministic keyset (key:0…key:N-1 holding val:0…) loaded into a
// fresh server, measured before and after. RSS is the like-for-like figure (both processes, the
// same /proc counter); INFO memory's used_memory is shown beside it when the server reports it.

const COMMANDS_PER_CHUNK = 10_000;

export interface MemoryResult {
  label: string;
  keys: number;
  rssPerKey: number;
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

export async function measureBytesPerKey(server: BenchServer, keys: number, timeoutMs: number): Promise<MemoryResult> {
  await sleep(500);
  const rssBefore = rssBytes(server.pid);
  const infoBefore = await info(server.port, 'memory');
  const started = performance.now();
  await loadKeys(server.port, keys, timeoutMs);
  const loadSeconds = (performance.now() - started) / 1000;
  // Let the process settle (pending GC, allocator trimming) before reading it again.
  await sleep(1500);
  const rssAfter = rssBytes(server.pid);
  const infoAfter = await info(server.port, 'memory');
  return {
    label: server.label,
    keys,
    rssPerKey: (rssAfter - rssBefore) / keys,
    usedMemoryPerKey: perKey(numberField(infoAfter, 'used_memory'), numberField(infoBefore, 'used_memory'), keys),
    heapPerKey: undefined,
    loadSeconds,
  };
}
