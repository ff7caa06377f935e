import { Socket } from 'node:net';
import { once } from 'node:events';
import { answersVersion, cpuTicks, CLOCK_TICKS_PER_SECOND, freePort, run, sleep, startMemcached, startOurs, type BenchServer } from './processes.js';

// The memcached part of `npm run bench`: our memcached engine against memcached 1.6 (-t 1), both
// pinned to CPU 0, the load on CPU 1. memcaslap (libmemcached's load generator: 90% gets, 10%
// sets, its own key and value mix) over the text and the binary protocol for a fixed time, and
// pipelined text gets from pipelinedGets below. Three rounds, the servers taking turns going
// first, medians reported as ops/s and ours/memcached ratios.

const ROUNDS = 3;
const CONNECTIONS = 50;
const DEPTH = 16;
const KEYS = 10_000;
const VALUE = 'v'.repeat(32);

export interface MemcachedRow {
  label: string;
  target: number;
  ours: number | string;
  memcached: number | string;
  /** Server CPU time (user + system) per operation, median over the rounds. */
  oursCpuMicros: number | undefined;
  memcachedCpuMicros: number | undefined;
}

interface Case {
  label: string;
  target: number;
  measure(port: number, seconds: number): Promise<number | string>;
}

async function memcaslap(port: number, seconds: number, binary: boolean): Promise<number | string> {
  const args = ['-c', '1', 'memcaslap', '-s', `127.0.0.1:${port}`, '-T', '1', '-c', String(CONNECTIONS), '-t', `${seconds}s`];
  if (binary) args.push('-B');
  const result = await run('taskset', args, (seconds + 20) * 1000);
  const match = /Run time: [\d.]+s Ops: \d+ TPS: (\d+)/.exec(result.stdout);
  if (match === null) return result.timedOut ? 'timed out' : (result.stderr.split('\n')[0] ?? 'no result').slice(0, 60);
  return Number(match[1]);
}

const END = 'END\r\n';
const keyName = (index: number): string => `key:${String(index).padStart(5, '0')}`;

/** Stores the keys the gets read (noreply sets, then one get to wait for them). */
async function loadKeys(port: number): Promise<void> {
  const socket = new Socket();
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let payload = '';
  for (let i = 0; i < KEYS; i++) payload += `set ${keyName(i)} 0 0 ${VALUE.length} noreply\r\n${VALUE}\r\n`;
  socket.write(payload + 'version\r\n');
  await once(socket, 'data');
  socket.destroy();
}

/**
 * `connections` connections each keep `depth` single-key text gets in flight: a batch of gets in
 * one write, the next batch once all its replies are in, for `seconds`. Every key exists and has
 * the same length, so replies are counted by bytes. Returns gets per second.
 */
export async function pipelinedGets(port: number, seconds: number, connections = CONNECTIONS, depth = DEPTH): Promise<number> {
  await loadKeys(port);
  const batches: Buffer[] = [];
  for (let b = 0; b < 64; b++) {
    let text = '';
    for (let i = 0; i < depth; i++) text += `get ${keyName((b * 997 + i * 7919) % KEYS)}\r\n`;
    batches.push(Buffer.from(text, 'latin1'));
  }
  let completed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, index) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      socket.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      await new Promise<void>((resolve, reject) => {
        let pending = 0;
        let next = index;
        // Replies are counted by their END lines, not by bytes: memcached may have evicted a key
        // (its slab class for small items can be short of pages after memcaslap's 1 KB values),
        // and a miss is a shorter reply.
        let tail = '';
        const send = (): void => {
          pending = depth;
          socket.write(batches[next++ % batches.length]!);
        };
        socket.on('data', (chunk: Buffer) => {
          const text = tail + chunk.toString('latin1');
          for (let at = text.indexOf(END); at >= 0; at = text.indexOf(END, at + END.length)) pending--;
          tail = text.slice(-(END.length - 1));
          if (pending > 0) return;
          tail = '';
          completed += depth;
          if (performance.now() < deadline) send();
          else {
            socket.destroy();
            resolve();
          }
        });
        socket.on('error', reject);
        send();
      });
    }),
  );
  return completed / ((performance.now() - started) / 1000);
}

const CASES: Case[] = [
  { label: 'memcaslap, text protocol', target: 0.8, measure: (port, seconds) => memcaslap(port, seconds, false) },
  { label: 'memcaslap, binary protocol (-B)', target: 0.8, measure: (port, seconds) => memcaslap(port, seconds, true) },
  { label: `pipelined text gets (${CONNECTIONS} connections × ${DEPTH} in flight)`, target: 1, measure: (port, seconds) => pipelinedGets(port, seconds) },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs every case against both servers; `seconds` per run. */
export async function memcachedBench(seconds: number): Promise<MemcachedRow[]> {
  const memcachedPort = await freePort();
  const oursProcess = await startOurs(memcachedPort);
  const deadline = Date.now() + 15_000;
  while (!(await answersVersion(memcachedPort))) {
    if (Date.now() > deadline) throw new Error('our memcached port did not answer');
    await sleep(100);
  }
  const ours: BenchServer = { label: 'ours', port: memcachedPort, pid: oursProcess.pid, stop: () => oursProcess.stop() };
  const memcached = await startMemcached();
  const samples = CASES.map(() => ({
    ours: [] as number[],
    memcached: [] as number[],
    cpu: { ours: [] as number[], memcached: [] as number[] },
    failure: { ours: '', memcached: '' },
  }));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [ours, memcached] : [memcached, ours];
      for (const [index, entry] of CASES.entries()) {
        for (const server of order) {
          const key = server === ours ? 'ours' : 'memcached';
          if (samples[index]!.failure[key] !== '') continue;
          const before = cpuTicks(server.pid);
          const started = performance.now();
          const result = await entry.measure(server.port, seconds);
          const elapsed = (performance.now() - started) / 1000;
          const cpuSeconds = (cpuTicks(server.pid) - before) / CLOCK_TICKS_PER_SECOND;
          if (typeof result === 'string') samples[index]!.failure[key] = result;
          else {
            samples[index]![key].push(result);
            // The whole measured span, setup included: the pipelined gets' key load is one pipelined write.
            samples[index]!.cpu[key].push((cpuSeconds * 1e6) / (result * elapsed));
          }
          process.stderr.write(`round ${round + 1} ${entry.label} ${key}: ${typeof result === 'string' ? result : `${Math.round(result)} ops/s`}\n`);
        }
      }
    }
  } finally {
    await ours.stop();
    await memcached.stop();
  }
  return CASES.map((entry, index) => {
    const sample = samples[index]!;
    return {
      label: entry.label,
      target: entry.target,
      ours: sample.ours.length > 0 ? median(sample.ours) : sample.failure.ours || 'no result',
      memcached: sample.memcached.length > 0 ? median(sample.memcached) : sample.failure.memcached || 'no result',
      oursCpuMicros: sample.cpu.ours.length > 0 ? median(sample.cpu.ours) : undefined,
      memcachedCpuMicros: sample.cpu.memcached.length > 0 ? median(sample.cpu.memcached) : undefined,
    };
  });
}

export function formatMemcached(date: string, machine: string, seconds: number, rows: MemcachedRow[]): string {
  const ops = (value: number | string): string => (typeof value === 'string' ? `n/a (${value.replace(/\|/g, '/')})` : Math.round(value).toLocaleString('en-US'));
  const lines = [
    `### Memcached ${date}`,
    '',
    `${machine}. Our memcached engine (\`--memcached-port\`) and memcached 1.6 (\`-t 1 -m 64\`), both pinned to CPU 0, the load ` +
      `on CPU 1; ${seconds} s per run, median of ${ROUNDS} rounds with the servers taking turns going first. memcaslap: \`-T 1 -c ${CONNECTIONS}\`, ` +
      `its default workload (90% get, 10% set, 64-byte keys, 1 KB values). Pipelined gets: ${CONNECTIONS} connections each ` +
      `writing ${DEPTH} \`get\`s at a time over ${KEYS.toLocaleString('en-US')} keys of ${VALUE.length}-byte values (bench/memcached.ts). ` +
      'CPU µs/op: the server process\'s user+system time over the run divided by its operations.',
    '',
    '| Test | ours ops/s | memcached ops/s | ours/memcached | target | ours CPU µs/op | memcached CPU µs/op |',
    '|---|---:|---:|---:|---|---:|---:|',
  ];
  const micros = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(2));
  for (const row of rows) {
    const ratio = typeof row.ours === 'number' && typeof row.memcached === 'number' ? row.ours / row.memcached : undefined;
    const target = ratio === undefined ? `≥ ${row.target.toFixed(1)} n/a` : `${row.target === 1 ? '> 1.0' : `≥ ${row.target.toFixed(1)}`} ${ratio >= row.target ? 'met' : '**missed**'}`;
    lines.push(
      `| ${row.label} | ${ops(row.ours)} | ${ops(row.memcached)} | ${ratio === undefined ? '–' : ratio.toFixed(2)} | ${target} | ${micros(row.oursCpuMicros)} | ${micros(row.memcachedCpuMicros)} |`,
    );
  }
  return lines.join('\n');
}
