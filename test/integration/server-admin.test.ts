import { spawn } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { RawClient } from '../helpers/raw-client.js';

// INFO, TIME, DEBUG, SHUTDOWN and CONFIG RESETSTAT against a real redis-server 7.0: same fields,
// same section layout, same error texts; values are our own.

let ours: RunningServer;
let real: RunningServer;
let oursClient: Redis;
let realClient: Redis;

beforeAll(async () => {
  [ours, real] = await Promise.all([startServer(['--enable-debug-command', 'yes']), startRedis()]);
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

async function same(...args: string[]): Promise<unknown> {
  const [mine, theirs] = await Promise.all([send(oursClient, args), send(realClient, args)]);
  expect(mine, args.join(' ')).toEqual(theirs);
  return mine;
}

/** INFO text → section title → field names in order. */
function layout(text: string): Record<string, string[]> {
  const sections: Record<string, string[]> = {};
  let current = '';
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) sections[(current = line.slice(2))] = [];
    else if (line !== '') sections[current]!.push(line.slice(0, line.indexOf(':')));
  }
  return sections;
}

function field(text: string, name: string): string {
  const match = new RegExp(`^${name.replace(/[|]/g, '\\|')}:(.*)$`, 'm').exec(text);
  if (!match) throw new Error(`no ${name} in INFO`);
  return match[1]!.replace('\r', '');
}

const info = (client: Redis, ...sections: string[]): Promise<string> => client.call('info', ...sections) as Promise<string>;

describe('INFO', () => {
  it('has the same sections and fields as Redis, in the same order', async () => {
    for (const sections of [[], ['default'], ['all'], ['everything'], ['server'], ['clients'], ['memory'], ['persistence'], ['stats'], ['replication'], ['cpu'], ['cluster'], ['CPU', 'server'], ['nosuch']]) {
      const [mine, theirs] = await Promise.all([info(oursClient, ...sections), info(realClient, ...sections)]);
      const mineLayout = layout(mine);
      const theirLayout = layout(theirs);
      expect(Object.keys(mineLayout), sections.join(' ')).toEqual(Object.keys(theirLayout));
      for (const title of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Cluster']) {
        if (title in theirLayout) expect(mineLayout[title], title).toEqual(theirLayout[title]);
      }
      expect(mine === '' || mine.endsWith('\r\n')).toBe(true);
    }
  });

  it('reports true values', async () => {
    const text = await info(oursClient, 'everything');
    expect(field(text, 'tcp_port')).toBe(String(ours.port));
    expect(field(text, 'process_id')).toBe(String(ours.process.pid));
    expect(field(text, 'role')).toBe('master');
    expect(Number(field(text, 'connected_clients'))).toBeGreaterThanOrEqual(1);
    expect(field(text, 'maxclients')).toBe('10000');
    expect(Number(field(text, 'used_memory'))).toBeGreaterThan(100_000);
    expect(field(text, 'used_memory_human')).toMatch(/^\d+\.\d\dM$/);
    expect(field(text, 'maxmemory_human')).toBe('0B');
    expect(Number(field(text, 'used_cpu_user'))).toBeGreaterThan(0);
    expect(field(text, 'master_replid')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('counts commands, errors, keyspace hits and misses, changes and keys per db like Redis', async () => {
    const texts: string[] = [];
    const deltas: number[] = [];
    for (const client of [oursClient, realClient]) {
      await client.call('config', 'resetstat');
      await client.call('flushall');
      await client.call('set', 'k2', 'v', 'EX', '100');
      const before = Number(field(await info(client, 'persistence'), 'rdb_changes_since_last_save'));
      await client.call('set', 'k1', 'v');
      await client.call('del', 'nosuchkey');
      await client.call('get', 'k1');
      await client.call('get', 'missing');
      await send(client, ['config', 'get']);
      await send(client, ['incr', 'k1']);
      await send(client, ['nosuchcommand']);
      const text = await info(client, 'everything');
      texts.push(text);
      deltas.push(Number(field(text, 'rdb_changes_since_last_save')) - before);
    }
    expect(deltas[0]).toBe(deltas[1]);
    const [text, theirs] = texts as [string, string];
    for (const name of ['keyspace_hits', 'keyspace_misses', 'errorstat_ERR', 'total_error_replies', 'total_commands_processed']) {
      expect(field(text, name), name).toBe(field(theirs, name));
    }
    expect(field(text, 'keyspace_hits')).toBe('1');
    expect(field(text, 'db0')).toMatch(/^keys=2,expires=1,avg_ttl=\d+$/);
    expect(field(text, 'cmdstat_set')).toMatch(/^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
    expect(field(text, 'cmdstat_config|get')).toMatch(/^calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0$/);
    expect(field(text, 'cmdstat_incr')).toMatch(/calls=1,.*failed_calls=1$/);
    expect(field(text, 'errorstat_ERR')).toBe('count=3');
  });

  it('CONFIG RESETSTAT clears what Redis clears', async () => {
    await oursClient.call('get', 'missing');
    await send(oursClient, ['nosuchcommand']);
    expect(await oursClient.call('config', 'resetstat')).toBe('OK');
    const text = await info(oursClient, 'everything');
    expect(field(text, 'keyspace_misses')).toBe('0');
    expect(field(text, 'total_error_replies')).toBe('0');
    expect(text).not.toContain('errorstat_');
    expect(text).not.toContain('cmdstat_get');
    expect(field(text, 'total_connections_received')).toBe('0');
  });

  it('is a verbatim string in RESP3 and a bulk string in RESP2', async () => {
    const raw = await RawClient.connect(ours.port);
    try {
      await raw.roundTrip('HELLO 3\r\n');
      const resp3 = await raw.roundTrip('INFO keyspace\r\n');
      expect(resp3).toMatch(/^=\d+\r\ntxt:# Keyspace\r\n/);
      await raw.roundTrip('HELLO 2\r\n');
      const resp2 = await raw.roundTrip('INFO keyspace\r\n');
      expect(resp2).toMatch(/^\$\d+\r\n# Keyspace\r\n/);
    } finally {
      raw.close();
    }
  });
});

describe('TIME', () => {
  it('answers seconds and microseconds near the real clock', async () => {
    const [seconds, micros] = (await oursClient.call('time')) as [string, string];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(micros)).toBeGreaterThanOrEqual(0);
    expect(Number(micros)).toBeLessThan(1_000_000);
    await same('time', 'x');
  });
});

describe('DEBUG', () => {
  it('SLEEP blocks the whole server for fractional seconds', async () => {
    const other = new Redis({ port: ours.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      await other.ping();
      const started = performance.now();
      const sleeping = oursClient.call('debug', 'sleep', '0.3');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const pinged = other.ping().then(() => performance.now() - started);
      expect(await sleeping).toBe('OK');
      expect(await pinged).toBeGreaterThanOrEqual(280);
    } finally {
      other.disconnect();
    }
  });

  it('answers like Redis for errors, HELP lines and OBJECT', async () => {
    await oursClient.call('flushall');
    await realClient.call('flushall');
    for (const args of [
      ['debug'],
      ['debug', 'foo'],
      ['debug', 'sleep'],
      ['debug', 'sleep', 'abc'],
      ['debug', 'sleep', '-1'],
      ['debug', 'set-active-expire'],
      ['debug', 'object', 'missing'],
      ['set', 'str', 'bar'],
      ['set', 'num', '12345'],
      ['set', 'long', 'x'.repeat(50)],
      ['set', 'small', '7'],
    ]) {
      await same(...args);
    }
    for (const key of ['str', 'num', 'small']) {
      const [mine, theirs] = (await Promise.all([oursClient.call('debug', 'object', key), realClient.call('debug', 'object', key)])) as string[];
      const shape = (text: string): string => text.replace(/0x[0-9a-f]+/, '0x').replace(/lru:\d+/, 'lru:N').replace(/lru_seconds_idle:\d+/, 'idle:N');
      expect(shape(mine!), key).toBe(shape(theirs!));
    }
    const help = (await oursClient.call('debug', 'help')) as string[];
    const realHelp = (await realClient.call('debug', 'help')) as string[];
    expect(help[0]).toBe(realHelp[0]);
    for (const line of help) expect(realHelp).toContain(line);
  });

  it('SET-ACTIVE-EXPIRE 0 stops the background expiry, 1 restarts it', async () => {
    await oursClient.call('flushall');
    expect(await oursClient.call('debug', 'set-active-expire', '0')).toBe('OK');
    await oursClient.call('set', 'short', 'v', 'PX', '20');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(field(await info(oursClient, 'keyspace'), 'db0')).toMatch(/^keys=1,/);
    expect(await oursClient.call('debug', 'set-active-expire', '1')).toBe('OK');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await info(oursClient, 'keyspace')).toBe('# Keyspace\r\n');
  });

  it('is refused unless enable-debug-command allows it', async () => {
    const plain = await startServer();
    const client = new Redis({ port: plain.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    const stock = await startRedis(['--enable-debug-command', 'no']);
    const stockClient = new Redis({ port: stock.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      expect(await send(client, ['debug', 'sleep', '0'])).toEqual(await send(stockClient, ['debug', 'sleep', '0']));
      expect(await send(client, ['debug', 'sleep', '0'])).toHaveProperty('error');
    } finally {
      client.disconnect();
      stockClient.disconnect();
      await Promise.all([plain.stop(), stock.stop()]);
    }
  });
});

describe('SHUTDOWN', () => {
  it('answers syntax errors like Redis and ABORT with nothing to abort', async () => {
    for (const args of [['shutdown', 'foo'], ['shutdown', 'abort', 'now'], ['shutdown', 'save', 'nosave'], ['shutdown', 'abort']]) await same(...args);
  });

  it('closes the connection without a reply and ends the process with status 0', async () => {
    const node = await startServer();
    const raw = await RawClient.connect(node.port);
    const exited = once(node.process, 'exit');
    raw.send('SHUTDOWN NOSAVE NOW\r\n');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(await raw.waitClosed()).toBe(true);
    expect(await raw.readUntil(() => false, 10)).toBe('');
    expect(node.output()).toContain('User requested shutdown...');
  });

  it('ends with status 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('Ready to accept connections')) await new Promise((resolve) => setTimeout(resolve, 20));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('Received SIGTERM scheduling shutdown...');
  });
});
