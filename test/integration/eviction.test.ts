import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { run, same } from '../helpers/side-by-side.js';

// maxmemory and its eight policies. Where the outcome is exact (OOM replies, which commands are
// refused, OBJECT FREQ with a deterministic counter) ours and redis-server 7.0.15 get the same
// commands and must answer the same; where it is statistical (which keys a sampled policy
// picks), the same scenario runs on both and both must show the policy's property.

let ours: RunningServer;
let real: RunningServer;
let client: Redis;
let redis: Redis;

beforeAll(async () => {
  [ours, real] = await Promise.all([startServer(['--enable-debug-command', 'yes']), startRedis()]);
  client = new Redis({ port: ours.port });
  redis = new Redis({ port: real.port });
});

afterAll(async () => {
  client?.disconnect();
  redis?.disconnect();
  await Promise.all([ours?.stop(), real?.stop()]);
});

const VALUE = 'v'.repeat(1000);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function info(connection: Redis, field: string): Promise<number> {
  const text = (await connection.info()) as string;
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(text)![1]);
}

/** Writes keys prefix:0..count-1 of 1 KB, with a TTL of `ttl(i)` seconds when given. */
async function fill(connection: Redis, prefix: string, count: number, ttl?: (i: number) => number): Promise<(string | null)[]> {
  const pipeline = connection.pipeline();
  for (let i = 0; i < count; i++) {
    if (ttl === undefined) pipeline.set(`${prefix}:${i}`, VALUE);
    else pipeline.set(`${prefix}:${i}`, VALUE, 'EX', ttl(i));
  }
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error]) => (error ? error.message : null));
}

/** Which of prefix:0..count-1 still exist. */
async function surviving(connection: Redis, prefix: string, count: number): Promise<boolean[]> {
  const pipeline = connection.pipeline();
  for (let i = 0; i < count; i++) pipeline.exists(`${prefix}:${i}`);
  const results = (await pipeline.exec()) ?? [];
  return results.map(([, value]) => value === 1);
}

const countTrue = (flags: boolean[]): number => flags.filter(Boolean).length;

/** Resets a server to no limit and `policy`, empty, counters zeroed. */
async function reset(connection: Redis, policy: string): Promise<void> {
  await run(connection, [
    ['config', 'set', 'maxmemory', '0'],
    ['flushall'],
    ['config', 'set', 'maxmemory-policy', policy],
    ['config', 'set', 'lfu-log-factor', '10'],
    ['config', 'resetstat'],
  ]);
}

/** Sets maxmemory to the current use plus `headroom` bytes. */
async function limitAbove(connection: Redis, headroom: number): Promise<number> {
  const limit = (await info(connection, 'used_memory')) + headroom;
  await connection.config('SET', 'maxmemory', String(limit));
  return limit;
}

/** Runs a scenario on both servers at once; `name` says whose assertion failed. */
function onBoth(scenario: (connection: Redis, name: string) => Promise<void>): Promise<void[]> {
  return Promise.all([scenario(client, 'ours'), scenario(redis, 'redis')]);
}

/**
 * used_memory after the last write may exceed the limit by that write (Redis evicts before a
 * command, not after) and by the client's buffers, which Redis counts.
 */
const WRITE_SLACK = 4096;

describe('OOM', () => {
  const probe = [
    ['set', 'new', 'x'],
    ['get', 'a'],
    ['incr', 'n'],
    ['lpush', 'l', 'x'],
    ['append', 'a', 'x'],
    ['hset', 'h', 'f', 'v'],
    ['sadd', 's', 'x'],
    ['zadd', 'z', '1', 'x'],
    ['setnx', 'a', 'x'],
    ['mset', 'a', '1', 'b', '2'],
    ['expire', 'a', '100'],
    ['persist', 'a'],
    ['exists', 'a'],
    ['ping'],
    ['del', 'b'],
    ['dbsize'],
  ];

  it('refuses only denyoom commands with Redis\' exact error under noeviction, serving reads and deletes', async () => {
    const commands = [
      ['config', 'set', 'maxmemory', '0'],
      ['flushall'],
      ['mset', 'a', '1', 'b', '2', 'c', '3'],
      ['config', 'set', 'maxmemory-policy', 'noeviction'],
      ['config', 'set', 'maxmemory', '1'],
      ...probe,
      ['config', 'set', 'maxmemory', '0'],
      ['set', 'new', 'x'],
    ];
    const replies = await same(client, redis, commands);
    expect(replies[5]).toBe("!OOM command not allowed when used memory > 'maxmemory'.");
  });

  it('refuses writes when a volatile policy finds no key with a TTL, as Redis does', async () => {
    await same(client, redis, [
      ['config', 'set', 'maxmemory', '0'],
      ['flushall'],
      ['mset', 'a', '1', 'b', '2', 'c', '3'],
      ['config', 'set', 'maxmemory-policy', 'volatile-lru'],
      ['config', 'set', 'maxmemory', '1'],
      ...probe,
      ['config', 'set', 'maxmemory', '0'],
    ]);
  });

  it('evicts every key under allkeys-lru before refusing, as Redis does', async () => {
    await same(client, redis, [
      ['config', 'set', 'maxmemory', '0'],
      ['flushall'],
      ['mset', 'a', '1', 'b', '2', 'c', '3'],
      ['select', '5'],
      ['set', 'd', '4'],
      ['select', '0'],
      ['config', 'set', 'maxmemory-policy', 'allkeys-lru'],
      ['config', 'set', 'maxmemory', '1'],
      ['dbsize'],
      ['set', 'x', 'y'],
      ['select', '5'],
      ['dbsize'],
      ['select', '0'],
      ['config', 'set', 'maxmemory', '0'],
    ]);
    expect(await info(client, 'evicted_keys')).toBe(await info(redis, 'evicted_keys'));
  });
});

describe('policies', () => {
  it('volatile-lru, volatile-random and volatile-lfu never evict a key without a TTL', async () => {
    for (const policy of ['volatile-lru', 'volatile-random', 'volatile-lfu']) {
      await onBoth(async (connection, name) => {
        await reset(connection, policy);
        await fill(connection, 'keep', 300);
        await fill(connection, 'vol', 300, () => 1000);
        const limit = await limitAbove(connection, 100_000);
        expect(await fill(connection, 'new', 300, () => 1000)).not.toContain("OOM command not allowed when used memory > 'maxmemory'.");
        expect(countTrue(await surviving(connection, 'keep', 300)), `${name} ${policy}`).toBe(300);
        expect(await info(connection, 'evicted_keys'), `${name} ${policy}`).toBeGreaterThan(200);
        expect(await info(connection, 'used_memory'), `${name} ${policy}`).toBeLessThanOrEqual(limit + WRITE_SLACK);
      });
    }
  });

  it('allkeys-random evicts keys with and without a TTL alike', async () => {
    await onBoth(async (connection, name) => {
      await reset(connection, 'allkeys-random');
      await fill(connection, 'keep', 400);
      await fill(connection, 'vol', 400, () => 1000);
      const limit = await limitAbove(connection, 50_000);
      await fill(connection, 'new', 400);
      const keep = countTrue(await surviving(connection, 'keep', 400));
      const vol = countTrue(await surviving(connection, 'vol', 400));
      expect(keep).toBeLessThan(330);
      expect(vol).toBeLessThan(330);
      expect(Math.abs(keep - vol)).toBeLessThan(100);
      expect(await info(connection, 'used_memory')).toBeLessThanOrEqual(limit + WRITE_SLACK);
    });
  });

  it('volatile-ttl takes the nearest expiry first', async () => {
    await onBoth(async (connection, name) => {
      await reset(connection, 'volatile-ttl');
      await fill(connection, 'vol', 600, (i) => 1000 + i * 10);
      await limitAbove(connection, 20_000);
      await fill(connection, 'new', 300, () => 100_000);
      const vol = await surviving(connection, 'vol', 600);
      const nearest = countTrue(vol.slice(0, 200));
      const farthest = countTrue(vol.slice(400));
      expect(nearest, name).toBeLessThan(60);
      expect(farthest, name).toBeGreaterThan(150);
      expect(countTrue(await surviving(connection, 'new', 300)), name).toBeGreaterThan(250);
    });
  });

  it('allkeys-lru keeps the keys read since, evicting the idle ones', async () => {
    await onBoth(async (connection, name) => {
      await reset(connection, 'allkeys-lru');
      await fill(connection, 'old', 400);
    });
    // Redis' LRU clock counts seconds: the reads must come at least a second after the writes.
    await sleep(1100);
    await onBoth(async (connection, name) => {
      const pipeline = connection.pipeline();
      for (let i = 0; i < 200; i++) pipeline.get(`old:${i}`);
      await pipeline.exec();
    });
    await sleep(1100);
    await onBoth(async (connection, name) => {
      await limitAbove(connection, 20_000);
      await fill(connection, 'new', 150);
      const old = await surviving(connection, 'old', 400);
      const read = countTrue(old.slice(0, 200));
      const idle = countTrue(old.slice(200));
      // Sampled LRU is approximate: most evictions, not all, hit the idle half.
      expect(read, name).toBeGreaterThan(150);
      expect(read - idle, name).toBeGreaterThan(60);
    });
  });

  it('allkeys-lfu keeps the frequently read keys', async () => {
    await onBoth(async (connection, name) => {
      await reset(connection, 'allkeys-lfu');
      await fill(connection, 'old', 400);
      const pipeline = connection.pipeline();
      for (let round = 0; round < 20; round++) for (let i = 0; i < 200; i++) pipeline.get(`old:${i}`);
      await pipeline.exec();
      await limitAbove(connection, 20_000);
      await fill(connection, 'new', 150);
      const old = await surviving(connection, 'old', 400);
      const frequent = countTrue(old.slice(0, 200));
      const rare = countTrue(old.slice(200));
      expect(frequent, name).toBeGreaterThan(170);
      expect(frequent - rare, name).toBeGreaterThan(50);
    });
  });

  it('noeviction refuses writes once full and keeps serving reads', async () => {
    await onBoth(async (connection, name) => {
      await reset(connection, 'noeviction');
      await fill(connection, 'old', 100);
      await limitAbove(connection, 50_000);
      const errors = await fill(connection, 'new', 200);
      const refused = errors.filter((error) => error !== null);
      expect(refused.length).toBeGreaterThan(100);
      expect(new Set(refused)).toEqual(new Set(["OOM command not allowed when used memory > 'maxmemory'."]));
      expect(countTrue(await surviving(connection, 'old', 100))).toBe(100);
      expect(await connection.get('old:0')).toBe(VALUE);
      expect(await info(connection, 'evicted_keys')).toBe(0);
    });
  });

  it('evicts at once when CONFIG SET lowers maxmemory under the use, and CONFIG RESETSTAT zeroes evicted_keys', async () => {
    await onBoth(async (connection, name) => {
      await reset(connection, 'allkeys-random');
      await fill(connection, 'old', 1000);
      const used = await info(connection, 'used_memory');
      const startup = await info(connection, 'used_memory_startup');
      const limit = startup + Math.floor((used - startup) / 2);
      await connection.config('SET', 'maxmemory', String(limit));
      expect(await info(connection, 'used_memory'), name).toBeLessThanOrEqual(limit + WRITE_SLACK);
      const dbsize = await connection.dbsize();
      expect(dbsize, name).toBeGreaterThan(350);
      expect(dbsize, name).toBeLessThan(650);
      // Redis counts INFO's own reply in used_memory, so it may evict a few more keys meanwhile.
      expect(await info(connection, 'evicted_keys'), name).toBeGreaterThanOrEqual(1000 - dbsize);
      await connection.config('RESETSTAT');
      expect(await info(connection, 'evicted_keys')).toBe(0);
    });
  });
});

describe('access data', () => {
  it('counts OBJECT FREQ as Redis does with a deterministic counter (lfu-log-factor 0)', async () => {
    const commands = [
      ['config', 'set', 'maxmemory-policy', 'allkeys-lfu'],
      ['config', 'set', 'lfu-log-factor', '0'],
      ['flushall'],
      ['set', 'k', 'v'],
      ['object', 'freq', 'k'],
      ...Array.from({ length: 10 }, () => ['get', 'k']),
      ['object', 'freq', 'k'],
      ['object', 'idletime', 'k'],
      ['config', 'set', 'maxmemory-policy', 'allkeys-lru'],
      ['object', 'freq', 'k'],
      ['config', 'set', 'lfu-log-factor', '10'],
    ];
    await same(client, redis, commands);
  });

  it('leaves expired keys in place while CLIENT PAUSE WRITE holds, as Redis does', async () => {
    await same(client, redis, [['config', 'set', 'maxmemory', '0'], ['flushall'], ['config', 'resetstat'], ['set', 'k', 'v', 'px', '50'], ['client', 'pause', '2000', 'write']]);
    await sleep(150);
    await same(client, redis, [['get', 'k'], ['exists', 'k'], ['dbsize'], ['info', 'keyspace']]);
    expect(await info(client, 'expired_keys')).toBe(0);
    // Redis 7.0.15 loops for ever in RANDOMKEY here (every key expired, none may be deleted);
    // ours gives up after looking at every key.
    expect(await client.randomkey()).toBeNull();
    await same(client, redis, [['client', 'unpause'], ['get', 'k']]);
  });
});
