import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { run, same as sameReplies, type Commands, type Normalised } from '../helpers/side-by-side.js';

// The generic keyspace commands against a real redis-server 7.0: the same commands go to both
// servers and the replies (values, errors, encodings, refcounts) must be identical. Replies
// whose order is Redis' hash order (KEYS, SCAN) are compared as sets.

let ours: RunningServer;
let redis: RunningServer;
let oursClient: Redis;
let redisClient: Redis;

/** Same replies from both servers; KEYS (and any command named in `sets`) compared as sets. */
function same(commands: Commands, sets: readonly string[] = ['keys']): Promise<Normalised[]> {
  return sameReplies(oursClient, redisClient, commands, { sets, ttlSeconds: 0 });
}

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(['--enable-debug-command', 'yes']), startRedis()]);
  oursClient = new Redis({ port: ours.port, lazyConnect: true });
  redisClient = new Redis({ port: redis.port, lazyConnect: true });
  await Promise.all([oursClient.connect(), redisClient.connect()]);
});

afterAll(async () => {
  oursClient?.disconnect();
  redisClient?.disconnect();
  await Promise.all([ours?.stop(), redis?.stop()]);
});

beforeEach(async () => {
  await Promise.all([run(oursClient, [['flushall'], ['select', '0']]), run(redisClient, [['flushall'], ['select', '0']])]);
});

describe('DEL, UNLINK, EXISTS, TOUCH, TYPE, DBSIZE', () => {
  it('count keys the way Redis does, repeats included', async () => {
    await same([
      ['set', 'a', '1'],
      ['set', 'b', '2'],
      ['set', 'c', '3'],
      ['exists', 'a', 'a', 'b', 'missing'],
      ['touch', 'a', 'missing', 'a'],
      ['dbsize'],
      ['del', 'a', 'a', 'missing'],
      ['unlink', 'b', 'b'],
      ['exists', 'a', 'b', 'c'],
      ['dbsize'],
      ['type', 'c'],
      ['type', 'missing'],
      ['del'],
      ['unlink'],
      ['exists'],
      ['touch'],
      ['type'],
      ['type', 'a', 'b'],
      ['dbsize', 'x'],
    ]);
  });

  it('skips keys whose TTL has passed', async () => {
    await same([['set', 'gone', 'v', 'px', '1']]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await same([['exists', 'gone'], ['type', 'gone'], ['del', 'gone'], ['touch', 'gone']]);
  });
});

describe('KEYS', () => {
  it('matches glob patterns like Redis', async () => {
    const keys = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h*llo', 'h[a]llo', 'a\\b', 'Hello', '', 'x\xff', 'x\x80'];
    await same(keys.map((key) => ['set', key, 'v']));
    const patterns = ['*', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[b-a]llo', 'h\\*llo', 'a\\\\b', '[', '[^', 'x[a-\xff]', '**', '', '?', 'H*', '*[', '*\\'];
    await same(patterns.map((pattern) => ['keys', pattern]));
    await same([['keys'], ['keys', 'a', 'b']]);
  });
});

describe('SCAN', () => {
  async function fullScan(client: Redis, extra: string[]): Promise<string[]> {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = (await client.call('scan', cursor, ...extra)) as [string, string[]];
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== '0');
    return [...found].sort();
  }

  it('iterates the same keys with MATCH, COUNT and TYPE', async () => {
    const commands: string[][] = [];
    for (let i = 0; i < 300; i++) commands.push(['set', `key:${i}`, String(i)]);
    commands.push(['set', 'other', 'x']);
    await same(commands);
    for (const extra of [[], ['count', '7'], ['match', 'key:1*'], ['match', 'key:1*', 'count', '1000'], ['type', 'string'], ['type', 'STRING'], ['type', 'list'], ['type', 'nosuchtype'], ['match', '*', 'count', '3']]) {
      const [mine, theirs] = await Promise.all([fullScan(oursClient, extra), fullScan(redisClient, extra)]);
      expect(mine, extra.join(' ')).toEqual(theirs);
    }
    expect((await fullScan(oursClient, [])).length).toBe(301);
  });

  it('rejects bad cursors and options with the same errors', async () => {
    await same(
      [
        ['set', 'a', '1'],
        ['scan', 'x'],
        ['scan', ' 1'],
        ['scan', '1 '],
        ['scan', '+'],
        ['scan', '18446744073709551616'],
        ['scan', '0x10'],
        ['scan', '0', 'count', '0'],
        ['scan', '0', 'count', '-1'],
        ['scan', '0', 'count', 'x'],
        ['scan', '0', 'match'],
        ['scan', '0', 'count'],
        ['scan', '0', 'type', 'string', 'type'],
        ['scan', '0', 'foo', 'bar'],
        ['scan'],
        ['scan', '0'],
        ['scan', ''],
        ['scan', '+0'],
        ['scan', '-0'],
      ],
      ['scan'],
    );
  });

  it('accepts every cursor strtoul accepts and finishes from it', async () => {
    for (const cursor of ['18446744073709551615', '-1', '+5', '99999']) {
      const [next] = (await oursClient.call('scan', cursor)) as [string, string[]];
      expect(next).toBe('0');
    }
  });

  it('expires keys it meets, after the pattern filter, as Redis does', async () => {
    const setup: string[][] = [['debug', 'set-active-expire', '0']];
    for (let i = 0; i < 20; i++) setup.push(['set', `t${i}`, 'v', 'px', '1'], ['set', `k${i}`, 'v']);
    await same(setup);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [mine, theirs] = await Promise.all([fullScan(oursClient, ['match', 't1*']), fullScan(redisClient, ['match', 't1*'])]);
    expect(mine).toEqual(theirs);
    expect(mine).toEqual([]);
    // t1, t10..t19 matched and were removed; the other expired keys are still counted.
    await same([['dbsize'], ['debug', 'set-active-expire', '1']]);
  });

  it('returns every key present for the whole iteration while others come and go', async () => {
    const stable: string[][] = [];
    for (let i = 0; i < 200; i++) stable.push(['set', `stable:${i}`, 'v']);
    await run(oursClient, stable);
    const found = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const churn: string[][] = [];
      for (let i = 0; i < 15; i++) churn.push(['set', `churn:${round}:${i}`, 'v']);
      for (let i = 0; i < 10; i++) churn.push(['del', `churn:${round - 1}:${i}`]);
      await run(oursClient, churn);
      const [next, keys] = (await oursClient.call('scan', cursor, 'count', '5')) as [string, string[]];
      for (const key of keys) found.add(key);
      cursor = next;
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 200; i++) expect(found.has(`stable:${i}`)).toBe(true);
  });
});

describe('RANDOMKEY', () => {
  it('returns null on an empty database and a present key otherwise', async () => {
    await same([['randomkey'], ['randomkey', 'x']]);
    await same([['set', 'only', '1'], ['randomkey']]);
    await run(oursClient, [['set', 'a', '1'], ['set', 'b', '2']]);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await oursClient.randomkey())!);
    expect([...seen].sort()).toEqual(['a', 'b', 'only']);
  });
});

describe('RENAME and RENAMENX', () => {
  it('answer and fail like Redis', async () => {
    await same([
      ['rename', 'missing', 'x'],
      ['renamenx', 'missing', 'x'],
      ['set', 'a', '1'],
      ['rename', 'a', 'a'],
      ['renamenx', 'a', 'a'],
      ['rename', 'a', 'b'],
      ['get', 'a'],
      ['get', 'b'],
      ['set', 'c', '3'],
      ['renamenx', 'b', 'c'],
      ['renamenx', 'b', 'd'],
      ['rename', 'd', 'c'],
      ['get', 'c'],
      ['exists', 'b', 'd'],
      ['rename', 'a'],
      ['renamenx', 'a', 'b', 'c'],
    ]);
  });

  it('carry the TTL, drop the destination TTL and keep the encoding', async () => {
    await same([
      ['set', 'src', 'value'],
      ['pexpire', 'src', '100000'],
      ['set', 'dst', 'old', 'px', '500000'],
      ['rename', 'src', 'dst'],
      ['pttl', 'dst'],
      ['set', 'plain', 'p'],
      ['set', 'ttl', 't', 'px', '500000'],
      ['rename', 'plain', 'ttl'],
      ['pttl', 'ttl'],
      ['set', 'n', '123'],
      ['append', 'n', '4'],
      ['rename', 'n', 'm'],
      ['object', 'encoding', 'm'],
      ['set', 'shared', '7'],
      ['rename', 'shared', 's2'],
      ['object', 'refcount', 's2'],
    ]);
  });
});

describe('COPY', () => {
  it('answers and fails like Redis', async () => {
    await same([
      ['copy', 'missing', 'x'],
      ['set', 'a', 'hello'],
      ['copy', 'a', 'a'],
      ['copy', 'a', 'a', 'db', '0'],
      ['copy', 'a', 'a', 'db', '1'],
      ['copy', 'a', 'b'],
      ['copy', 'a', 'b'],
      ['copy', 'a', 'b', 'replace'],
      ['copy', 'a', 'b', 'REPLACE', 'DB', '0'],
      ['copy', 'a', 'c', 'db', '99'],
      ['copy', 'a', 'c', 'db', '-1'],
      ['copy', 'a', 'c', 'db', 'x'],
      ['copy', 'a', 'c', 'db', '4294967296'],
      ['copy', 'a', 'c', 'db'],
      ['copy', 'a', 'c', 'foo'],
      ['copy', 'missing', 'missing'],
      ['copy', 'a'],
      ['get', 'b'],
    ]);
  });

  it('carries the TTL and the encoding, and a copied shared integer is its own object', async () => {
    await same([
      ['set', 'src', 'v', 'px', '100000'],
      ['copy', 'src', 'dst', 'db', '3'],
      ['set', 'int', '42'],
      ['copy', 'int', 'int2'],
      ['object', 'refcount', 'int'],
      ['object', 'refcount', 'int2'],
      ['object', 'encoding', 'int2'],
      ['set', 'r', 'abc'],
      ['append', 'r', 'd'],
      ['copy', 'r', 'r2'],
      ['object', 'encoding', 'r2'],
      ['select', '3'],
      ['get', 'dst'],
      ['pttl', 'dst'],
      ['select', '0'],
      ['set', 'keep', 'k', 'px', '300000'],
      ['copy', 'int', 'keep', 'replace'],
      ['pttl', 'keep'],
      ['get', 'keep'],
    ]);
  });
});

describe('MOVE', () => {
  it('answers and fails like Redis, carrying the TTL', async () => {
    await same([
      ['move', 'missing', '1'],
      ['set', 'a', '1'],
      ['move', 'a', '0'],
      ['move', 'a', '99'],
      ['move', 'a', '-1'],
      ['move', 'a', 'x'],
      ['move', 'a', '4294967296'],
      ['move', 'a', '99999999999999999999'],
      ['pexpire', 'a', '200000'],
      ['move', 'a', '1'],
      ['exists', 'a'],
      ['set', 'b', 'here'],
      ['select', '1'],
      ['pttl', 'a'],
      ['set', 'b', 'there'],
      ['select', '0'],
      ['move', 'b', '1'],
      ['get', 'b'],
      ['move', 'b'],
    ]);
  });
});

describe('SWAPDB, FLUSHDB, FLUSHALL', () => {
  it('swap databases for every client and reject bad indexes', async () => {
    await same([
      ['set', 'in0', 'a'],
      ['select', '2'],
      ['set', 'in2', 'b'],
      ['swapdb', '0', '2'],
      ['keys', '*'],
      ['select', '0'],
      ['keys', '*'],
      ['swapdb', '0', '0'],
      ['swapdb', '0', '16'],
      ['swapdb', '-1', '0'],
      ['swapdb', 'x', '0'],
      ['swapdb', '0', 'x'],
      ['swapdb', '4294967296', '0'],
      ['swapdb', '0', '4294967296'],
      ['swapdb', '0'],
    ]);
  });

  it('flush with SYNC, ASYNC or nothing, and reject anything else', async () => {
    await same([
      ['set', 'a', '1'],
      ['select', '1'],
      ['set', 'b', '1'],
      ['flushdb', 'foo'],
      ['flushdb', 'sync', 'async'],
      ['flushdb', 'ASYNC'],
      ['dbsize'],
      ['select', '0'],
      ['dbsize'],
      ['flushall', 'x'],
      ['flushall', 'sync'],
      ['dbsize'],
      ['set', 'c', '1'],
      ['flushdb'],
      ['flushall'],
      ['flushall', 'async'],
      ['dbsize'],
    ]);
  });

  it('count flushed keys as changes in INFO persistence like Redis', async () => {
    const changes = async (client: Redis): Promise<number> => Number(/rdb_changes_since_last_save:(\d+)/.exec(await client.info('persistence'))![1]);
    const before = await Promise.all([changes(oursClient), changes(redisClient)]);
    await same([['set', 'a', '1'], ['set', 'b', '2'], ['flushdb'], ['set', 'c', '1'], ['flushall'], ['set', 'd', '1'], ['del', 'd', 'd'], ['swapdb', '0', '1'], ['swapdb', '0', '1'], ['flushall']]);
    const after = await Promise.all([changes(oursClient), changes(redisClient)]);
    expect(after[0] - before[0]).toBe(after[1] - before[1]);
  });
});

describe('OBJECT', () => {
  it('reports string encodings and refcounts like Redis', async () => {
    const values = ['0', '9999', '10000', '-1', '123', '0123', '-0', '+1', '1.5', 'abc', 'x'.repeat(44), 'x'.repeat(45), '12345678901234567890', '-9223372036854775808', '9223372036854775807', '9223372036854775808', '-9223372036854775809', '123456789012345678901'];
    const commands: string[][] = [];
    values.forEach((value, i) => commands.push(['set', `v${i}`, value], ['object', 'encoding', `v${i}`], ['object', 'refcount', `v${i}`]));
    commands.push(['set', 'ap', '12'], ['append', 'ap', '3'], ['object', 'encoding', 'ap'], ['object', 'refcount', 'ap']);
    commands.push(['set', 'ap', '12'], ['object', 'encoding', 'ap']);
    commands.push(['setrange', 'sr', '0', 'ab'], ['object', 'encoding', 'sr']);
    await same(commands);
  });

  it('answers missing keys, help and errors like Redis', async () => {
    await same([
      ['object', 'encoding', 'missing'],
      ['object', 'refcount', 'missing'],
      ['object', 'idletime', 'missing'],
      ['object', 'freq', 'missing'],
      ['set', 'a', '1'],
      ['object', 'freq', 'a'],
      ['object', 'help'],
      ['OBJECT', 'HELP'],
      ['object', 'help', 'x'],
      ['object'],
      ['object', 'nosuch'],
      ['object', 'encoding'],
      ['object', 'encoding', 'a', 'b'],
    ]);
  });

  it('reports the idle time and does not refresh it on OBJECT, EXISTS, TYPE or TTL', async () => {
    await run(oursClient, [['set', 'k', 'v']]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const replies = await run(oursClient, [['exists', 'k'], ['type', 'k'], ['ttl', 'k'], ['object', 'encoding', 'k'], ['object', 'idletime', 'k'], ['get', 'k'], ['object', 'idletime', 'k']]);
    expect(replies[4]).toBeGreaterThanOrEqual(2);
    expect(replies[6]).toBe(0);
  });
});

describe('OBJECT under an LFU policy', () => {
  let lfuOurs: RunningServer;
  let lfuRedis: RunningServer;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    const args = ['--maxmemory-policy', 'allkeys-lfu'];
    [lfuOurs, lfuRedis] = await Promise.all([startServer(args), startRedis(args)]);
    a = new Redis({ port: lfuOurs.port });
    b = new Redis({ port: lfuRedis.port });
  });
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await Promise.all([lfuOurs?.stop(), lfuRedis?.stop()]);
  });

  it('refuses IDLETIME with the same error and answers null for a missing key', async () => {
    const commands = [['set', 'k', 'v'], ['object', 'idletime', 'k'], ['object', 'idletime', 'missing'], ['object', 'freq', 'missing']];
    expect(await run(a, commands)).toEqual(await run(b, commands));
  });
});

describe('COMMAND INFO', () => {
  it('declares arity, flags, key positions and ACL categories as Redis 7.0', async () => {
    const names = ['del', 'unlink', 'exists', 'type', 'keys', 'scan', 'randomkey', 'rename', 'renamenx', 'copy', 'touch', 'object', 'swapdb', 'move', 'flushdb', 'flushall', 'dbsize'];
    const head = (entry: unknown): unknown => {
      const info = entry as unknown[];
      const subcommands = (info[9] as unknown[] | undefined) ?? [];
      return [...info.slice(0, 7), subcommands.map(head).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1))];
    };
    const [mine, theirs] = await Promise.all([oursClient.call('command', 'info', ...names), redisClient.call('command', 'info', ...names)]);
    expect((mine as unknown[]).map(head)).toEqual((theirs as unknown[]).map(head));
  });

  it('documents summary, since, group and complexity as Redis 7.0', async () => {
    const names = ['del', 'scan', 'copy', 'object', 'swapdb', 'flushall', 'dbsize'];
    const pick = (docs: unknown): Record<string, unknown> => {
      const flat = docs as unknown[];
      const out: Record<string, unknown> = {};
      for (let i = 0; i < flat.length; i += 2) {
        const fields = flat[i + 1] as unknown[];
        const doc: Record<string, unknown> = {};
        for (let j = 0; j < fields.length; j += 2) {
          if (['summary', 'since', 'group', 'complexity'].includes(fields[j] as string)) doc[fields[j] as string] = fields[j + 1];
        }
        out[flat[i] as string] = doc;
      }
      return out;
    };
    const [mine, theirs] = await Promise.all([oursClient.call('command', 'docs', ...names), redisClient.call('command', 'docs', ...names)]);
    expect(pick(mine)).toEqual(pick(theirs));
  });
});
