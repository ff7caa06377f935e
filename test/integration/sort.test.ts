import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RespConnection, type RespValue } from '../helpers/resp-connection.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// SORT and SORT_RO against a real redis-server 7.0 in the same test: the same commands to both,
// replies compared exactly (order included: Redis' SORT output is deterministic wherever the
// input order is, so ties under ALPHA BY, sorted by a stable merge sort or by Redis' partial
// quicksort with LIMIT, must come out the same), in RESP2 and RESP3; then random sorts of random
// lists, intsets and sorted sets with random weights, GET patterns and options.

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

async function same(commands: Command[], protocol: 2 | 3 = 2): Promise<RespValue[]> {
  const all = [['HELLO', String(protocol)], ['FLUSHALL'], ...commands];
  const [mine, theirs] = await Promise.all([oursConnection.pipeline(all), redisConnection.pipeline(all)]);
  for (let i = 0; i < commands.length; i++) expect(mine[i + 2], commands[i]!.join(' ')).toEqual(theirs[i + 2]);
  return theirs.slice(2);
}

function bothProtocols(name: string, commands: Command[]): void {
  for (const protocol of [2, 3] as const) {
    it(`${name} (RESP${protocol})`, async () => {
      await same(commands, protocol);
    });
  }
}

/** A command whose parsing sets errno to 0 in Redis (getDoubleFromObject). */
const RESET_ERRNO: Command = ['ZADD', 'errno-reset', '0', 'x'];

const LIST: Command = ['RPUSH', 'l', '3', '1', '2', '10', 'b', 'a', '-1.5', '1e2'];
const NUMBERS: Command = ['RPUSH', 'n', '3', '1', '2', '10', '-1.5', '1e2', '0x10', ' 7', '', 'inf', '-inf', '1'];
const WEIGHTS: Command = ['MSET', 'w_3', '30', 'w_1', '10', 'w_2', '20', 'w_10', '5', 'w_a', '7', 'w_b', '1', 'w_-1.5', '7'];

describe('SORT on lists', () => {
  bothProtocols('numeric, ALPHA, DESC, LIMIT', [
    NUMBERS,
    ['SORT', 'n'],
    ['SORT', 'n', 'DESC'],
    ['SORT', 'n', 'LIMIT', '2', '3'],
    ['SORT', 'n', 'DESC', 'LIMIT', '0', '1'],
    LIST,
    ['SORT', 'l'],
    ['SORT', 'l', 'ALPHA'],
    ['SORT', 'l', 'alpha', 'desc'],
    ['SORT', 'l', 'ALPHA', 'LIMIT', '1', '3'],
    ['SORT', 'l', 'ALPHA', 'ASC', 'DESC', 'ASC'],
  ]);

  bothProtocols('LIMIT offsets and counts are clamped as Redis clamps them', [
    NUMBERS,
    ...[['0', '0'], ['-5', '2'], ['2', '-5'], ['100', '1'], ['12', '5'], ['11', '5'], ['0', '-1'], ['3', '9223372036854775807'], ['9223372036854775807', '1'], ['-9223372036854775808', '2']].map(
      ([offset, count]) => ['SORT', 'n', 'LIMIT', offset!, count!],
    ),
    ['SORT', 'n', 'BY', 'nosort', 'LIMIT', '2', '3'],
    ['SORT', 'n', 'BY', 'nosort', 'DESC', 'LIMIT', '2', '3'],
    ['SORT', 'n', 'BY', 'nosort', 'LIMIT', '20', '3'],
    ['SORT', 'n', 'BY', 'nosort', 'DESC', 'LIMIT', '-3', '100'],
    ['SORT', 'missing', 'LIMIT', '0', '1'],
    ['SORT', 'missing', 'BY', 'nosort', 'LIMIT', '1', '1'],
  ]);

  bothProtocols('BY a constant keeps the list order; BY and GET patterns, # and hash fields', [
    LIST,
    WEIGHTS,
    ['HSET', 'h_3', 'f', '9', 'g', 'three'],
    ['HSET', 'h_1', 'f', '1', 'g', 'one'],
    ['HSET', 'h_a', 'f', '-2'],
    ['SET', 'h_b', 'not a hash'],
    ['SORT', 'l', 'BY', 'nosort'],
    ['SORT', 'l', 'BY', 'nosort', 'DESC'],
    ['SORT', 'l', 'BY', 'w_*'],
    ['SORT', 'l', 'BY', 'w_*', 'DESC'],
    ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->g', 'GET', 'missing'],
    ['SORT', 'l', 'BY', 'w_*', 'LIMIT', '1', '3', 'GET', '#'],
    ['SORT', 'l', 'BY', 'h_*->f'],
    ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA'],
    ['SORT', 'l', 'BY', 'h_*->g', 'ALPHA', 'DESC'],
    ['SORT', 'l', 'BY', 'h_*->g', 'ALPHA', 'LIMIT', '2', '3'],
    ['SORT', 'l', 'GET', 'h_*->f', 'GET', 'h_*->', 'GET', 'h_*->nofield', 'ALPHA'],
    ['SORT', 'l', 'BY', 'w_*->', 'ALPHA'],
    ['SORT', 'l', 'ALPHA', 'GET', '#', 'GET', '#'],
    ['SORT', 'l', 'BY', 'nosort', 'GET', 'w_*', 'LIMIT', '0', '2'],
    ['SORT', 'l', 'BY', 'w_*', 'ALPHA'],
    ['SORT', 'l', 'BY', 'w_*', 'ALPHA', 'LIMIT', '0', '4'],
    ['SORT', 'l', 'BY', 'w_*', 'ALPHA', 'DESC', 'LIMIT', '2', '4'],
  ]);

  bothProtocols('ties under ALPHA BY keep Redis order: stable full sort, partial quicksort with LIMIT', [
    ['RPUSH', 't', ...Array.from({ length: 60 }, (_, i) => `e${i}`)],
    ...Array.from({ length: 60 }, (_, i) => ['SET', `k_e${i}`, String.fromCharCode(97 + (i % 3))]),
    ['SORT', 't', 'BY', 'k_*', 'ALPHA'],
    ['SORT', 't', 'BY', 'k_*', 'ALPHA', 'DESC'],
    ['SORT', 't', 'BY', 'k_*', 'ALPHA', 'LIMIT', '5', '20'],
    ['SORT', 't', 'BY', 'k_*', 'ALPHA', 'DESC', 'LIMIT', '30', '25'],
    ['SORT', 't', 'BY', 'none_*', 'ALPHA', 'LIMIT', '3', '10'],
    ['SORT', 't', 'BY', 'k_*', 'ALPHA', 'LIMIT', '0', '7', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
  ]);

  bothProtocols('numbers that are not doubles, and what strtod accepts', [
    ['RPUSH', 'bad', '1', 'abc'],
    ['SORT', 'bad'],
    ['SORT', 'bad', 'ALPHA'],
    ['SORT', 'bad', 'BY', 'nosort'],
    // Redis 7.0 does not clear errno before SORT's strtod: after an out-of-range score, later
    // SORTs fail too until something clears it (ZADD's score parsing does), so each case resets it.
    ...['1e400', '1e-400', '4.9e-324', 'nan', '5 ', '1e', '1.7976931348623159e308', '  '].flatMap((text) => [['DEL', 'x'], ['RPUSH', 'x', text, '1'], ['SORT', 'x'], RESET_ERRNO]),
    ...['+infinity', '.5', '5.', '0x1p3', '-0', '2.2250738585072014e-308', '1\0abc', '\t1'].flatMap((text) => [['DEL', 'x'], ['RPUSH', 'x', text, '1'], ['SORT', 'x']]),
    ['RPUSH', 'y', 'p', 'q'],
    ['SET', 'w_p', 'x'],
    ['SORT', 'y', 'BY', 'w_*'],
    ['SORT', 'y', 'BY', 'w_*', 'ALPHA'],
  ]);

  bothProtocols('NUL bytes: ALPHA compares C strings unless storing; patterns stop at NUL', [
    ['RPUSH', 'z', 'a\0c', 'a\0b', 'a', 'b\0', 'a\0'],
    ['SORT', 'z', 'ALPHA'],
    ['SORT', 'z', 'ALPHA', 'DESC'],
    ['SORT', 'z', 'ALPHA', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SET', 'w_a', '1'],
    ['SORT', 'z', 'BY', 'w_\0*', 'GET', 'w_*\0x', 'GET', '#\0'],
    ['SORT', 'z', 'BY', 'nosort', 'GET', 'w_*->\0f'],
  ]);
});

describe('SORT on sets and sorted sets', () => {
  bothProtocols('an intset in its order without sorting, sorted otherwise; STORE sorts it', [
    ['SADD', 's', '5', '3', '1', '4', '-2'],
    ['SORT', 's'],
    ['SORT', 's', 'DESC', 'LIMIT', '1', '2'],
    ['SORT', 's', 'BY', 'nosort'],
    ['SORT', 's', 'BY', 'nosort', 'DESC'],
    ['SORT', 's', 'BY', 'nosort', 'LIMIT', '1', '2'],
    ['SORT', 's', 'BY', 'nosort', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 's', 'BY', 'nosort', 'DESC', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SADD', 'words', 'pear', 'apple', 'fig', '10', '9'],
    ['SORT', 'words', 'ALPHA'],
    ['SORT', 'words', 'ALPHA', 'DESC', 'LIMIT', '0', '3'],
    ['SORT', 'words'],
  ]);

  bothProtocols('a sorted set in score order without sorting; SORT makes it a skiplist', [
    ['ZADD', 'z', '3', 'c', '1', 'a', '2', 'b', '0', '10'],
    ['OBJECT', 'ENCODING', 'z'],
    ['SORT', 'z', 'BY', 'nosort'],
    ['SORT', 'z', 'BY', 'nosort', 'DESC'],
    ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2'],
    ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '10'],
    ['SORT', 'z', 'ALPHA'],
    ['OBJECT', 'ENCODING', 'z'],
    ['SORT', 'z'],
    ['ZADD', 'n', '1', '30', '2', '20', '3', '10'],
    ['SORT', 'n'],
    ['SORT', 'n', 'BY', 'nosort', 'GET', '#', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['ZRANGE', 'n', '0', '-1', 'WITHSCORES'],
  ]);
});

describe('STORE, SORT_RO and errors', () => {
  bothProtocols('STORE writes a list (missing GETs as ""), replaces any value and TTL; empty deletes', [
    ['RPUSH', 'l', 'b', 'a', 'c'],
    ['SET', 'dst', 'old'],
    ['EXPIRE', 'dst', '1000'],
    ['SORT', 'l', 'ALPHA', 'STORE', 'dst'],
    ['TYPE', 'dst'],
    ['TTL', 'dst'],
    ['OBJECT', 'ENCODING', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 'l', 'ALPHA', 'GET', 'missing_*', 'GET', '#', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 'l', 'ALPHA', 'STORE', 'l'],
    ['LRANGE', 'l', '0', '-1'],
    ['SORT', 'missing', 'STORE', 'dst'],
    ['EXISTS', 'dst'],
    ['SORT', 'l', 'LIMIT', '5', '5', 'ALPHA', 'STORE', 'dst2'],
    ['SORT', 'l', 'ALPHA', 'STORE', 'a', 'STORE', 'b'],
    ['EXISTS', 'a', 'b'],
    ['SORT_RO', 'l', 'ALPHA'],
    ['SORT_RO', 'l', 'ALPHA', 'STORE', 'x'],
    ['SORT_RO', 'l', 'BY', 'nosort', 'GET', '#'],
  ]);

  bothProtocols('syntax, integer and type errors, in Redis order', [
    ['RPUSH', 'l', '1'],
    ['SET', 'str', 'x'],
    ['HSET', 'h', 'a', '1'],
    ['SORT', 'str'],
    ['SORT', 'h'],
    ['SORT', 'str', 'BOGUS'],
    ['SORT', 'l', 'LIMIT', '1'],
    ['SORT', 'l', 'LIMIT', 'a', 'b'],
    ['SORT', 'l', 'LIMIT', '0', 'b'],
    ['SORT', 'l', 'LIMIT', '0', '1', 'FOO'],
    ['SORT', 'l', 'BY'],
    ['SORT', 'l', 'GET'],
    ['SORT', 'l', 'STORE'],
    ['SORT', 'str', 'LIMIT', 'x', '1'],
    ['SORT'],
    ['SORT_RO'],
    ['SORT', 'missing'],
    ['SORT_RO', 'missing', 'DESC'],
  ]);
});

describe('side effects', () => {
  async function counters(connection: RespConnection): Promise<number[]> {
    const [info] = await connection.pipeline([['INFO', 'ALL']]);
    return ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'].map((name) => Number(new RegExp(`${name}:(\\d+)`).exec(info as string)?.[1]));
  }

  it('SORT moves the change, hit and miss counters as Redis 7.0.15 does', async () => {
    const setup: Command[] = [['HELLO', '2'], ['FLUSHALL'], ['RPUSH', 'l', '2', '1', '3'], ['MSET', 'w_1', '5', 'w_2', '4'], ['SET', 'old', 'x']];
    await Promise.all([oursConnection.pipeline(setup), redisConnection.pipeline(setup)]);
    const commands: Command[] = [
      ['SORT', 'l'],
      ['SORT', 'missing'],
      ['SORT', 'l', 'BY', 'w_*', 'GET', 'w_*', 'GET', '#'],
      ['SORT', 'l', 'STORE', 'dst'],
      ['SORT', 'l', 'STORE', 'old'],
      ['SORT', 'missing', 'STORE', 'dst'],
      ['SORT', 'missing', 'STORE', 'dst'],
      ['SORT_RO', 'l', 'BY', 'nosort', 'GET', 'w_*'],
    ];
    for (const command of commands) {
      const [oursBefore, redisBefore] = await Promise.all([counters(oursConnection), counters(redisConnection)]);
      const [mine, theirs] = await Promise.all([oursConnection.pipeline([command]), redisConnection.pipeline([command])]);
      expect(mine, command.join(' ')).toEqual(theirs);
      const [oursAfter, redisAfter] = await Promise.all([counters(oursConnection), counters(redisConnection)]);
      const delta = (after: number[], before: number[]): number[] => after.map((value, i) => value - before[i]!);
      expect(delta(oursAfter, oursBefore), command.join(' ')).toEqual(delta(redisAfter, redisBefore));
    }
  });

  it('COMMAND INFO of SORT and SORT_RO matches Redis but for movablekeys', async () => {
    const [mine, theirs] = await Promise.all([oursConnection.pipeline([['COMMAND', 'INFO', 'sort', 'sort_ro']]), redisConnection.pipeline([['COMMAND', 'INFO', 'sort', 'sort_ro']])]);
    const head = (reply: RespValue): RespValue[] =>
      (reply as RespValue[][]).map((entry) => [entry[0], entry[1], (entry[2] as string[]).filter((flag) => flag !== '+movablekeys'), ...entry.slice(3, 7)]);
    expect(head(mine[0]!)).toEqual(head(theirs[0]!));
  });
});

describe('random sorts against redis-server', () => {
  const element = fc.constantFrom('a', 'b', 'c', '1', '2', '10', '-1', '1.5', '', 'A', 'x\0y');
  const weight = fc.oneof(fc.constantFrom('1', '2', '2', '-1', '0', '1.5', 'a', 'b', ''), fc.integer({ min: -5, max: 5 }).map(String));
  const limit = fc.oneof(fc.constant([] as string[]), fc.tuple(fc.integer({ min: -2, max: 50 }), fc.integer({ min: -2, max: 30 })).map(([o, c]) => ['LIMIT', String(o), String(c)]));
  const by = fc.constantFrom([] as string[], ['BY', 'w_*'], ['BY', 'h_*->f'], ['BY', 'nosort'], ['BY', 'missing_*']);
  const gets = fc.array(fc.constantFrom('#', 'w_*', 'h_*->f', 'h_*->g'), { maxLength: 2 }).map((list) => list.flatMap((pattern) => ['GET', pattern]));
  const flags = fc.tuple(fc.constantFrom([], ['ALPHA']), fc.constantFrom([], ['DESC'], ['ASC'])).map(([a, d]) => [...a, ...d]);
  const store = fc.constantFrom([] as string[], [] as string[], ['STORE', 'dst']);

  it('random lists, intsets and sorted sets with random weights and options sort alike', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('list', 'intset', 'zset'),
        // Past 7 elements pqsort partitions, past 40 it takes a ninther: both paths get ties.
        fc.oneof({ weight: 3, arbitrary: fc.array(element, { maxLength: 14 }) }, { weight: 1, arbitrary: fc.array(element, { minLength: 30, maxLength: 60 }) }),
        fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 14 }),
        fc.array(fc.tuple(element, weight, fc.boolean()), { maxLength: 12 }),
        fc.tuple(by, limit, gets, flags, store),
        async (type, elements, numbers, weights, [byOption, limitOption, getOptions, flagOptions, storeOption]) => {
          const setup: Command[] = [['HELLO', '2'], ['FLUSHALL']];
          if (type === 'list' && elements.length > 0) setup.push(['RPUSH', 'k', ...elements]);
          if (type === 'intset' && numbers.length > 0) setup.push(['SADD', 'k', ...numbers.map(String)]);
          if (type === 'zset' && elements.length > 0) setup.push(['ZADD', 'k', ...elements.flatMap((member, i) => [String(i % 4), member])]);
          for (const [name, w, inHash] of weights) setup.push(inHash ? ['HSET', `h_${name}`, 'f', w, 'g', name] : ['SET', `w_${name}`, w]);
          // A zset iterates its dict in Redis' hash order: ties under ALPHA BY would follow it.
          const alphaBy = flagOptions.includes('ALPHA') && byOption.length > 0 && byOption[1] !== 'nosort';
          const options = type === 'zset' && alphaBy ? flagOptions.filter((flag) => flag !== 'ALPHA') : flagOptions;
          const sort = ['SORT', 'k', ...byOption, ...limitOption, ...getOptions, ...options, ...storeOption];
          const commands = [...setup, sort, ['LRANGE', 'dst', '0', '-1'], ['OBJECT', 'ENCODING', 'k']];
          const [mine, theirs] = await Promise.all([oursConnection.pipeline(commands), redisConnection.pipeline(commands)]);
          expect(mine.slice(setup.length), sort.join(' ')).toEqual(theirs.slice(setup.length));
        },
      ),
      { numRuns: 1500 },
    );
  }, 120_000);
});
