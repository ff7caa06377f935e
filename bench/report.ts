import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../scripts/project-root.js';
import type { MemoryResult } from './memory.js';

// The markdown the benchmark prints, and its place in bench/README.md (between the markers).

export type ServerFigures = { opsPerSecond: number; cpuMicrosPerRequest: number } | { failure: string };

export interface ThroughputRow {
  label: string;
  pipeline: number;
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

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

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

export function formatReport(report: Report): string {
  const lines = [
    `### Results ${report.date}`,
    '',
    `${report.machine}. ${report.settings}. Both servers pinned to CPU 0, redis-benchmark to CPU 1. ` +
      'CPU µs/request is the server process\'s user+system time over the run (from /proc/<pid>/stat) divided by the requests.',
    '',
    '| Test | Pipeline | ours ops/s | redis ops/s | ours/redis | ours CPU µs/req | redis CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  if (report.rows.length === 0) lines.splice(lines.length - 3);
  for (const row of report.rows) {
    lines.push(`| ${row.label} | ${row.pipeline} | ${ops(row.ours)} | ${ops(row.redis)} | ${ratio(row)} | ${cpu(row.ours)} | ${cpu(row.redis)} |`);
  }
  if (report.memory.length === 0) return lines.join('\n');
  const keys = report.memory[0]!.keys;
  lines.push(
    '',
    `Memory: ${thousands(keys)} keys \`key:0…\` holding \`val:0…\` loaded into a fresh server (pipelined SETs), growth per key. ` +
      'RSS is measured the same way for both and is the like-for-like figure; used_memory is what INFO memory reports ' +
      '(for Redis its allocator\'s count); the keyspace figure is ours alone (V8 heap plus typed arrays), loaded in process and measured after a full GC.',
    '',
    '| Server | RSS Δ bytes/key | INFO used_memory Δ bytes/key | keyspace alone bytes/key | load time s |',
    '|---|---:|---:|---:|---:|',
  );
  for (const result of report.memory) {
    lines.push(`| ${result.label} | ${bytes(result.rssPerKey)} | ${bytes(result.usedMemoryPerKey)} | ${bytes(result.heapPerKey)} | ${result.loadSeconds.toFixed(1)} |`);
  }
  return lines.join('\n');
}

/** Replaces the results section of bench/README.md (appending it the first time). */
export function writeReadme(report: string): void {
  const path = join(projectRoot(), 'bench', 'README.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const section = `${START}\n${report}\n${END}`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + END.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
