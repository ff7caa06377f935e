import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { seededRandom } from '../helpers/seeded-random.js';

// The quality of the approximated LRU, the way Redis' own LRU test tool measures it: a cache
// smaller than its working set under allkeys-lru, read with a skewed (power-law) access pattern,
// a miss filling the key in as a cache client does. Ours and redis-server get the same access
// sequence in lockstep (so their second-granular LRU clocks age the keys alike), each with a
// maxmemory that holds the same number of keys, and their hit ratios must be within 5 points.
// A true LRU simulated on the same sequence is printed beside them for reference.

const KEYSPACE = 10_000;
const CAPACITY = 5_000;
const WARMUP = 20_000;
const MEASURED = 100_000;
const BATCH = 100;
const VALUE = 'v'.repeat(100);

let ours: RunningServer;
let real: RunningServer;
let client: Redis;
let redis: Redis;

beforeAll(async () => {
  [ours, real] = await Promise.all([startServer(), startRedis()]);
  client = new Redis({ port: ours.port });
  redis = new Redis({ port: real.port });
});

afterAll(async () => {
  client?.disconnect();
  redis?.disconnect();
  await Promise.all([ours?.stop(), real?.stop()]);
});

const keyName = (index: number): string => `key:${String(index).padStart(6, '0')}`;

async function usedMemory(connection: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec((await connection.info('memory')) as string)![1]);
}

/** Sets maxmemory so that exactly CAPACITY keys of the workload's shape fit, then empties the server. */
async function sizeFor(connection: Redis): Promise<void> {
  await connection.flushall();
  await connection.config('SET', 'maxmemory-policy', 'allkeys-lru');
  const pipeline = connection.pipeline();
  for (let i = 0; i < CAPACITY; i++) pipeline.set(keyName(KEYSPACE + i), VALUE);
  await pipeline.exec();
  const full = await usedMemory(connection);
  await connection.flushall();
  await connection.config('SET', 'maxmemory', String(full));
}

/** One batch on one server: GET every key, SET the misses; returns the hits. */
async function serve(connection: Redis, keys: string[]): Promise<number> {
  const gets = connection.pipeline();
  for (const key of keys) gets.get(key);
  const replies = (await gets.exec()) ?? [];
  const sets = connection.pipeline();
  let hits = 0;
  replies.forEach(([, value], i) => {
    if (value !== null) hits++;
    else sets.set(keys[i]!, VALUE);
  });
  if (sets.length > 0) await sets.exec();
  return hits;
}

/** Hits of an exact LRU cache of CAPACITY keys on the same sequence (a Map in recency order). */
class TrueLru {
  private readonly entries = new Map<string, true>();
  hits = 0;

  access(key: string, counted: boolean): void {
    if (this.entries.delete(key)) {
      if (counted) this.hits++;
    } else if (this.entries.size >= CAPACITY) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, true);
  }
}

describe('approximated LRU', () => {
  it('hits within 5 points of redis-server on a skewed workload larger than memory', async () => {
    await Promise.all([sizeFor(client), sizeFor(redis)]);
    const next = seededRandom(42);
    const lru = new TrueLru();
    let oursHits = 0;
    let redisHits = 0;
    const started = Date.now();
    for (let done = 0; done < WARMUP + MEASURED; done += BATCH) {
      const keys: string[] = [];
      // Power law: low indexes are far more popular (u^3 puts half the accesses on the first 12.5%).
      for (let i = 0; i < BATCH; i++) keys.push(keyName(Math.floor(KEYSPACE * Math.pow(next(), 3))));
      const counted = done >= WARMUP;
      for (const key of keys) lru.access(key, counted);
      const [mine, theirs] = await Promise.all([serve(client, keys), serve(redis, keys)]);
      if (counted) {
        oursHits += mine;
        redisHits += theirs;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const oursRatio = (oursHits * 100) / MEASURED;
    const redisRatio = (redisHits * 100) / MEASURED;
    const lruRatio = (lru.hits * 100) / MEASURED;
    process.stdout.write(`LRU hit ratio: ours ${oursRatio.toFixed(2)}%, redis-server ${redisRatio.toFixed(2)}%, true LRU ${lruRatio.toFixed(2)}% (${seconds.toFixed(1)} s)\n`);
    // Both caches really were full and evicting.
    expect(Number(/^evicted_keys:(\d+)/m.exec((await client.info('stats')) as string)![1])).toBeGreaterThan(1000);
    expect(Math.abs(oursRatio - redisRatio)).toBeLessThanOrEqual(5);
    expect(oursRatio).toBeLessThanOrEqual(lruRatio + 1);
  });
});
