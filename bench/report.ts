import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../scripts/project-root.js';
import type { MemoryResult } from './memory.js';
import type { ScalingResult } from './scaling.js';

// The markdown the benchmark prints, and its place in bench/README.md (between the markers).

export type ServerFigures = { opsPerSecond: number; cpuMicrosPerRequest: number } | { failure: string };

export interface ThroughputRow {
  label: string;
  pipeline: number;
  requests: number;
  /** The least ours/redis ratio this row must reach, when it has a target. */
  target: number | undefined;
  ours: ServerFigures;
  redis: ServerFigures;
}

export interface Report {
  date: string;
  machine: string;
  settings: string;
  rows: ThroughputRow[];
  memory: MemoryResult[];
}

export interface ScalingReport {
  date: string;
  machine: string;
  results: ScalingResult[];
}

const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');
const micros = (value: number): string => value.toFixed(2);
const bytes = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(1));

function ops(figures: ServerFigures): string {
  return 'failure' in figures ? `n/a (${figures.failure.replace(/\|/g, '/').slice(0, 60)})` : thousands(figures.opsPerSecond);
}

function cpu(figures: ServerFigures): string {
  return 'failure' in figures ? '–' : micros(figures.cpuMicrosPerRequest);
}

function ratio(row: ThroughputRow): string {
  if ('failure' in row.ours || 'failure' in row.redis) return '–';
  return (row.ours.opsPerSecond / row.redis.opsPerSecond).toFixed(2);
}

/** The target and whether this run met it. */
function target(row: ThroughputRow): string {
  if (row.target === undefined) return '';
  const wanted = `≥ ${row.target.toFixed(1)}`;
  if ('failure' in row.ours || 'failure' in row.redis) return `${wanted} n/a`;
  return `${wanted} ${row.ours.opsPerSecond / row.redis.opsPerSecond >= row.target ? 'met' : '**missed**'}`;
}

export function formatReport(report: Report): string {
  const lines = [
    `### Results ${report.date}`,
    '',
    `${report.machine}. ${report.settings}. Both servers pinned to CPU 0, redis-benchmark to CPU 1. ` +
      'CPU µs/request is the server process\'s user+system time over the run (from /proc/<pid>/stat) divided by the requests.',
    '',
    '| Test | Pipeline | Requests | ours ops/s | redis ops/s | ours/redis | target | ours CPU µs/req | redis CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  if (report.rows.length === 0) lines.splice(lines.length - 3);
  for (const row of report.rows) {
    lines.push(
      `| ${row.label} | ${row.pipeline} | ${thousands(row.requests)} | ${ops(row.ours)} | ${ops(row.redis)} | ${ratio(row)} | ${target(row)} | ${cpu(row.ours)} | ${cpu(row.redis)} |`,
    );
  }
  if (report.memory.length === 0) return lines.join('\n');
  const first = report.memory[0]!;
  lines.push(
    '',
    `Memory: ${thousands(first.keys)} keys \`key:0…\` holding \`val:0…\` loaded into a fresh server (pipelined SETs), growth per key. ` +
      `RSS is measured the same way for both and is the like-for-like figure: read every second for ${first.minimumSettleSeconds} s after the load ` +
      `(${report.memory.map((result) => `${result.label} ${result.settleSeconds} s`).join(', ')}: longer, up to half as long again, while it still dropped in the last 8 s), ` +
      'each reading preceded by one INFO memory request (an idle Node process that gets no request ' +
      'at all never runs V8\'s memory reducer, so without this light traffic ours would keep its post-load heap indefinitely); ' +
      `"just after" is the reading at ${first.earlySeconds} s, "settled" the median of the last five readings, "last drop" the last second ` +
      'at which RSS fell more than 1 MB below all earlier readings. used_memory is what INFO memory reports at the end (for Redis its ' +
      'allocator\'s count, for ours V8\'s heap in use, garbage included); the keyspace figure is ours alone (V8 heap plus typed arrays), ' +
      'loaded in process and measured after a full GC. After the settled readings each server gets MEMORY PURGE (jemalloc returns dirty pages; ' +
      'ours runs V8\'s collector twice, which lets it shrink its spaces) and is read again two seconds later.',
    '',
    '| Server | RSS Δ bytes/key just after | RSS Δ bytes/key settled | last drop at s | RSS Δ bytes/key after MEMORY PURGE | INFO used_memory Δ bytes/key | keyspace alone bytes/key | load time s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const result of report.memory) {
    lines.push(
      `| ${result.label} | ${bytes(result.rssPerKeyEarly)} | ${bytes(result.rssPerKey)} | ${result.lastDropSecond} | ${bytes(result.rssPerKeyPurged)} | ${bytes(result.usedMemoryPerKey)} | ${bytes(result.heapPerKey)} | ${result.loadSeconds.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

function growth(values: (number | undefined)[]): string {
  const first = values[0];
  const last = values[values.length - 1];
  return first !== undefined && last !== undefined ? `${(last / first).toFixed(2)}×` : '–';
}

export function formatScaling(report: ScalingReport): string {
  const lines = [
    `### Sorted set scaling ${report.date}`,
    '',
    `${report.machine}. One sorted set grown to 10,000, 100,000 and 1,000,000 members (random scores, pipelined variadic ZADD); ` +
      'at each size every operation is called many times at random positions, pipelined, and timed as the server\'s CPU time per ' +
      'call (all its threads, from /proc/<pid>/task/*/schedstat, so neither other load on the machine nor the client\'s parsing counts), ' +
      'median of three passes; the wall-clock ratio is shown beside it. Server pinned to CPU 0, client to CPU 1. O(log n) means ' +
      'the time per call grows little from 10k to 1M members (target: at most 3×).',
    '',
  ];
  const sizes = report.results.find((result) => result.failure === undefined)?.sizes ?? report.results[0]?.sizes ?? [];
  const largest = thousands(sizes[sizes.length - 1] ?? 0);
  const smallest = thousands(sizes[0] ?? 0);
  lines.push(
    `| Server | Operation | ${sizes.map((members) => `CPU µs/call at ${thousands(members)}`).join(' | ')} | CPU ${largest}/${smallest} | wall ${largest}/${smallest} |`,
    `|---|---|${sizes.map(() => '---:|').join('')}---:|---:|`,
  );
  for (const result of report.results) {
    if (result.failure !== undefined) {
      lines.push(`| ${result.label} | n/a (${result.failure.replace(/\|/g, '/').slice(0, 60)}) | ${sizes.map(() => '–').join(' | ')} | – | – |`);
      continue;
    }
    for (const op of result.ops) {
      const cells = sizes.map((_, index) => op.cpuMicros[index]);
      const shown = cells.map((value) => (value === undefined ? 'n/a' : value.toFixed(2)));
      lines.push(`| ${result.label} | ${op.label} | ${shown.join(' | ')} | ${growth(cells)} | ${growth(sizes.map((_, index) => op.wallMicros[index]))} |`);
    }
  }
  const loads = report.results.filter((result) => result.failure === undefined).map((result) => `${result.label} ${result.loadSeconds.toFixed(1)} s`);
  if (loads.length > 0) lines.push('', `Loading ${largest} members: ${loads.join(', ')}.`);
  return lines.join('\n');
}

/** Replaces one results section of bench/README.md, between its markers (appending it the first time). */
export function writeReadme(report: string, name: 'results' | 'scaling' | 'memcached' = 'results'): void {
  const startMarker = `<!-- ${name}:start -->`;
  const endMarker = `<!-- ${name}:end -->`;
  const path = join(projectRoot(), 'bench', 'README.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const section = `${startMarker}\n${report}\n${endMarker}`;
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  const next = start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + endMarker.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
