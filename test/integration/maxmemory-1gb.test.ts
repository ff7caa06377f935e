import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/servers.js';

// Issue 4's "done when": with maxmemory 100mb and allkeys-lru, writing 1 GB of 1 KB values keeps
// used_memory at or under 100 MB and the process's RSS under 300 MB, and every write is answered.
// A million SETs of random keys (out of ten million) are pipelined through a raw socket, a window
// of chunks in flight; every reply is counted, INFO memory is sampled from a second connection.

const WRITES = 1_000_000;
const CHUNK = 1000;
const WINDOW = 4;
const MAXMEMORY = 100 * 1024 * 1024;
const RSS_LIMIT = 300 * 1024 * 1024;

let server: RunningServer;
let monitor: Redis;

beforeAll(async () => {
  server = await startServer(['--maxmemory', '100mb', '--maxmemory-policy', 'allkeys-lru']);
  monitor = new Redis({ port: server.port });
});

afterAll(async () => {
  monitor?.disconnect();
  await server?.stop();
});

/** The server process's resident size now and at its peak (/proc VmRSS, VmHWM), bytes. */
function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const read = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { now: read('VmRSS'), peak: read('VmHWM') };
}

/** A chunk of CHUNK pipelined SETs of 1 KB to random keys, as one buffer. */
function chunkOfSets(next: () => number, value: string): Buffer {
  let text = '';
  for (let i = 0; i < CHUNK; i++) {
    const key = `key:${Math.floor(next() * 10_000_000)}`;
    text += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
  }
  return Buffer.from(text, 'latin1');
}

describe('maxmemory 100mb, allkeys-lru, 1 GB written', () => {
  it('keeps used_memory under 100 MB and RSS under 300 MB, answering every write', async () => {
    const pid = server.process.pid!;
    const value = 'x'.repeat(1024);
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const socket: Socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let ok = 0;
    let other = '';
    let pending = '';
    let wake: (() => void) | undefined;
    socket.on('data', (data: Buffer) => {
      const text = pending + data.toString('latin1');
      // Replies are "+OK\r\n"; anything else is kept to fail the test with.
      let at = 0;
      while (text.length - at >= 5) {
        if (text.startsWith('+OK\r\n', at)) {
          ok++;
          at += 5;
        } else {
          const end = text.indexOf('\r\n', at);
          if (end < 0) break;
          other += `${text.slice(at, end)}\n`;
          at = end + 2;
        }
      }
      pending = text.slice(at);
      wake?.();
    });
    const started = Date.now();
    let maxUsed = 0;
    let maxRss = 0;
    for (let sent = 0; sent < WRITES; sent += CHUNK) {
      while (sent - ok > CHUNK * WINDOW && other === '') await new Promise<void>((resolve) => (wake = resolve));
      if (other !== '') break;
      socket.write(chunkOfSets(next, value));
      if (sent % 100_000 === 0) {
        const info = (await monitor.info('memory')) as string;
        maxUsed = Math.max(maxUsed, Number(/^used_memory:(\d+)/m.exec(info)![1]));
        maxRss = Math.max(maxRss, rss(pid).now);
      }
    }
    while (ok < WRITES && other === '') await new Promise<void>((resolve) => (wake = resolve));
    const seconds = (Date.now() - started) / 1000;
    socket.destroy();
    expect(other).toBe('');
    expect(ok).toBe(WRITES);
    const info = (await monitor.info()) as string;
    const used = Number(/^used_memory:(\d+)/m.exec(info)![1]);
    const peakUsed = Number(/^used_memory_peak:(\d+)/m.exec(info)![1]);
    const evicted = Number(/^evicted_keys:(\d+)/m.exec(info)![1]);
    const keys = await monitor.dbsize();
    const { now, peak } = rss(pid);
    maxUsed = Math.max(maxUsed, used);
    process.stdout.write(
      `1 GB under maxmemory 100mb: ${seconds.toFixed(1)} s, used_memory ${used} (max sampled ${maxUsed}, peak ${peakUsed}), ` +
        `RSS ${now} (peak ${peak}), ${keys} keys, ${evicted} evicted\n`,
    );
    expect(maxUsed).toBeLessThanOrEqual(MAXMEMORY);
    // The peak may pass the limit by the one write that precedes each eviction.
    expect(peakUsed).toBeLessThanOrEqual(MAXMEMORY + 2048);
    expect(Math.max(peak, maxRss)).toBeLessThan(RSS_LIMIT);
    expect(evicted).toBeGreaterThan(800_000);
    expect(keys + evicted).toBeGreaterThan(WRITES * 0.99);
  });
});
