import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBytesPerKey, type MemoryResult } from './memory.js';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, describeMachine, killAll, run, startOurs, startRedis, type BenchServer } from './processes.js';
import { formatReport, formatScaling, writeReadme, type ThroughputRow } from './report.js';
import { PipelineClient, encodeCommand } from './resp-client.js';
import { scaling } from './scaling.js';
import { formatMemcached, memcachedBench } from './memcached.js';
import { TESTS, selected, testNames, type BenchTest } from './tests.js';

// Side-by-side throughput and memory against a real redis-server: both servers pinned to CPU 0,
// redis-benchmark pinned to CPU 1, tests alternating between the servers over three rounds and
// reported as medians. Usage: node dist-bench/bench/run.js [--quick] [--only=set,get,memory] [--write]
// --only takes test names (set, lpush, lrange_100…), groups (strings, collections, lists, sets,
// hashes, sorted-sets), memory, memcached and scaling; without it, every throughput test, the
// memory run and the memcached part (memcached.ts, against memcached 1.6).

const ROUNDS = 3;
const CLIENTS = 50;
/** Keys drawn from this many per test (-r), so reads hit what the writes before them stored. */
const KEY_RANGE = 100_000;
const BENCHMARK_TIMEOUT_MS = 60_000;
/** No new benchmark starts after this; a running one is cut at TOTAL_BUDGET_MS. */
const START_BUDGET_MS = 8 * 60_000;
/**
 * The whole run stops here, whatever is left, so `npm run bench` stays under a quarter of an
 * hour: the Redis part gets START_BUDGET_MS, the memcached part (about three minutes) the rest.
 */
const TOTAL_BUDGET_MS = 13 * 60_000;
let runStarted = Date.now();

interface Options {
  quick: boolean;
  write: boolean;
  only: Set<string> | undefined;
}

function parseOptions(args: readonly string[]): Options {
  const options: Options = { quick: false, write: false, only: undefined };
  for (const arg of args) {
    if (arg === '--quick') options.quick = true;
    else if (arg === '--write') options.write = true;
    else if (arg.startsWith('--only=')) options.only = new Set(arg.slice(7).split(',').map((name) => name.trim().toLowerCase()));
    else throw new Error(`unknown option ${arg} (use --quick, --only=set,get, --write)`);
  }
  const known = new Set([...testNames(), 'memory', 'memcached', 'scaling']);
  const unknown = [...(options.only ?? [])].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`unknown --only name ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return options;
}

function requestsFor(test: BenchTest, pipeline: number, quick: boolean): number {
  const full = test.requests(pipeline);
  return quick ? full / 10 : full;
}

interface Sample {
  opsPerSecond: number;
  cpuMicrosPerRequest: number;
}

/** One redis-benchmark run against one server, with the server's CPU time over it. */
async function measure(server: BenchServer, test: BenchTest, pipeline: number, requests: number): Promise<Sample | string> {
  if (test.prepare) {
    const failure = await prepare(server, test.prepare(requests));
    if (failure !== undefined) return failure;
  }
  const args = ['-c', '1', 'redis-benchmark', '-p', String(server.port), '-c', String(CLIENTS), '-n', String(requests)];
  args.push('-P', String(pipeline), '-r', String(KEY_RANGE), '-d', String(test.dataSize), '--csv', '-q');
  if (test.tests !== undefined) args.push('-t', test.tests);
  else args.push(...test.command!);
  const ticksBefore = cpuTicks(server.pid);
  const timeout = Math.max(1000, Math.min(BENCHMARK_TIMEOUT_MS, runStarted + TOTAL_BUDGET_MS - Date.now()));
  const result = await run('taskset', args, timeout);
  const ticks = cpuTicks(server.pid) - ticksBefore;
  const line = result.stdout.split('\n').find((row) => row.startsWith(`"${test.csvName}",`));
  if (!result.ok || line === undefined) {
    const output = result.stderr + result.stdout;
    if (/unknown command/.test(output)) return 'unknown command';
    if (result.timedOut) return `timed out after ${Math.round(timeout / 1000)} s`;
    const reason = output.split('\n').find((row) => /error|ERR|timed out|killed/i.test(row));
    return reason?.trim() ?? 'no result';
  }
  const opsPerSecond = Number(line.split(',')[1]!.replace(/"/g, ''));
  return { opsPerSecond, cpuMicrosPerRequest: ((ticks / CLOCK_TICKS_PER_SECOND) * 1e6) / requests };
}

/** Runs a test's untimed setup; the first error, shortened as measure's failures are. */
async function prepare(server: BenchServer, commands: string[][]): Promise<string | undefined> {
  let client: PipelineClient | undefined;
  try {
    client = await PipelineClient.connect(server.port);
    const result = await client.pipeline(commands.map(encodeCommand).join(''), commands.length, BENCHMARK_TIMEOUT_MS);
    if (result.firstError === undefined) return undefined;
    return /unknown command/.test(result.firstError) ? 'unknown command' : result.firstError;
  } catch (error) {
    return `setup failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    client?.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function throughput(options: Options, deadline: number): Promise<ThroughputRow[]> {
  const tests = TESTS.filter((test) => selected(test, options.only));
  if (tests.length === 0) return [];
  const ours = await startOurs();
  const redis = await startRedis();
  const cases = [1, 16].flatMap((pipeline) =>
    tests.filter((test) => test.pipelines.includes(pipeline)).map((test) => ({ test, pipeline, samples: { ours: [] as Sample[], redis: [] as Sample[] }, failure: { ours: '', redis: '' } })),
  );
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which server goes first so drift (thermal, other load) falls on both alike.
      const order = round % 2 === 0 ? [ours, redis] : [redis, ours];
      for (const entry of cases) {
        for (const server of order) {
          const key = server === ours ? 'ours' : 'redis';
          if (entry.failure[key] !== '' || Date.now() > deadline) continue;
          const sample = await measure(server, entry.test, entry.pipeline, requestsFor(entry.test, entry.pipeline, options.quick));
          if (typeof sample === 'string') entry.failure[key] = sample;
          else entry.samples[key].push(sample);
          const shown = typeof sample === 'string' ? `failed: ${sample}` : `${Math.round(sample.opsPerSecond)} ops/s`;
          process.stderr.write(`round ${round + 1} ${entry.test.label} -P ${entry.pipeline} ${key}: ${shown}\n`);
        }
      }
    }
  } finally {
    await ours.stop();
    await redis.stop();
  }
  const summarize = (samples: Sample[], failure: string): ThroughputRow['ours'] =>
    samples.length === 0
      ? { failure: failure || 'out of time' }
      : { opsPerSecond: median(samples.map((s) => s.opsPerSecond)), cpuMicrosPerRequest: median(samples.map((s) => s.cpuMicrosPerRequest)) };
  return cases.map((entry) => ({
    label: entry.test.label,
    pipeline: entry.pipeline,
    requests: requestsFor(entry.test, entry.pipeline, options.quick),
    target: entry.pipeline === 16 ? entry.test.target : undefined,
    ours: summarize(entry.samples.ours, entry.failure.ours),
    redis: summarize(entry.samples.redis, entry.failure.redis),
  }));
}

async function memory(options: Options): Promise<MemoryResult[]> {
  const keys = options.quick ? 100_000 : 1_000_000;
  const results: MemoryResult[] = [];
  for (const start of [startOurs, startRedis]) {
    const server = await start();
    try {
      process.stderr.write(`loading ${keys} keys into ${server.label}\n`);
      const result = await measureBytesPerKey(server, keys, 120_000, options.quick ? 12 : 30);
      if (server.label === 'ours') result.heapPerKey = await keyspaceHeapPerKey(keys);
      results.push(result);
    } finally {
      await server.stop();
    }
  }
  return results;
}

/** RSS also counts garbage and V8's reserved space; this is the keyspace's own memory (heap-per-key.ts). */
async function keyspaceHeapPerKey(keys: number): Promise<number | undefined> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'heap-per-key.js');
  const result = await run(process.execPath, ['--expose-gc', script, String(keys)], 120_000);
  if (!result.ok) {
    process.stderr.write(`heap-per-key failed: ${result.stderr}\n`);
    return undefined;
  }
  const figures = JSON.parse(result.stdout) as { heapBytesPerKey: number; arrayBufferBytesPerKey: number };
  return figures.heapBytesPerKey + figures.arrayBufferBytesPerKey;
}

function memcachedVersion(): string {
  try {
    return execFileSync('memcached', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown memcached';
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  runStarted = Date.now();
  const watchdog = setTimeout(() => {
    process.stderr.write('benchmark budget exceeded: stopping\n');
    killAll();
    process.exit(1);
  }, TOTAL_BUDGET_MS + 20_000);
  watchdog.unref();
  const date = new Date().toISOString().slice(0, 10);
  // --only picks throughput tests; the memory and scaling measurements run with them only when named.
  const memoryResults = !options.only || options.only.has('memory') ? await memory(options) : [];
  const rows = await throughput(options, runStarted + START_BUDGET_MS);
  if (rows.length > 0 || memoryResults.length > 0) {
    const report = formatReport({
      date,
      machine: describeMachine(),
      settings: `redis-benchmark -c ${CLIENTS} -r ${KEY_RANGE}, requests per run as in the table, median of ${ROUNDS} rounds${options.quick ? ' (--quick)' : ''}`,
      rows,
      memory: memoryResults,
    });
    process.stdout.write(`${report}\n`);
    if (options.write) writeReadme(report);
  }
  if (!options.only || options.only.has('memcached')) {
    const seconds = options.quick ? 2 : 5;
    // Three cases, two servers, three rounds: 18 runs of `seconds` each, plus starts and key loads.
    if (Date.now() + 18 * (seconds + 5) * 1000 > runStarted + TOTAL_BUDGET_MS) {
      process.stderr.write('memcached part skipped: not enough of the time budget left\n');
    } else {
      const report = formatMemcached(date, describeMachine().replace(/ Redis server v=[^;]*;/, ` ${memcachedVersion()};`), seconds, await memcachedBench(seconds));
      process.stdout.write(`${report}\n`);
      if (options.write) writeReadme(report, 'memcached');
    }
  }
  if (options.only?.has('scaling')) {
    const results = await scaling(options.quick);
    const report = formatScaling({ date, machine: describeMachine(), results });
    process.stdout.write(`${report}\n`);
    if (options.write) writeReadme(report, 'scaling');
  }
  killAll();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  killAll();
  process.exit(1);
});
