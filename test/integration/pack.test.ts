import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, freePort } from '../helpers/servers.js';

// What the Docker image does, without Docker: pack the package, install the tarball with
// production dependencies only, and run the installed bin. Catches a "files" list that leaves
// something out, a missing shebang or bin entry, or a runtime import of a dev dependency.

function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('no reply to PING'));
    });
    socket.once('error', reject);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('*1\r\n$4\r\nPING\r\n'));
  });
}

describe('the packed package', () => {
  let workDir = '';
  let installDir = '';
  let files: string[] = [];
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'elasticache-pack-'));
    const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', workDir], PROJECT_ROOT)) as { filename: string; files: { path: string }[] }[];
    files = packed[0]!.files.map((file) => file.path);
    installDir = join(workDir, 'app');
    mkdirSync(installDir);
    writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'pack-test', version: '1.0.0', private: true }));
    await npm(['install', '--omit=dev', '--offline', '--no-audit', '--no-fund', join(workDir, packed[0]!.filename)], installDir);
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('ships the built server and the README, not sources or tests', () => {
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('README.md');
    expect(files).toContain('package.json');
    expect(files.filter((path) => /^(src|test|bench|scripts)\//.test(path) || path.endsWith('.ts'))).toEqual([]);
  });

  it('installs with production dependencies only', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const installed = readdirSync(join(installDir, 'node_modules')).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(installDir, 'node_modules', name)).map((inner) => `${name}/${inner}`) : [name],
    );
    expect(installed).toContain('elasticache-local');
    expect(installed.filter((name) => name in manifest.devDependencies)).toEqual([]);
  });

  it('starts from its bin and answers PING over TCP', async () => {
    const port = await freePort();
    const bin = join(installDir, 'node_modules', '.bin', 'elasticache-local');
    server = spawn(bin, ['--port', String(port), '--memcached-port', '0'], {
      cwd: installDir,
      env: { ...process.env, ELASTICACHE_BIND: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!output.includes('Ready to accept connections')) {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}: ${output}`);
      if (Date.now() > deadline) throw new Error(`server not ready: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(output).toContain(`port=${port}`);
    expect(await ping(port)).toBe('+PONG\r\n');
    server.kill('SIGTERM');
    const [code] = (await once(server, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
