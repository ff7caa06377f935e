import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { once } from 'node:events';

// Starting real servers for tests: ours (the built dist/cli.js) and Debian's redis-server.
// Every process started here is killed when the test process exits, whatever happens.

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_PATH = join(PROJECT_ROOT, 'dist', 'cli.js');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface RunningServer {
  port: number;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
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

function track(child: ChildProcess, ready: RegExp, port: number | undefined, timeoutMs: number): Promise<RunningServer> {
  running.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        const actualPort = port ?? Number(/port=(\d+)/.exec(output)?.[1]);
        resolve({
          port: actualPort,
          process: child,
          output: () => output,
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGKILL');
            await once(child, 'exit');
            running.delete(child);
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/**
 * Starts our server on a free port (--port 0) with extra `--directive value` arguments. The memcached
 * listener is off (--memcached-port 0) unless the caller asks for one: its default port, 11211, would
 * collide between test files running in parallel.
 */
export function startServer(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const memcached = args.includes('--memcached-port') ? [] : ['--memcached-port', '0'];
  const child = spawn(process.execPath, [CLI_PATH, '--port', '0', ...memcached, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, /Ready to accept connections/, undefined, 20_000);
}

/** Starts Debian's redis-server 7 on a free port, no persistence, DEBUG allowed. */
export async function startRedis(args: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return track(child, /Ready to accept connections/, port, 20_000);
}

/** Runs redis-cli against a port; resolves with stdout (rejects on a non-zero exit). */
export function redisCli(port: number, args: string[], input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('redis-cli', ['-p', String(port), ...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
