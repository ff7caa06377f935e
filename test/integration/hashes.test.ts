import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { RespConnection, type RespValue } from '../helpers/resp-connection.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// Every hash command and error against a real redis-server 7.0 in the same test: the same
// commands go to both, replies compared type for type, in RESP2 and RESP3. Encodings (OBJECT
// ENCODING under different hash-max-listpack-* settings), TTLs, deletion of an emptied hash and
// the change/hit/miss counters are compared the same way. HRANDFIELD is checked by its shape and
// membership, as its picks are random.

let ours: RunningServer;
let redis: RunningServer;
let oursConnection: RespConnection;
let redisConnection: RespConnection;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
  [oursConnection, redisConnection] = await Promise.all([RespConnection.connect(ours.port), RespConnection.connect(redis.port)]);
});

afterAll(async () => {
  oursConnection?.close();
  redisConnection?.close();
  await Promise.all([ours?.stop(), redis?.stop()]);
});

type Command = string[];

const DEFAULT_LIMITS: Command = ['CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'hash-max-listpack-value', '64'];

/** Runs the commands on both servers from an empty keyspace and default limits; replies must be equal. */
async function same(commands: Command[], protocol: 2 | 3 = 2): Promise<RespValue[]> {
  const all = [['HELLO', String(protocol)], ['FLUSHALL'], DEFAULT_LIMITS, ...commands];
  const [mine, theirs] = await Promise.all([oursConnection.pipeline(all), redisConnection.pipeline(all)]);
  for (let i = 0; i < commands.length; i++) expect(mine[i + 3], commands[i]!.join(' ')).toEqual(theirs[i + 3]);
  return theirs.slice(3);
}

function bothProtocols(name: string, commands: Command[]): void {
  for (const protocol of [2, 3] as const) {
    it(`${name} (RESP${protocol})`, async () => {
      await same(commands, protocol);
    });
  }
}

describe('writes and reads', () => {
  bothProtocols('HSET/HMSET/HSETNX create and update, in listpack (insertion) order', [
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HSET', 'h', 'b', 'two', 'd', '4'],
    ['HMSET', 'h', 'e', '5', 'a', 'one'],
    ['HSETNX', 'h', 'a', 'x'],
    ['HSETNX', 'h', 'f', '6'],
    ['HSETNX', 'new', 'f', 'v'],
    ['HGETALL', 'h'],
    ['HKEYS', 'h'],
    ['HVALS', 'h'],
    ['HLEN', 'h'],
    ['HGETALL', 'new'],
    ['TYPE', 'h'],
    ['OBJECT', 'ENCODING', 'h'],
    ['HSET', 'bin', '\0\r\n\xff', '', '', '\0'],
    ['HGETALL', 'bin'],
  ]);

  bothProtocols('HGET/HMGET/HEXISTS/HSTRLEN on present and missing fields and keys', [
    ['HSET', 'h', 'a', 'hello', 'b', ''],
    ['HGET', 'h', 'a'],
    ['HGET', 'h', 'zz'],
    ['HGET', 'missing', 'a'],
    ['HMGET', 'h', 'a', 'zz', 'b', 'a'],
    ['HMGET', 'missing', 'a', 'b'],
    ['HEXISTS', 'h', 'b'],
    ['HEXISTS', 'h', 'zz'],
    ['HEXISTS', 'missing', 'a'],
    ['HSTRLEN', 'h', 'a'],
    ['HSTRLEN', 'h', 'b'],
    ['HSTRLEN', 'h', 'zz'],
    ['HSTRLEN', 'missing', 'a'],
    ['HLEN', 'missing'],
    ['HGETALL', 'missing'],
    ['HKEYS', 'missing'],
    ['HVALS', 'missing'],
  ]);

  bothProtocols('HDEL counts removed fields and deletes an emptied hash with its TTL', [
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['EXPIRE', 'h', '1000'],
    ['HDEL', 'h', 'a', 'a', 'zz'],
    ['TTL', 'h'],
    ['HDEL', 'h', 'b', 'c', 'd'],
    ['EXISTS', 'h'],
    ['HSET', 'h', 'x', '1'],
    ['TTL', 'h'],
    ['HDEL', 'missing', 'a'],
  ]);

  bothProtocols('in-place writes keep the TTL', [
    ['HSET', 'h', 'a', '1'],
    ['PEXPIRE', 'h', '100000000'],
    ['HSET', 'h', 'b', '2'],
    ['HINCRBY', 'h', 'a', '5'],
    ['HINCRBYFLOAT', 'h', 'a', '0.5'],
    ['HSETNX', 'h', 'c', '1'],
    ['HDEL', 'h', 'b'],
    ['PERSIST', 'h'],
  ]);

  bothProtocols('WRONGTYPE from every hash command on a string, and hash commands refused by strings', [
    ['SET', 's', 'x'],
    ['HSET', 's', 'a', '1'],
    ['HMSET', 's', 'a', '1'],
    ['HSETNX', 's', 'a', '1'],
    ['HGET', 's', 'a'],
    ['HMGET', 's', 'a'],
    ['HGETALL', 's'],
    ['HDEL', 's', 'a'],
    ['HEXISTS', 's', 'a'],
    ['HLEN', 's'],
    ['HSTRLEN', 's', 'a'],
    ['HKEYS', 's'],
    ['HVALS', 's'],
    ['HINCRBY', 's', 'a', '1'],
    ['HINCRBYFLOAT', 's', 'a', '1'],
    ['HRANDFIELD', 's'],
    ['HRANDFIELD', 's', '1'],
    ['HSCAN', 's', '0'],
    ['HSET', 'h', 'a', '1'],
    ['GET', 'h'],
    ['APPEND', 'h', 'x'],
    ['LPUSH', 'h', 'x'],
  ]);

  bothProtocols('arity and argument errors', [
    ['HSET', 'h', 'a'],
    ['HSET', 'h', 'a', '1', 'b'],
    ['HMSET', 'h', 'a', '1', 'b'],
    ['HSETNX', 'h', 'a'],
    ['HGET', 'h'],
    ['HMGET', 'h'],
    ['HDEL', 'h'],
    ['HLEN'],
    ['HGETALL', 'h', 'x'],
    ['HINCRBY', 'h', 'a'],
    ['HRANDFIELD'],
    ['HSCAN', 'h'],
    ['EXISTS', 'h'],
  ]);
});

describe('counters', () => {
  bothProtocols('HINCRBY is exact over int64 and refuses overflow and non-integers', [
    ['HINCRBY', 'h', 'n', '5'],
    ['HINCRBY', 'h', 'n', '-10'],
    ['HINCRBY', 'h', 'big', '9223372036854775806'],
    ['HINCRBY', 'h', 'big', '1'],
    ['HINCRBY', 'h', 'big', '1'],
    ['HINCRBY', 'h', 'small', '-9223372036854775808'],
    ['HINCRBY', 'h', 'small', '-1'],
    ['HINCRBY', 'h', 'n', '9007199254740993'],
    ['HGET', 'h', 'n'],
    ['HSET', 'h', 's', 'abc', 'e', '', 'sp', ' 1', 'f', '1.5', 'z', '007'],
    ['HINCRBY', 'h', 's', '1'],
    ['HINCRBY', 'h', 'e', '1'],
    ['HINCRBY', 'h', 'sp', '1'],
    ['HINCRBY', 'h', 'f', '1'],
    ['HINCRBY', 'h', 'z', '1'],
    ['HINCRBY', 'h', 'n', '1.0'],
    ['HINCRBY', 'h', 'n', '9223372036854775808'],
    ['HINCRBY', 'h', 'n', ''],
    ['HGETALL', 'h'],
  ]);

  bothProtocols('HINCRBYFLOAT computes in long double and formats as Redis does', [
    ['HINCRBYFLOAT', 'h', 'x', '10.5'],
    ['HINCRBYFLOAT', 'h', 'x', '0.1'],
    ['HINCRBYFLOAT', 'h', 'y', '0.1'],
    ['HINCRBYFLOAT', 'h', 'y', '0.2'],
    ['HINCRBYFLOAT', 'h', 'z', '5.0e3'],
    ['HINCRBYFLOAT', 'h', 'z', '-5000'],
    ['HINCRBYFLOAT', 'h', 'w', '3.0e-5'],
    ['HINCRBYFLOAT', 'h', 'hex', '0x10'],
    ['HINCRBYFLOAT', 'h', 'x', 'abc'],
    ['HINCRBYFLOAT', 'h', 'x', 'nan'],
    ['HINCRBYFLOAT', 'h', 'x', 'inf'],
    ['HINCRBYFLOAT', 'h', 'x', '-inf'],
    ['HINCRBYFLOAT', 'h', 'x', '1e5000'],
    ['HSET', 'h', 's', 'abc', 'i', 'inf'],
    ['HINCRBYFLOAT', 'h', 's', '1'],
    ['HINCRBYFLOAT', 'h', 'i', '1'],
    ['HGETALL', 'h'],
    ['HSET', 'huge', 'big', '1e4931'],
    ['HINCRBYFLOAT', 'huge', 'big', '1e4931'],
    ['HINCRBYFLOAT', 'huge', 'big', '1e4931'],
    ['OBJECT', 'ENCODING', 'huge'],
  ]);
});

describe('encodings', () => {
  it('listpack up to hash-max-listpack-entries, hashtable after, and never back', async () => {
    const fields = Array.from({ length: 512 }, (_, i) => [`f${i}`, String(i)]).flat();
    await same([
      ['HSET', 'h', ...fields],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'one-more', 'x'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HDEL', 'h', 'one-more', 'f0', 'f1'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HLEN', 'h'],
    ]);
  });

  it('follows CONFIG SET hash-max-listpack-* for later writes, for fields and values and increments', async () => {
    await same([
      ['HSET', 'small', 'a', '1'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '2', 'hash-max-listpack-value', '4'],
      ['OBJECT', 'ENCODING', 'small'],
      ['HSET', 'small', 'b', '1234'],
      ['OBJECT', 'ENCODING', 'small'],
      ['HSET', 'small', 'c', '1'],
      ['OBJECT', 'ENCODING', 'small'],
      ['HSET', 'v', 'a', '12345'],
      ['OBJECT', 'ENCODING', 'v'],
      ['HSET', 'f', 'abcde', '1'],
      ['OBJECT', 'ENCODING', 'f'],
      ['HSET', 'n', 'a', '1'],
      ['HSETNX', 'n', 'a', '123456'],
      ['OBJECT', 'ENCODING', 'n'],
      ['HINCRBY', 'n', 'a', '100000'],
      ['OBJECT', 'ENCODING', 'n'],
      ['HSET', 'g', 'a', '1'],
      ['HINCRBYFLOAT', 'g', 'longfield', '1'],
      ['OBJECT', 'ENCODING', 'g'],
      ['HSET', 'z', 'a', '1'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
      ['HSETNX', 'zero', 'a', '1'],
      ['OBJECT', 'ENCODING', 'zero'],
      ['HDEL', 'z', 'a'],
      ['HSET', 'z', 'a', '1'],
      ['OBJECT', 'ENCODING', 'z'],
      DEFAULT_LIMITS,
    ]);
  });

  it('COPY and RENAME keep the encoding and contents', async () => {
    await same([
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '1'],
      ['HSET', 'big', 'a', '1', 'b', '2'],
      ['HSET', 'small', 'a', '1'],
      DEFAULT_LIMITS,
      ['COPY', 'big', 'big2'],
      ['COPY', 'small', 'small2'],
      ['OBJECT', 'ENCODING', 'big2'],
      ['OBJECT', 'ENCODING', 'small2'],
      ['HSET', 'big2', 'c', '3'],
      ['HLEN', 'big'],
      ['RENAME', 'small2', 'moved'],
      ['HGETALL', 'moved'],
      ['OBJECT', 'ENCODING', 'moved'],
    ]);
  });
});

describe('HSCAN', () => {
  bothProtocols('a listpack hash comes whole with cursor 0, whatever COUNT; MATCH filters fields', [
    ['HSET', 'h', 'a', '1', 'b', '2', 'ab', '3', 'x:1', '4'],
    ['HSCAN', 'h', '0'],
    ['HSCAN', 'h', '0', 'COUNT', '1'],
    ['HSCAN', 'h', '0', 'MATCH', 'a*'],
    ['HSCAN', 'h', '0', 'match', '*:*', 'count', '2'],
    ['HSCAN', 'h', '0', 'MATCH', 'nomatch'],
    ['HSCAN', 'missing', '0'],
    ['HSCAN', 'missing', '0', 'COUNT', '0'],
    ['HSCAN', 'missing', 'abc'],
    ['HSCAN', 'h', 'abc'],
    ['HSCAN', 'h', '0', 'COUNT', '0'],
    ['HSCAN', 'h', '0', 'COUNT', 'x'],
    ['HSCAN', 'h', '0', 'TYPE', 'hash'],
    ['HSCAN', 'h', '0', 'MATCH'],
    ['HSCAN', 'h', '18446744073709551616'],
  ]);

  it('a hashtable is walked by cursor: every field exactly once over a full iteration', async () => {
    const client = new Redis({ port: ours.port, lazyConnect: true });
    await client.connect();
    try {
      await client.call('FLUSHALL');
      const fields = Array.from({ length: 1000 }, (_, i) => [`f${i}`, String(i)]).flat();
      await client.call('HSET', 'h', ...fields);
      expect(await client.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
      const seen = new Map<string, string>();
      let cursor = '0';
      let calls = 0;
      do {
        const [next, items] = (await client.call('HSCAN', 'h', cursor, 'COUNT', '50')) as [string, string[]];
        for (let i = 0; i < items.length; i += 2) {
          expect(seen.has(items[i]!)).toBe(false);
          seen.set(items[i]!, items[i + 1]!);
        }
        cursor = next;
        calls++;
      } while (cursor !== '0');
      expect(seen.size).toBe(1000);
      expect(seen.get('f123')).toBe('123');
      expect(calls).toBeGreaterThan(5);
      const [, matched] = (await client.call('HSCAN', 'h', '0', 'MATCH', 'f99*', 'COUNT', '10000')) as [string, string[]];
      expect(matched.filter((_, i) => i % 2 === 0).sort()).toEqual(['f99', 'f990', 'f991', 'f992', 'f993', 'f994', 'f995', 'f996', 'f997', 'f998', 'f999']);
    } finally {
      client.disconnect();
    }
  });
});

describe('HRANDFIELD', () => {
  bothProtocols('errors, missing keys, zero and whole-hash counts are deterministic', [
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HRANDFIELD', 'missing'],
    ['HRANDFIELD', 'missing', '3'],
    ['HRANDFIELD', 'missing', '-3', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '0'],
    ['HRANDFIELD', 'h', '3'],
    ['HRANDFIELD', 'h', '10', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '9223372036854775807'],
    ['HRANDFIELD', 'h', 'x'],
    ['HRANDFIELD', 'missing', 'x'],
    ['HRANDFIELD', 'h', '1', 'x'],
    ['HRANDFIELD', 'missing', '1', 'x'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
    ['HRANDFIELD', 'h', '-9223372036854775808'],
    ['HRANDFIELD', 'h', '9223372036854775807', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '1.5'],
  ]);

  async function randomReplies(protocol: 2 | 3, commands: Command[]): Promise<RespValue[]> {
    const [replies] = await Promise.all([oursConnection.pipeline([['HELLO', String(protocol)], ...commands])]);
    return replies.slice(1);
  }

  for (const encoding of ['listpack', 'hashtable']) {
    it(`counts, repeats and RESP2/RESP3 shapes of random picks (${encoding})`, async () => {
      const limit = encoding === 'listpack' ? '512' : '1';
      await oursConnection.pipeline([['FLUSHALL'], ['CONFIG', 'SET', 'hash-max-listpack-entries', limit], ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5'], DEFAULT_LIMITS]);
      const hash = new Map([['a', '1'], ['b', '2'], ['c', '3'], ['d', '4'], ['e', '5']]);
      const [enc] = await randomReplies(2, [['OBJECT', 'ENCODING', 'h']]);
      expect(enc).toBe(`$${encoding}`);
      for (let round = 0; round < 20; round++) {
        const [single, distinct, repeated, pairs2] = await randomReplies(2, [
          ['HRANDFIELD', 'h'],
          ['HRANDFIELD', 'h', '3'],
          ['HRANDFIELD', 'h', '-8'],
          ['HRANDFIELD', 'h', '2', 'WITHVALUES'],
        ]);
        expect(hash.has((single as string).slice(1))).toBe(true);
        const picked = (distinct as string[]).map((item) => item.slice(1));
        expect(picked).toHaveLength(3);
        expect(new Set(picked).size).toBe(3);
        expect(picked.every((f) => hash.has(f))).toBe(true);
        expect(repeated as string[]).toHaveLength(8);
        const flat = (pairs2 as string[]).map((item) => item.slice(1));
        expect(flat).toHaveLength(4);
        expect(hash.get(flat[0]!)).toBe(flat[1]);
        expect(hash.get(flat[2]!)).toBe(flat[3]);
        expect(flat[0]).not.toBe(flat[2]);
        const [pairs3, negative3] = await randomReplies(3, [
          ['HRANDFIELD', 'h', '2', 'WITHVALUES'],
          ['HRANDFIELD', 'h', '-7', 'WITHVALUES'],
        ]);
        for (const list of [pairs3, negative3] as RespValue[][]) {
          for (const pair of list) {
            expect(Array.isArray(pair) && pair.length === 2).toBe(true);
            const [f, v] = (pair as string[]).map((item) => item.slice(1));
            expect(hash.get(f!)).toBe(v);
          }
        }
        expect(negative3).toHaveLength(7);
      }
      // Repeats allowed with a negative count: over many picks every field shows up.
      const [many] = await randomReplies(2, [['HRANDFIELD', 'h', '-200']]);
      expect(new Set((many as string[]).map((item) => item.slice(1))).size).toBe(5);
      await randomReplies(2, []);
    });
  }
});

describe('side effects', () => {
  async function counters(connection: RespConnection): Promise<number[]> {
    const [info] = await connection.pipeline([['INFO', 'ALL']]);
    const text = info as string;
    return ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'].map((name) => Number(new RegExp(`${name}:(\\d+)`).exec(text)?.[1]));
  }

  it('every command moves the change, hit and miss counters as Redis 7.0.15 does', async () => {
    const commands: Command[] = [
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['HSET', 'h', 'a', '1'],
      ['HSET', 'new', 'a', '1', 'b', '2'],
      ['HMSET', 'h', 'd', '4', 'e', '5'],
      ['HSETNX', 'h', 'a', '9'],
      ['HSETNX', 'h', 'z', '9'],
      ['HSETNX', 'new2', 'z', '9'],
      ['HGET', 'h', 'a'],
      ['HGET', 'h', 'zz'],
      ['HGET', 'missing', 'a'],
      ['HMGET', 'h', 'a', 'b'],
      ['HGETALL', 'h'],
      ['HGETALL', 'missing'],
      ['HKEYS', 'h'],
      ['HVALS', 'missing'],
      ['HLEN', 'h'],
      ['HEXISTS', 'h', 'a'],
      ['HSTRLEN', 'missing', 'a'],
      ['HINCRBY', 'h', 'n', '1'],
      ['HINCRBY', 'fresh', 'n', '1'],
      ['HINCRBYFLOAT', 'h', 'n', '1.5'],
      ['HINCRBYFLOAT', 'fresh2', 'n', '1.5'],
      ['HINCRBY', 'h', 'a', 'x'],
      ['HDEL', 'h', 'a', 'b', 'zz'],
      ['HDEL', 'h', 'zz'],
      ['HDEL', 'new', 'a', 'b'],
      ['HRANDFIELD', 'missing'],
      ['HRANDFIELD', 'h', '0'],
      ['HSCAN', 'h', '0'],
      ['HSCAN', 'missing', '0'],
    ];
    await Promise.all([oursConnection.pipeline([['HELLO', '2'], ['FLUSHALL'], DEFAULT_LIMITS]), redisConnection.pipeline([['HELLO', '2'], ['FLUSHALL'], DEFAULT_LIMITS])]);
    for (const command of commands) {
      const [oursBefore, redisBefore] = await Promise.all([counters(oursConnection), counters(redisConnection)]);
      const [mine, theirs] = await Promise.all([oursConnection.pipeline([command]), redisConnection.pipeline([command])]);
      expect(mine, command.join(' ')).toEqual(theirs);
      const [oursAfter, redisAfter] = await Promise.all([counters(oursConnection), counters(redisConnection)]);
      const delta = (after: number[], before: number[]): number[] => after.map((value, i) => value - before[i]!);
      expect(delta(oursAfter, oursBefore), command.join(' ')).toEqual(delta(redisAfter, redisBefore));
    }
  });

  it('COMMAND INFO of the hash commands matches Redis', async () => {
    const names = ['hset', 'hsetnx', 'hget', 'hmget', 'hmset', 'hgetall', 'hdel', 'hexists', 'hlen', 'hstrlen', 'hkeys', 'hvals', 'hincrby', 'hincrbyfloat', 'hrandfield', 'hscan'];
    const [mine, theirs] = await Promise.all([oursConnection.pipeline([['COMMAND', 'INFO', ...names]]), redisConnection.pipeline([['COMMAND', 'INFO', ...names]])]);
    // Name, arity, flags, first/last/step key and ACL categories (the first 7 fields).
    const head = (reply: RespValue): RespValue[] => (reply as RespValue[][]).map((entry) => entry.slice(0, 7));
    expect(head(mine[0]!)).toEqual(head(theirs[0]!));
  });
});
