import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../../src/server/config.js';
import { spawn } from 'node:child_process';
import { CLI_PATH, freePort, startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// CONFIG GET/SET/RESETSTAT/REWRITE/HELP against a real redis-server 7.0, and how the node takes
// its configuration: a config file as first argument, --flags, ELASTICACHE_* variables.

let ours: RunningServer;
let real: RunningServer;
let oursClient: Redis;
let realClient: Redis;

beforeAll(async () => {
  // Ours runs with Redis' eviction default here so every default compares; ElastiCache's is checked below.
  [ours, real] = await Promise.all([startServer(['--maxmemory-policy', 'noeviction']), startRedis()]);
  oursClient = new Redis({ port: ours.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  realClient = new Redis({ port: real.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  oursClient?.disconnect();
  realClient?.disconnect();
  await Promise.all([ours?.stop(), real?.stop()]);
});

async function send(client: Redis, args: readonly string[]): Promise<unknown> {
  try {
    return await client.call(args[0]!, ...args.slice(1));
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Sends to both servers; the replies must be equal. */
async function same(...args: string[]): Promise<unknown> {
  const [mine, theirs] = await Promise.all([send(oursClient, args), send(realClient, args)]);
  expect(mine, args.join(' ')).toEqual(theirs);
  return mine;
}

/** CONFIG GET as a name → value map, so the order Redis' dict happens to use does not matter. */
async function configMap(client: Redis, ...patterns: string[]): Promise<Record<string, string>> {
  const flat = (await client.call('config', 'get', ...patterns)) as string[];
  const map: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) map[flat[i]!] = flat[i + 1]!;
  expect(Object.keys(map).length * 2, 'each parameter once').toBe(flat.length);
  return map;
}

// Where we deliberately differ from a stock redis-server started by the tests: our listening address and port, the working directory and the pid/log files of the test process.
const DIFFERENT_ON_PURPOSE = new Set(['bind', 'port', 'dir', 'pidfile', 'logfile', 'save', 'appendonly', 'enable-debug-command']);

describe('CONFIG GET', () => {
  it('knows every parameter Redis knows, with the same defaults', async () => {
    const mine = await configMap(oursClient, '*');
    const theirs = await configMap(realClient, '*');
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    for (const name of Object.keys(theirs)) {
      if (DIFFERENT_ON_PURPOSE.has(name)) continue;
      expect(mine[name], name).toBe(theirs[name]);
    }
  });

  it('matches patterns like Redis, case-insensitively, aliases included, each parameter once', async () => {
    for (const patterns of [['maxmemory*'], ['*max*entries*'], ['slave-*'], ['MAXMEMORY'], ['timeout', 'timeout', 'time*'], ['nosuch'], ['[a-c]*'], ['?z']]) {
      expect(await configMap(oursClient, ...patterns), patterns.join(' ')).toEqual(await configMap(realClient, ...patterns));
    }
  });

  it('replies with a map in RESP3', async () => {
    const client = new Redis({ port: ours.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    await client.call('hello', '3');
    const reply = await client.call('config', 'get', 'hz');
    // ioredis flattens RESP3 maps; the raw check is in server-admin.test.ts.
    expect(reply).toEqual(['hz', '10']);
    client.disconnect();
  });
});

describe('CONFIG SET', () => {
  it('round-trips values, normalised as Redis prints them', async () => {
    const cases: [string, string][] = [
      ['maxmemory', '1GB'],
      ['maxmemory', '100mb'],
      ['maxmemory', '5b'],
      ['maxmemory', '0'],
      ['hz', '20'],
      ['loglevel', 'VERBOSE'],
      ['appendfsync', 'Always'],
      ['activerehashing', 'NO'],
      ['notify-keyspace-events', 'KEA'],
      ['notify-keyspace-events', 'KEmndtxg'],
      ['notify-keyspace-events', ''],
      ['maxmemory-clients', '10%'],
      ['client-output-buffer-limit', 'normal 1mb 2 3'],
      ['client-output-buffer-limit', 'replica 1gb 1kb 5'],
      ['save', '100 10'],
      ['save', ''],
      ['slave-read-only', 'no'],
      ['list-max-ziplist-size', '-5'],
      ['hash-max-listpack-value', '1k'],
      ['slowlog-log-slower-than', '-1'],
      ['maxclients', '4294967295'],
      ['busy-reply-threshold', '9223372036854775807'],
    ];
    for (const [name, value] of cases) {
      await same('config', 'set', name, value);
      expect(await configMap(oursClient, name), `${name} ${value}`).toEqual(await configMap(realClient, name));
    }
    await same('config', 'set', 'maxclients', '10000', 'slave-read-only', 'yes', 'hz', '10', 'activerehashing', 'yes');
  });

  it('fails with Redis error texts', async () => {
    const failures: string[][] = [
      ['config', 'set', 'foo', '1'],
      ['config', 'set', 'maxmemory', 'abc'],
      ['config', 'set', 'maxmemory', '-1'],
      ['config', 'set', 'maxmemory', '1.5mb'],
      ['config', 'set', 'maxmemory', '1mb', 'maxmemory', '2mb'],
      ['config', 'set', 'maxmemory', '1mb', 'MAXMEMORY', '2mb'],
      ['config', 'set', 'MAXMEMORY', 'x'],
      ['config', 'set', 'hz', 'abc'],
      ['config', 'set', 'hz', '-1'],
      ['config', 'set', 'hz', '+5'],
      ['config', 'set', 'timeout', '1k'],
      ['config', 'set', 'maxclients', '0'],
      ['config', 'set', 'maxclients', '99999999999999999999999'],
      ['config', 'set', 'proto-max-bulk-len', '10'],
      ['config', 'set', 'slowlog-max-len', '-1'],
      ['config', 'set', 'lfu-log-factor', '1.5'],
      ['config', 'set', 'maxmemory-policy', 'foo'],
      ['config', 'set', 'appendonly', 'maybe'],
      ['config', 'set', 'daemonize', 'yes'],
      ['config', 'set', 'databases', '3'],
      ['config', 'set', 'dir', '/tmp'],
      ['config', 'set', 'dbfilename', 'x.rdb'],
      ['config', 'set', 'save', '100'],
      ['config', 'set', 'save', '  100   10  '],
      ['config', 'set', 'save', '100 -1'],
      ['config', 'set', 'notify-keyspace-events', 'Q'],
      ['config', 'set', 'client-output-buffer-limit', 'normal 1 2'],
      ['config', 'set', 'client-output-buffer-limit', 'master 1 2 3'],
      ['config', 'set', 'client-output-buffer-limit', 'normal x 2 3'],
      ['config', 'set', 'maxmemory-clients', 'x%'],
      ['config', 'set', 'maxmemory', '10', 'foo', '1'],
      ['config', 'set', 'a', 'b', 'c'],
      ['config', 'set', 'maxmemory'],
      ['config', 'set', 'hz', 'x', 'daemonize', 'yes'],
      ['config', 'get'],
      ['config', 'foo'],
      ['config'],
      ['config', 'resetstat', 'x'],
      ['config', 'rewrite'],
    ];
    for (const args of failures) {
      const reply = await same(...args);
      expect(reply, args.join(' ')).toHaveProperty('error');
    }
  });

  it('is all or nothing: a bad value leaves the earlier pairs unapplied', async () => {
    await same('config', 'set', 'timeout', '5', 'hz', 'x');
    expect(await configMap(oursClient, 'timeout')).toEqual({ timeout: '0' });
    await same('config', 'set', 'timeout', '5', 'tcp-keepalive', '60');
    expect(await configMap(oursClient, 'timeout', 'tcp-keepalive')).toEqual({ timeout: '5', 'tcp-keepalive': '60' });
    await same('config', 'set', 'timeout', '0', 'tcp-keepalive', '300');
  });

  it('prints HELP like Redis', async () => {
    await same('config', 'help');
  });
});

/**
 * Starts our node the way redis-server is started: the config file first, then flags. Resolves
 * with its port and a stop function once it accepts connections, or with its exit status and output.
 */
function startWithFile(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ port: number; stop: () => Promise<void> } | { status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args, '--memcached-port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /port=(\d+)[\s\S]*Ready to accept connections/.exec(output);
      if (match) {
        resolve({
          port: Number(match[1]),
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (status) => resolve({ status, output }));
  });
}

describe('configuration at start', () => {
  it('takes a config file first, then ELASTICACHE_* variables, then --flags, each overriding the one before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elasticache-local-config-'));
    const file = join(dir, 'node.conf');
    writeFileSync(file, ['# test config', 'maxmemory 10mb', 'hz 15', 'timeout 7', 'save 900 1', 'save 300 10', 'slave-read-only no', ''].join('\n'));
    const port = await freePort();
    const node = await startWithFile([file, '--hz', '25', '--port', String(port)], { ELASTICACHE_TIMEOUT: '9', ELASTICACHE_MAXMEMORY_POLICY: 'allkeys-lfu' });
    if (!('port' in node)) throw new Error(node.output);
    expect(node.port).toBe(port);
    const client = new Redis({ port: node.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      expect(await configMap(client, 'maxmemory', 'hz', 'timeout', 'maxmemory-policy', 'save', 'replica-read-only', 'port')).toEqual({
        maxmemory: String(10 * 1024 * 1024),
        hz: '25',
        timeout: '9',
        'maxmemory-policy': 'allkeys-lfu',
        save: '900 1 300 10',
        'replica-read-only': 'no',
        port: String(port),
      });
      const info = (await client.call('info', 'server')) as string;
      expect(info).toContain(`config_file:${file}\r\n`);
      expect(info).toContain(`tcp_port:${node.port}\r\n`);

      // CONFIG REWRITE keeps comments, rewrites the lines in place and appends what changed.
      await client.call('config', 'set', 'maxmemory', '2gb', 'lfu-log-factor', '12');
      expect(await client.call('config', 'rewrite')).toBe('OK');
      const rewritten = readFileSync(file, 'latin1').split('\n');
      expect(rewritten.slice(0, 2)).toEqual(['# test config', 'maxmemory 2gb']);
      expect(rewritten).toContain('save 900 1 300 10');
      expect(rewritten).toContain('replica-read-only no');
      expect(rewritten).toContain('# Generated by CONFIG REWRITE');
      expect(rewritten).toContain('lfu-log-factor 12');
      expect(rewritten).toContain('maxmemory-policy allkeys-lfu');
      expect(rewritten.filter((line) => line.startsWith('save'))).toHaveLength(1);
    } finally {
      client.disconnect();
      await node.stop();
    }
    // The rewritten file starts a node with the same settings.
    const again = await startWithFile([file, '--port', '0']);
    if (!('port' in again)) throw new Error(again.output);
    const second = new Redis({ port: again.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      expect(await configMap(second, 'maxmemory', 'lfu-log-factor', 'save')).toEqual({ maxmemory: String(2 * 1024 ** 3), 'lfu-log-factor': '12', save: '900 1 300 10' });
    } finally {
      second.disconnect();
      await again.stop();
    }
  });

  it('refuses a bad config file with Redis-style wording and exit status 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elasticache-local-config-'));
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'maxmemory lots\n');
    const result = await startWithFile([file, '--port', '0']);
    expect(result).toEqual({ status: 1, output: expect.stringContaining("Invalid value for 'maxmemory' ('lots'): argument must be a memory value") });
  });

  it("defaults to ElastiCache's eviction policy", async () => {
    const node = await startServer();
    const client = new Redis({ port: node.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      expect(await configMap(client, 'maxmemory-policy')).toEqual({ 'maxmemory-policy': 'volatile-lru' });
    } finally {
      client.disconnect();
      await node.stop();
    }
  });

  it('lists every directive in the table once', () => {
    const names = DIRECTIVES.flatMap((directive) => (directive.alias ? [directive.name, directive.alias] : [directive.name]));
    expect(new Set(names).size).toBe(names.length);
  });
});
