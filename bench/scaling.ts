import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { cpuNanos, describeMachine, killAll, startOurs, startRedis, type BenchServer } from './processes.js';
import { formatScaling, writeReadme } from './report.js';
import { PipelineClient, encodeCommand } from './resp-client.js';

// Does a sorted set scale as Redis' skiplist does? One sorted set is grown to 10k, 100k and 1M
// members with random scores; at each size ZRANK, ZRANGE by rank and ZRANGEBYSCORE … LIMIT 0 10
// are timed over many pipelined calls at random positions. Each is O(log n) in Redis (plus the
// ten elements returned), so the time per call at 1M should stay within a small factor of 10k.
// Usage: node dist-bench/bench/scaling.js [--quick] [--write]; also `run.js --only=scaling`.

const KEY = 'scaling:zset';
const SIZES = [10_000, 100_000, 1_000_000] as const;
const MEMBERS_PER_ZADD = 100;
const ZADDS_PER_PIPELINE = 1000;
const PASSES = 3;

export interface ScalingResult {
  label: string;
  /** Why this server could not be measured at all (e.g. ZADD unknown). */
  failure: string | undefined;
  sizes: number[];
  loadSeconds: number;
  /** Per operation and size, microseconds per call: the server's CPU time and the wall time (undefined: the command failed). */
  ops: { label: string; cpuMicros: (number | undefined)[]; wallMicros: (number | undefined)[] }[];
}

interface ScalingOp {
  label: string;
  /** One call at a random position in a set of `size` members. */
  command(random: () => number, size: number): string[];
}

const member = (index: number): string => `member:${index}`;

const OPS: readonly ScalingOp[] = [
  { label: 'ZRANK key member', command: (random, size) => ['ZRANK', KEY, member(Math.floor(random() * size))] },
  {
    label: 'ZRANGE key r r+9',
    command: (random, size) => {
      const rank = Math.floor(random() * (size - 10));
      return ['ZRANGE', KEY, String(rank), String(rank + 9)];
    },
  },
  { label: 'ZRANGEBYSCORE key min +inf LIMIT 0 10', command: (random) => ['ZRANGEBYSCORE', KEY, String(random()), '+inf', 'LIMIT', '0', '10'] },
];

/** mulberry32: the same pseudo-random sequence for both servers. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adds members [from, to) with random scores in [0, 1), pipelined variadic ZADDs. */
async function grow(client: PipelineClient, random: () => number, from: number, to: number): Promise<string | undefined> {
  for (let start = from; start < to; start += MEMBERS_PER_ZADD * ZADDS_PER_PIPELINE) {
    const end = Math.min(to, start + MEMBERS_PER_ZADD * ZADDS_PER_PIPELINE);
    let text = '';
    let commands = 0;
    for (let first = start; first < end; first += MEMBERS_PER_ZADD) {
      const args = ['ZADD', KEY];
      for (let index = first; index < Math.min(end, first + MEMBERS_PER_ZADD); index++) args.push(String(random()), member(index));
      text += encodeCommand(args);
      commands++;
    }
    const result = await client.pipeline(text, commands);
    if (result.firstError !== undefined) return result.firstError;
  }
  return undefined;
}

interface Timing {
  cpuMicros: number;
  wallMicros: number;
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;

/**
 * Microseconds per call over PASSES pipelined passes of `calls` random calls (after a warm-up),
 * medians: the server's CPU time (all its threads, from /proc, so other load on the machine and
 * the client's own parsing do not count) and the wall time from the first write to the last reply.
 */
async function time(client: PipelineClient, pid: number, op: ScalingOp, size: number, calls: number, seed: number): Promise<Timing | undefined> {
  const random = seeded(seed);
  const batch = (count: number): string => {
    let text = '';
    for (let i = 0; i < count; i++) text += encodeCommand(op.command(random, size));
    return text;
  };
  const warmUp = await client.pipeline(batch(calls / 5), calls / 5);
  if (warmUp.firstError !== undefined) return undefined;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    const text = batch(calls);
    const before = cpuNanos(pid);
    const result = await client.pipeline(text, calls);
    const nanos = cpuNanos(pid) - before;
    if (result.firstError !== undefined) return undefined;
    cpu.push(nanos / 1000 / calls);
    wall.push((result.seconds * 1e6) / calls);
  }
  return { cpuMicros: median(cpu), wallMicros: median(wall) };
}

async function measureServer(server: BenchServer, calls: number): Promise<ScalingResult> {
  const client = await PipelineClient.connect(server.port);
  const random = seeded(1);
  const result: ScalingResult = { label: server.label, failure: undefined, sizes: [...SIZES], loadSeconds: 0, ops: OPS.map((op) => ({ label: op.label, cpuMicros: [], wallMicros: [] })) };
  try {
    let members = 0;
    for (const size of SIZES) {
      process.stderr.write(`scaling: ${server.label} growing to ${size} members\n`);
      const started = performance.now();
      const failure = await grow(client, random, members, size);
      result.loadSeconds += (performance.now() - started) / 1000;
      if (failure !== undefined) {
        result.failure = /unknown command/.test(failure) ? 'unknown command' : failure;
        return result;
      }
      members = size;
      for (const [index, op] of OPS.entries()) {
        const timing = await time(client, server.pid, op, size, calls, size + index);
        result.ops[index]!.cpuMicros.push(timing?.cpuMicros);
        result.ops[index]!.wallMicros.push(timing?.wallMicros);
        const shown = timing === undefined ? 'failed' : `${timing.cpuMicros.toFixed(2)} µs CPU, ${timing.wallMicros.toFixed(2)} µs wall per call`;
        process.stderr.write(`scaling: ${server.label} ${op.label} at ${size}: ${shown}\n`);
      }
    }
    return result;
  } finally {
    client.close();
  }
}

/** Pins this process (the client) to CPU 1; the servers run pinned to CPU 0. */
function pinClient(): void {
  try {
    execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    process.stderr.write('scaling: could not pin the client to CPU 1\n');
  }
}

export async function scaling(quick: boolean): Promise<ScalingResult[]> {
  pinClient();
  const calls = quick ? 10_000 : 50_000;
  const results: ScalingResult[] = [];
  for (const [label, start] of [['ours', startOurs], ['redis', startRedis]] as const) {
    let server: BenchServer | undefined;
    try {
      server = await start();
      results.push(await measureServer(server, calls));
    } catch (error) {
      results.push({ label, failure: error instanceof Error ? error.message.split('\n')[0]! : String(error), sizes: [...SIZES], loadSeconds: 0, ops: [] });
    } finally {
      await server?.stop();
    }
  }
  return results;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--quick' && arg !== '--write');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (use --quick, --write)`);
  const results = await scaling(args.includes('--quick'));
  const report = formatScaling({ date: new Date().toISOString().slice(0, 10), machine: describeMachine(), results });
  process.stdout.write(`${report}\n`);
  if (args.includes('--write')) writeReadme(report, 'scaling');
  killAll();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    killAll();
    process.exit(1);
  });
}
