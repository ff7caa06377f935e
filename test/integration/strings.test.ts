import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import fc from 'fast-check';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { run, same as sameReplies, type Commands, type Normalised } from '../helpers/side-by-side.js';

// Every string command (bit commands aside) against a real redis-server 7.0: the same commands go
// to both servers, and the replies (values, errors, TTLs, encodings) must be identical.

let ours: RunningServer;
let redis: RunningServer;
let oursClient: Redis;
let redisClient: Redis;

/**
 * Same replies from both servers (from an empty keyspace). A positive TTL may differ by one second:
 * the servers read their clocks a moment apart and Redis rounds to the nearest second.
 */
function same(commands: Commands): Promise<Normalised[]> {
  return sameReplies(oursClient, redisClient, commands, { ttlSeconds: 1, pttlMs: 0 });
}

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
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
  await Promise.all([oursClient.flushall(), redisClient.flushall()]);
});

const FUTURE_S = String(Math.floor(Date.now() / 1000) + 1000);
const FUTURE_MS = String(Date.now() + 1_000_000);

describe('GET and SET', () => {
  it('answers plain GET/SET, binary values and missing keys alike', async () => {
    await same([
      ['get', 'missing'],
      ['set', 'k', 'v'],
      ['get', 'k'],
      ['set', 'bin', '\0\xff\r\n\x80'],
      ['get', 'bin'],
      ['set', 'empty', ''],
      ['get', 'empty'],
      ['set', 'k', '123'],
      ['object', 'encoding', 'k'],
      ['get'],
      ['get', 'a', 'b'],
      ['set', 'k'],
    ]);
  });

  it('parses every combination of SET options like Redis, with its replies, values and TTLs', async () => {
    const options: string[][] = [
      ['NX'], ['xx'], ['GET'], ['KEEPTTL'], ['EX', '100'], ['px', '100000'], ['EXAT', FUTURE_S], ['PXAT', FUTURE_MS],
      ['EX', '0'], ['PX', '-1'], ['EX', 'abc'], ['EX'], ['EX', '9223372036854776'], ['PX', '9223372036854775807'],
      ['EXAT', '9223372036854775807'], ['EX', '1.5'], ['FOO'], ['PERSIST'],
    ];
    const commands: string[][] = [];
    let n = 0;
    for (const first of options) {
      for (const second of [[], ...options]) {
        const key = `k${n++}`;
        // Alternate between a missing key and one that exists with a TTL.
        if (n % 2 === 0) commands.push(['set', key, 'old', 'EX', '500']);
        commands.push(['set', key, 'new', ...first, ...second], ['get', key], ['ttl', key]);
      }
    }
    await same(commands);
  });

  it('keeps or clears the TTL and lets NX+GET, XX+GET and repeated options through', async () => {
    await same([
      ['set', 'k', 'v', 'EX', '100'],
      ['set', 'k', 'w', 'KEEPTTL'],
      ['ttl', 'k'],
      ['set', 'k', 'x'],
      ['ttl', 'k'],
      ['set', 'k', 'y', 'NX', 'GET'],
      ['set', 'nk', 'y', 'NX', 'GET'],
      ['get', 'nk'],
      ['set', 'xk', 'y', 'XX', 'GET'],
      ['exists', 'xk'],
      ['set', 'k', 'z', 'XX', 'GET', 'EX', '10', 'EX', '20'],
      ['ttl', 'k'],
      ['set', 'k', 'z', 'nx', 'nx'],
      ['set', 'k', 'z', 'get', 'GET'],
      ['set', 'k', 'z', 'KEEPTTL', 'keepttl'],
      ['set', 'k', 'z', 'NX', 'XX'],
      ['set', 'k', 'z', 'EX', '10', 'PX', '10'],
      ['set', 'k', 'z', 'KEEPTTL', 'EX', '10'],
      ['set', 'k', 'z', 'EX', '10', 'KEEPTTL'],
      // The largest PXAT is accepted (its TTL is not compared: expiry times are stored as doubles).
      ['set', 'far', 'v', 'PXAT', '9223372036854775807'],
      ['exists', 'far'],
    ]);
  });

  it('stores an absolute time already past, so the key is gone on its next access', async () => {
    await same([
      ['set', 'k', 'v', 'PXAT', '1'],
      ['exists', 'k'],
      ['set', 'k', 'v', 'EXAT', '1', 'GET'],
      ['get', 'k'],
      ['set', 'k', 'v'],
      ['set', 'k', 'w', 'EXAT', '1', 'GET'],
      ['get', 'k'],
    ]);
    const [ourInfo, redisInfo] = await Promise.all([oursClient.info('stats'), redisClient.info('stats')]);
    const expired = (info: string): string | undefined => /expired_keys:(\d+)/.exec(info)?.[1];
    expect(expired(ourInfo)).toBe(expired(redisInfo));
  });
});

describe('SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX', () => {
  it('matches Redis on the SET variants and their errors', async () => {
    await same([
      ['setnx', 'k', 'a'],
      ['setnx', 'k', 'b'],
      ['get', 'k'],
      ['setex', 'k', '100', 'c'],
      ['get', 'k'],
      ['ttl', 'k'],
      ['psetex', 'p', '100000', 'd'],
      ['ttl', 'p'],
      ['setex', 'k', '0', 'x'],
      ['setex', 'k', '-5', 'x'],
      ['setex', 'k', 'abc', 'x'],
      ['setex', 'k', '9223372036854776', 'x'],
      ['psetex', 'k', '0', 'x'],
      ['psetex', 'k', '9223372036854775807', 'x'],
      ['psetex', 'k', '1.5', 'x'],
      ['get', 'k'],
      ['setex', 'k', '100'],
      ['setnx', 'k'],
    ]);
  });

  it('GETSET returns the old value and clears the TTL; GETDEL deletes', async () => {
    await same([
      ['getset', 'k', 'a'],
      ['set', 'k', 'b', 'EX', '100'],
      ['getset', 'k', 'c'],
      ['ttl', 'k'],
      ['get', 'k'],
      ['getdel', 'k'],
      ['exists', 'k'],
      ['getdel', 'k'],
      ['getdel', 'k', 'extra'],
    ]);
  });

  it('GETEX sets, replaces or removes the TTL, validating like Redis', async () => {
    await same([
      ['getex', 'missing'],
      ['getex', 'missing', 'EX', '0'],
      ['getex', 'missing', 'FOO'],
      ['set', 'k', 'v'],
      ['getex', 'k'],
      ['ttl', 'k'],
      ['getex', 'k', 'EX', '100'],
      ['ttl', 'k'],
      ['getex', 'k', 'px', '200000'],
      ['ttl', 'k'],
      ['getex', 'k', 'EXAT', FUTURE_S],
      ['ttl', 'k'],
      ['getex', 'k', 'PXAT', FUTURE_MS],
      ['ttl', 'k'],
      ['getex', 'k', 'PERSIST'],
      ['ttl', 'k'],
      ['getex', 'k', 'EX', '0'],
      ['getex', 'k', 'EX', '-1'],
      ['getex', 'k', 'EX', 'x'],
      ['getex', 'k', 'EX'],
      ['getex', 'k', 'EX', '10', 'PX', '10'],
      ['getex', 'k', 'PERSIST', 'EX', '10'],
      ['getex', 'k', 'EX', '10', 'PERSIST'],
      ['getex', 'k', 'PERSIST', 'persist'],
      ['getex', 'k', 'EX', '10', 'EX', '20'],
      ['ttl', 'k'],
      ['getex', 'k', 'KEEPTTL'],
      ['getex', 'k', 'NX'],
      ['getex', 'k', 'GET'],
      ['getex', 'k', 'EX', '9223372036854776'],
      ['getex', 'k', 'PX', '9223372036854775807'],
      ['getex', 'k', 'EXAT', '1'],
      ['exists', 'k'],
      ['set', 'k', 'v'],
      ['getex', 'k', 'PXAT', '1'],
      ['exists', 'k'],
      ['getex'],
    ]);
  });
});

describe('MGET, MSET, MSETNX', () => {
  it('matches Redis, including odd argument counts and repeated keys', async () => {
    await same([
      ['mset', 'a', '1', 'b', '2'],
      ['mget', 'a', 'b', 'c', 'a'],
      ['mset', 'a'],
      ['mset', 'a', '1', 'b'],
      ['msetnx', 'a', '1', 'b'],
      ['msetnx', 'a', '9', 'z', '9'],
      ['mget', 'a', 'z'],
      ['msetnx', 'y', '1', 'z', '2'],
      ['msetnx', 'q', '1', 'q', '2'],
      ['get', 'q'],
      ['set', 't', 'v', 'EX', '100'],
      ['mset', 't', 'w'],
      ['ttl', 't'],
      ['mget'],
      ['mset'],
    ]);
  });
});

describe('APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE', () => {
  it('APPEND keeps the TTL and leaves a raw string, STRLEN counts bytes', async () => {
    await same([
      ['append', 'k', '123'],
      ['object', 'encoding', 'k'],
      ['append', 'k', '4'],
      ['object', 'encoding', 'k'],
      ['get', 'k'],
      ['set', 't', '10', 'EX', '100'],
      ['append', 't', ''],
      ['ttl', 't'],
      ['object', 'encoding', 't'],
      ['strlen', 'k'],
      ['strlen', 'missing'],
      ['set', 'bin', '\xff\0\xfe'],
      ['strlen', 'bin'],
      ['append', 'k'],
    ]);
  });

  it('GETRANGE and SUBSTR handle every kind of index', async () => {
    const indexes = ['0', '1', '4', '5', '10', '-1', '-2', '-5', '-6', '-100', '9223372036854775807', '-9223372036854775808'];
    const commands: string[][] = [['set', 's', 'hello'], ['set', 'e', '']];
    for (const start of indexes) {
      for (const end of indexes) {
        commands.push(['getrange', 's', start, end], ['substr', 'e', start, end]);
      }
    }
    commands.push(['getrange', 'missing', '0', '-1'], ['getrange', 's', 'a', '1'], ['getrange', 's', '0', '1.5'], ['getrange', 's', '0']);
    await same(commands);
  });

  it('SETRANGE pads, creates only when writing, keeps the TTL and checks the offset', async () => {
    await same([
      ['setrange', 'k', '0', ''],
      ['exists', 'k'],
      ['setrange', 'k', '3', 'x'],
      ['get', 'k'],
      ['object', 'encoding', 'k'],
      ['set', 's', 'hello', 'EX', '100'],
      ['setrange', 's', '1', 'EL'],
      ['setrange', 's', '7', '!'],
      ['get', 's'],
      ['ttl', 's'],
      ['setrange', 's', '2', ''],
      ['setrange', 's', '-1', 'x'],
      ['setrange', 's', 'x', 'x'],
      ['setrange', 's', '536870912', 'x'],
      ['setrange', 'n', '536870912', 'x'],
      ['setrange', 'n', '9223372036854775807', 'x'],
      ['setrange', 'n', '536870911', ''],
      ['setrange', 's', '1'],
    ]);
  });

  it('applies proto-max-bulk-len to APPEND and SETRANGE', async () => {
    const limit = 1024 * 1024;
    await same([
      ['config', 'set', 'proto-max-bulk-len', String(limit)],
      ['setrange', 'k', String(limit - 1), 'x'],
      ['setrange', 'k', String(limit), 'x'],
      ['append', 'k', 'y'],
      ['strlen', 'k'],
      ['config', 'set', 'proto-max-bulk-len', '536870912'],
    ]);
  });

  it('GETRANGE after SETRANGE agrees with Redis at random offsets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 8 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), {
          maxLength: 6,
        }),
        async (initial, steps) => {
          const commands: string[][] = [['del', 'r'], ['set', 'r', initial]];
          for (const [offset, patch, start, end] of steps) {
            commands.push(['setrange', 'r', String(offset), patch], ['getrange', 'r', String(start), String(end)], ['strlen', 'r']);
          }
          commands.push(['get', 'r']);
          await same(commands);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('INCR, DECR, INCRBY, DECRBY', () => {
  it('is exact over the whole int64 range, with Redis overflow and parse errors', async () => {
    await same([
      ['incr', 'n'],
      ['decr', 'n'],
      ['decr', 'n'],
      ['incrby', 'n', '9007199254740993'],
      ['incrby', 'n', '9007199254740993'],
      ['set', 'n', '9223372036854775806'],
      ['incr', 'n'],
      ['incr', 'n'],
      ['incrby', 'n', '-9223372036854775808'],
      ['decrby', 'n', '-9223372036854775808'],
      ['decrby', 'n', '9223372036854775808'],
      ['set', 'm', '-9223372036854775808'],
      ['decr', 'm'],
      ['decrby', 'm', '1'],
      ['incrby', 'm', '9223372036854775807'],
      ['set', 'm', '-9223372036854775807'],
      ['decrby', 'm', '1'],
      ['get', 'm'],
      ['set', 'f', '1.5'],
      ['incr', 'f'],
      ['set', 'sp', ' 1'],
      ['incr', 'sp'],
      ['set', 'p', '+1'],
      ['incr', 'p'],
      ['set', 'z', '01'],
      ['incr', 'z'],
      ['set', 'mz', '-0'],
      ['incr', 'mz'],
      ['set', 'big', '12345678901234567890'],
      ['incr', 'big'],
      ['incrby', 'x', 'abc'],
      ['incrby', 'x', ''],
      ['incrby', 'x', '1.0'],
      ['decrby', 'x', '99999999999999999999'],
      ['exists', 'x'],
      ['set', 't', '5', 'EX', '100'],
      ['incr', 't'],
      ['ttl', 't'],
      ['object', 'encoding', 't'],
      ['incr'],
      ['incrby', 'n'],
    ]);
  });

  it('agrees with Redis on random int64 increments', async () => {
    const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    await fc.assert(
      fc.asyncProperty(int64, fc.array(fc.oneof(int64, fc.bigInt({ min: -1000n, max: 1000n })), { maxLength: 5 }), async (start, steps) => {
        const commands: string[][] = [['set', 'c', String(start)]];
        for (const [i, step] of steps.entries()) commands.push([i % 2 ? 'decrby' : 'incrby', 'c', String(step)]);
        commands.push(['get', 'c']);
        await same(commands);
      }),
      { numRuns: 100 },
    );
  });
});

describe('INCRBYFLOAT', () => {
  it('prints what Redis prints for its long double arithmetic', async () => {
    const cases: [string | undefined, string][] = [
      ['10.5', '0.1'], [undefined, '0.1'], ['0.1', '0.2'], ['1000.1', '0'], ['5.0e3', '2.0e2'], [undefined, '3.0e3'],
      [undefined, '-5'], [undefined, '1e300'], ['1e300', '1e-300'], [undefined, '1.1e4000'], [undefined, '-1.18973149535723176502e+4932'],
      [undefined, '1e4933'], [undefined, '1e-4960'], [undefined, '3.6e-4951'], [undefined, '2e-18'], [undefined, '3.814697265625e-6'],
      [undefined, '-0.000000000000000001'], [undefined, '0x1p-3'], [undefined, '0X1.8P1'], [undefined, '.5'], [undefined, '5.'],
      [undefined, '+5'], [undefined, '-0'], [undefined, 'inf'], [undefined, '-Infinity'], [undefined, 'nan'], [undefined, ' 1'],
      [undefined, '1 '], [undefined, ''], [undefined, '1e'], [undefined, '0x'], [undefined, '1\x00'], ['inf', '1'], ['abc', '1'],
      ['1.5', 'abc'], ['1e4932', '1e4932'], ['1.18973149535723176502e+4932', '-1'], ['9007199254740993', '0.5'],
      ['12345678901234567890.123', '0.001'], ['-3.5', '3.5'], ['0.30000000000000000001', '1'],
      [undefined, 'x'.repeat(5120)], [undefined, '1'.repeat(5119)],
    ];
    const commands: string[][] = [];
    cases.forEach(([initial, increment], i) => {
      if (initial !== undefined) commands.push(['set', `f${i}`, initial]);
      commands.push(['incrbyfloat', `f${i}`, increment], ['get', `f${i}`]);
    });
    commands.push(['set', 't', '1', 'EX', '100'], ['incrbyfloat', 't', '1.5'], ['ttl', 't'], ['incrbyfloat', 't'], ['incrbyfloat', 't', '1', '2']);
    await same(commands);
  });

  it('agrees with Redis on random decimal increments, chained', async () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{1,12}$/), fc.stringMatching(/^\d{0,12}$/), fc.option(fc.integer({ min: -30, max: 30 })))
      .map(([negative, whole, fraction, exponent]) => `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}${exponent === null ? '' : 'e' + exponent}`);
    await fc.assert(
      fc.asyncProperty(fc.array(decimal, { minLength: 1, maxLength: 6 }), async (increments) => {
        await same([['del', 'g'], ...increments.map((increment) => ['incrbyfloat', 'g', increment])]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('LCS', () => {
  it('answers the subsequence, LEN and IDX with MINMATCHLEN/WITHMATCHLEN like Redis', async () => {
    await same([
      ['mset', 'a', 'ohmytext', 'b', 'mynewtext'],
      ['lcs', 'a', 'b'],
      ['lcs', 'a', 'b', 'LEN'],
      ['lcs', 'a', 'b', 'idx'],
      ['lcs', 'a', 'b', 'IDX', 'MINMATCHLEN', '4'],
      ['lcs', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
      ['lcs', 'a', 'b', 'IDX', 'MINMATCHLEN', '-5', 'WITHMATCHLEN'],
      ['lcs', 'a', 'b', 'LEN', 'WITHMATCHLEN'],
      ['lcs', 'a', 'b', 'LEN', 'IDX'],
      ['lcs', 'a', 'b', 'FOO'],
      ['lcs', 'a', 'b', 'MINMATCHLEN'],
      ['lcs', 'a', 'b', 'MINMATCHLEN', 'x'],
      ['lcs', 'missing', 'b'],
      ['lcs', 'missing', 'other', 'IDX'],
      ['lcs', 'a', 'a', 'IDX', 'WITHMATCHLEN'],
      ['lcs', 'a'],
    ]);
  });

  it('agrees with Redis on random strings', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '\xff'), maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(text, text, fc.integer({ min: 0, max: 4 }), async (a, b, min) => {
        await same([
          ['mset', 'x', a, 'y', b],
          ['lcs', 'x', 'y'],
          ['lcs', 'x', 'y', 'LEN'],
          ['lcs', 'x', 'y', 'IDX', 'MINMATCHLEN', String(min), 'WITHMATCHLEN'],
        ]);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a table larger than proto-max-bulk-len', async () => {
    await same([
      ['config', 'set', 'proto-max-bulk-len', String(1024 * 1024)],
      ['mset', 'x', 'a'.repeat(600), 'y', 'b'.repeat(600)],
      ['lcs', 'x', 'y'],
      ['config', 'set', 'proto-max-bulk-len', '536870912'],
    ]);
  });

  it('sends the IDX map byte for byte in RESP3 too', async () => {
    const exchange = async (port: number): Promise<string> => {
      const client = await RawClient.connect(port);
      const commands = [
        ['hello', '3'],
        ['mset', 'a', 'ohmytext', 'b', 'mynewtext'],
        ['lcs', 'a', 'b', 'IDX', 'WITHMATCHLEN'],
        ['lcs', 'a', 'b', 'LEN'],
        ['getex', 'nothing'],
        ['set', 'a', 'v', 'NX'],
      ];
      const bytes = commands.map((args) => `*${args.length}\r\n${args.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join('')}`).join('');
      const reply = await client.roundTrip(bytes);
      client.close();
      // Drop the HELLO reply (server name and version differ); keep everything after it.
      return reply.slice(reply.indexOf('+OK\r\n'));
    };
    const [mine, theirs] = await Promise.all([exchange(ours.port), exchange(redis.port)]);
    expect(mine).toBe(theirs);
    expect(theirs).toContain('%2\r\n$7\r\nmatches\r\n');
  });
});

describe('type errors', () => {
  it('answers WRONGTYPE (or nil for MGET, the LCS error) on a key of another type', async () => {
    await same([
      ['lpush', 'l', 'x'],
      ['get', 'l'],
      ['set', 'l', 'v', 'GET'],
      ['set', 'l', 'v', 'NX', 'GET'],
      ['set', 'l', 'v', 'EX', '0', 'GET'],
      ['getset', 'l', 'v'],
      ['getdel', 'l'],
      ['getex', 'l'],
      ['getex', 'l', 'EX', '0'],
      ['mget', 'l', 'missing'],
      ['msetnx', 'l', 'v'],
      ['append', 'l', 'v'],
      ['strlen', 'l'],
      ['getrange', 'l', '0', '1'],
      ['getrange', 'l', 'x', '1'],
      ['setrange', 'l', '0', ''],
      ['setrange', 'l', '-1', 'x'],
      ['incr', 'l'],
      ['incrby', 'l', 'x'],
      ['decrby', 'l', '-9223372036854775808'],
      ['incrbyfloat', 'l', '1'],
      ['incrbyfloat', 'l', 'x'],
      ['lcs', 'l', 'missing'],
      ['lcs', 'missing', 'l', 'FOO'],
      ['setnx', 'l', 'v'],
      ['set', 'l', 'v'],
      ['get', 'l'],
    ]);
  });
});

describe('command table', () => {
  const names = ['get', 'set', 'setnx', 'setex', 'psetex', 'getset', 'getdel', 'getex', 'mget', 'mset', 'msetnx', 'append', 'strlen', 'getrange', 'substr', 'setrange', 'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'lcs'];

  it('reports the name, arity, flags, key positions and ACL categories of Redis 7.0', async () => {
    // Tips, key specs and sub-entries beyond the first seven fields are the COMMAND module's business.
    const core = (replies: Normalised[]): Normalised[] => replies.map((entry) => (entry as Normalised[][])[0]!.slice(0, 7));
    const [mine, theirs] = await Promise.all([run(oursClient, [['command', 'info', ...names]]), run(redisClient, [['command', 'info', ...names]])]);
    expect(core(mine[0] as Normalised[])).toEqual(core(theirs[0] as Normalised[]));
  });

  it('documents the same summary, since, group and complexity', async () => {
    const basics = (reply: Normalised): Record<string, Normalised> => {
      const flat = reply as Normalised[];
      const result: Record<string, Normalised> = {};
      for (let i = 0; i < flat.length; i += 2) {
        const doc = flat[i + 1] as Normalised[];
        for (let j = 0; j < doc.length; j += 2) {
          if (['summary', 'since', 'group', 'complexity'].includes(doc[j] as string)) result[`${String(flat[i])}.${String(doc[j])}`] = doc[j + 1]!;
        }
      }
      return result;
    };
    const [mine, theirs] = await Promise.all([run(oursClient, [['command', 'docs', ...names]]), run(redisClient, [['command', 'docs', ...names]])]);
    expect(Object.keys(basics(theirs[0]!))).toHaveLength(names.length * 4);
    expect(basics(mine[0]!)).toEqual(basics(theirs[0]!));
  });
});
