import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createServer, Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { projectRoot } from '../scripts/project-root.js';

// The processes a benchmark run starts, and what /proc says about them. Every child is tracked
// and killed on exit, whatever way the run ends.

const children = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU, Node and Redis versions and how busy the machine was (call it when the measurements are done), for the reports. */
export function describeMachine(): string {
  let redis = 'unknown redis-server';
  try {
    redis = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().replace(/ sha=.*$/, '');
  } catch {
    // Reported as unknown; starting it will fail loudly anyway.
  }
  const load = loadavg()[0]!.toFixed(1);
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ${redis}; load average ${load} at the end of the run`;
}

export interface BenchServer {
  readonly label: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Our server and redis-server, each pinned to CPU 0 so they get the same single core. Ours starts
 * its memcached listener only on the port given (0: none), so it never competes for 11211.
 */
export async function startOurs(memcachedPort = 0): Promise<BenchServer> {
  const port = await freePort();
  const cli = join(projectRoot(), 'dist', 'cli.js');
  return launch('ours', port, 'taskset', ['-c', '0', process.execPath, cli, '--port', String(port), '--memcached-port', String(memcachedPort)]);
}

/** memcached 1.6 with one worker thread, pinned to CPU 0 like the others; `port` is its port. */
export async function startMemcached(): Promise<BenchServer> {
  const port = await freePort();
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const args = ['-c', '0', 'memcached', '-p', String(port), '-U', '0', '-t', '1', '-m', '64', '-l', '127.0.0.1', ...user];
  return launch('memcached', port, 'taskset', args, answersVersion);
}

export async function startRedis(): Promise<BenchServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  return launch('redis', port, 'taskset', ['-c', '0', 'redis-server', ...args]);
}

async function launch(label: string, port: number, command: string, args: string[], ready = answersPing): Promise<BenchServer> {
  // taskset execs the server, so the child's pid is the server's pid.
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 15_000;
  while (!(await ready(port))) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`${label} did not answer within 15 s: ${stderr}`);
    await sleep(100);
  }
  return {
    label,
    port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
      children.delete(child);
    },
  };
}

function answersPing(port: number): Promise<boolean> {
  return answers(port, '*1\r\n$4\r\nPING\r\n', '+PONG');
}

/** A memcached port is ready when `version` gets its VERSION line. */
export function answersVersion(port: number): Promise<boolean> {
  return answers(port, 'version\r\n', 'VERSION ');
}

function answers(port: number, request: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString('latin1').startsWith(expected)));
    socket.connect(port, '127.0.0.1', () => socket.write(request));
  });
}

/** User plus system CPU time of the whole process (all threads) in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // The command name may hold spaces or parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time of every thread of the process in nanoseconds (/proc/<pid>/task/<tid>/schedstat), for short measurements ticks are too coarse for. */
export function cpuNanos(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read; its time is lost to both readings alike.
    }
  }
  return total;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

export interface CommandResult {
  ok: boolean;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed at the timeout); never throws. */
export function run(command: string, args: string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      children.delete(child);
      const timedOut = error !== null && error.killed === true;
      resolve({ ok: error === null, timedOut, stdout, stderr: error && !stderr ? error.message : stderr });
    });
    children.add(child);
  });
}

/** INFO <section> parsed into fields; empty when the server does not have INFO (yet). */
export async function info(port: number, section: string): Promise<Map<string, string>> {
  const result = await run('redis-cli', ['-p', String(port), 'info', section], 10_000);
  const fields = new Map<string, string>();
  if (!result.ok || result.stdout.startsWith('ERR')) return fields;
  for (const line of result.stdout.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
