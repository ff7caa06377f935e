import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { run, same } from '../helpers/side-by-side.js';

// MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/HELP and INFO memory, side by side with redis-server
// 7.0.15 where the answer does not depend on the allocator, and checked against the data where
// it does: used_memory follows what is stored, up and down.

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

async function infoFields(connection: Redis, section: string): Promise<Map<string, string>> {
  const text = (await connection.info(section)) as string;
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function usedMemory(connection: Redis): Promise<number> {
  return Number((await infoFields(connection, 'memory')).get('used_memory'));
}

/** MEMORY STATS as [name, kind] pairs: the shape, whatever the numbers. */
function statsShape(reply: unknown): unknown[] {
  const flat = reply as unknown[];
  const shape: unknown[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const value = flat[i + 1];
    shape.push(String(flat[i]), Array.isArray(value) ? statsShape(value) : typeof value);
  }
  return shape;
}

describe('MEMORY', () => {
  it('answers USAGE errors, missing keys and HELP as Redis does', async () => {
    await same(client, redis, [
      ['flushall'],
      ['set', 'foo', 'bar'],
      ['memory', 'usage', 'nokey'],
      ['memory', 'usage', 'foo', 'samples', '-1'],
      ['memory', 'usage', 'foo', 'samples', 'x'],
      ['memory', 'usage', 'foo', 'bar'],
      ['memory', 'usage', 'foo', 'samples'],
      ['memory', 'usage'],
      ['memory', 'stats', 'x'],
      ['memory', 'doctor', 'x'],
      ['memory', 'malloc-stats', 'x'],
      ['memory', 'nosuch'],
      ['memory', 'help'],
      ['memory'],
    ]);
  });

  it('sizes a key by its value: MEMORY USAGE grows with the value and the collection', async () => {
    await client.flushall();
    await client.set('small', 'x');
    await client.set('large', 'x'.repeat(10_000));
    await client.rpush('list', ...Array.from({ length: 1000 }, (_, i) => `element-${i}`));
    await client.hset('hash', Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`field-${i}`, `value-${i}`])));
    const [small, large, list, hash, withSamples] = (await run(client, [
      ['memory', 'usage', 'small'],
      ['memory', 'usage', 'large'],
      ['memory', 'usage', 'list'],
      ['memory', 'usage', 'hash'],
      ['memory', 'usage', 'hash', 'SAMPLES', '0'],
    ])) as number[];
    expect(small).toBeGreaterThan(0);
    expect(large! - small!).toBeGreaterThanOrEqual(9_950);
    expect(large! - small!).toBeLessThan(10_050);
    // A thousand 12-byte elements: their strings alone are 32 bytes each.
    expect(list).toBeGreaterThan(1000 * 32);
    expect(hash).toBeGreaterThan(list!);
    expect(withSamples).toBe(hash);
    // As Redis' dictFind, a key whose time has come but that is still stored is measured.
    await run(client, [['debug', 'set-active-expire', '0'], ['set', 'gone', 'v', 'px', '1']]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await client.call('memory', 'usage', 'gone')).toBeGreaterThan(0);
    expect(await client.get('gone')).toBeNull();
    expect(await client.call('memory', 'usage', 'gone')).toBeNull();
    await client.call('debug', 'set-active-expire', '1');
  });

  it('answers MEMORY STATS with Redis 7.0\'s fields, in its order, with a map per database holding keys', async () => {
    const commands = [['flushall'], ['set', 'a', '1'], ['select', '3'], ['set', 'b', '2'], ['expire', 'b', '100'], ['select', '0'], ['memory', 'stats']];
    const [mine, theirs] = await Promise.all([run(client, commands), run(redis, commands)]);
    expect(statsShape(mine[6])).toEqual(statsShape(theirs[6]));
    const stats = new Map<string, unknown>();
    const flat = mine[6] as unknown[];
    for (let i = 0; i < flat.length; i += 2) stats.set(String(flat[i]), flat[i + 1]);
    expect(stats.get('keys.count')).toBe(2);
    const info = await infoFields(client, 'memory');
    expect(stats.get('startup.allocated')).toBe(Number(info.get('used_memory_startup')));
    expect(Number(stats.get('overhead.total')) + Number(stats.get('dataset.bytes'))).toBe(stats.get('total.allocated'));
    const db3 = stats.get('db.3') as unknown[];
    expect(db3[0]).toBe('overhead.hashtable.main');
    expect(db3[1]).toBeGreaterThan(0);
    expect(db3[3]).toBeGreaterThan(0);
  });

  it('answers DOCTOR for an empty instance with Redis\' text, and MALLOC-STATS as Redis built without jemalloc', async () => {
    await Promise.all([client.flushall(), redis.flushall()]);
    const [mine, theirs] = await Promise.all([client.call('memory', 'doctor'), redis.call('memory', 'doctor')]);
    expect(String(mine)).toBe(String(theirs));
    expect(await client.call('memory', 'malloc-stats')).toBe('Stats not supported for the current allocator');
    expect(await client.call('memory', 'purge')).toBe('OK');
  });
});

describe('INFO memory', () => {
  it('lists Redis 7.0\'s fields in its order', async () => {
    const [mine, theirs] = await Promise.all([infoFields(client, 'memory'), infoFields(redis, 'memory')]);
    expect([...mine.keys()]).toEqual([...theirs.keys()]);
  });

  it('follows the data: used_memory grows with the keys, falls back after FLUSHALL, and keeps the peak', async () => {
    await client.flushall();
    const before = await usedMemory(client);
    const pipeline = client.pipeline();
    for (let i = 0; i < 20_000; i++) pipeline.set(`key:${i}`, 'v'.repeat(100));
    await pipeline.exec();
    const loaded = await infoFields(client, 'memory');
    const used = Number(loaded.get('used_memory'));
    // A key:N string, a 100-byte value and the slot: 24 + 120 + 30 bytes, plus the tables.
    const perKey = (used - before) / 20_000;
    expect(perKey).toBeGreaterThan(170);
    expect(perKey).toBeLessThan(260);
    expect(Number(loaded.get('used_memory_dataset'))).toBeGreaterThan(20_000 * 120);
    expect(Number(loaded.get('used_memory_overhead'))).toBe(used - Number(loaded.get('used_memory_dataset')));
    expect(loaded.get('used_memory_human')).toMatch(/^\d+\.\d\dM$/);
    expect(Number(loaded.get('mem_fragmentation_ratio'))).toBeCloseTo(Number(loaded.get('used_memory_rss')) / used, 1);
    // Overwriting with a longer value costs the difference; deleting gives everything back.
    await client.set('key:0', 'v'.repeat(1100));
    expect((await usedMemory(client)) - used).toBe(1000);
    await client.flushall();
    const after = await infoFields(client, 'memory');
    expect(Number(after.get('used_memory'))).toBe(before);
    expect(Number(after.get('used_memory_peak'))).toBeGreaterThanOrEqual(used);
  });

  it('counts collections as their elements come and go', async () => {
    await client.flushall();
    const before = await usedMemory(client);
    await client.rpush('list', ...Array.from({ length: 5000 }, (_, i) => `element-${i}`));
    await client.sadd('set', ...Array.from({ length: 5000 }, (_, i) => `member-${i}`));
    await client.zadd('zset', ...Array.from({ length: 5000 }, (_, i) => [String(i), `member-${i}`]).flat());
    await client.hset('hash', Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field-${i}`, `value-${i}`])));
    const loaded = await usedMemory(client);
    expect(loaded - before).toBeGreaterThan(4 * 5000 * 32);
    // Popping half of each gives back about half.
    await client.ltrim('list', 0, 2499);
    await client.spop('set', 2500);
    await client.zremrangebyrank('zset', 0, 2499);
    await client.hdel('hash', ...Array.from({ length: 2500 }, (_, i) => `field-${i}`));
    const half = await usedMemory(client);
    expect((half - before) / (loaded - before)).toBeGreaterThan(0.4);
    expect((half - before) / (loaded - before)).toBeLessThan(0.75);
    await client.del('list', 'set', 'zset', 'hash');
    expect(await usedMemory(client)).toBe(before);
  });

  it('reports maxmemory and its policy, human-readable as Redis does', async () => {
    const commands = [['config', 'set', 'maxmemory', '123456789'], ['config', 'set', 'maxmemory-policy', 'allkeys-lfu']];
    await Promise.all([run(client, commands), run(redis, commands)]);
    const [mine, theirs] = await Promise.all([infoFields(client, 'memory'), infoFields(redis, 'memory')]);
    for (const field of ['maxmemory', 'maxmemory_human', 'maxmemory_policy']) expect(mine.get(field)).toBe(theirs.get(field));
    const reset = [['config', 'set', 'maxmemory', '0'], ['config', 'set', 'maxmemory-policy', 'noeviction']];
    await Promise.all([run(client, reset), run(redis, reset)]);
  });

  it('keeps avg_ttl as Redis\' running average of sampled TTLs, 0 without TTLs', async () => {
    await client.flushall();
    const pipeline = client.pipeline();
    for (let i = 0; i < 200; i++) pipeline.set(`ttl:${i}`, 'v', 'EX', 1000);
    await pipeline.exec();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const line = ((await client.info('keyspace')) as string).split('\r\n').find((text) => text.startsWith('db0:'))!;
    const avg = Number(/avg_ttl=(\d+)/.exec(line)![1]);
    // The first sample seeds it, then each moves it 2% of the way: a value a little under the TTL.
    expect(avg).toBeGreaterThan(900_000);
    expect(avg).toBeLessThanOrEqual(1_000_000);
    for (let i = 0; i < 200; i++) pipeline.persist(`ttl:${i}`);
    await pipeline.exec();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await client.info('keyspace')) as string).toContain('db0:keys=200,expires=0,avg_ttl=0');
  });
});
