import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespConnection, type RespValue } from '../helpers/resp-connection.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// Every list command and error against a real redis-server 7.0 in the same test: the same
// commands go to both, replies compared type for type (null bulk vs null array, RESP3 '_'), in
// RESP2 and RESP3. Side effects (keys deleted when emptied, TTLs, change and hit counters,
// OBJECT ENCODING) are compared the same way.

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

/** Runs the commands on both servers from an empty keyspace in the given protocol; replies must be equal. */
async function same(commands: Command[], protocol: 2 | 3 = 2): Promise<RespValue[]> {
  const all = [['HELLO', String(protocol)], ['FLUSHALL'], ...commands];
  const [mine, theirs] = await Promise.all([oursConnection.pipeline(all), redisConnection.pipeline(all)]);
  const label = (i: number): string => commands[i]!.join(' ');
  for (let i = 0; i < commands.length; i++) expect(mine[i + 2], label(i)).toEqual(theirs[i + 2]);
  return theirs.slice(2);
}

/** Each scenario runs in RESP2 and in RESP3. */
function bothProtocols(name: string, commands: Command[]): void {
  for (const protocol of [2, 3] as const) {
    it(`${name} (RESP${protocol})`, async () => {
      await same(commands, protocol);
    });
  }
}

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('pushes', () => {
  bothProtocols('LPUSH/RPUSH create the list, push in argument order, answer the length', [
    ['LPUSH', 'l', 'a', 'b', 'c'],
    ['RPUSH', 'l', 'd', 'e'],
    ['LRANGE', 'l', '0', '-1'],
    ['TYPE', 'l'],
    ['OBJECT', 'ENCODING', 'l'],
    ['RPUSH', 'bin', '\0\r\n\xff', '', '12345678901234567890'],
    ['LRANGE', 'bin', '0', '-1'],
  ]);

  bothProtocols('LPUSHX/RPUSHX push only onto an existing list', [
    ['LPUSHX', 'l', 'a'],
    ['RPUSHX', 'l', 'a', 'b'],
    ['EXISTS', 'l'],
    ['RPUSH', 'l', 'x'],
    ['LPUSHX', 'l', 'a', 'b'],
    ['RPUSHX', 'l', 'y', 'z'],
    ['LRANGE', 'l', '0', '-1'],
  ]);

  bothProtocols('pushes check the type and the arity', [
    ['SET', 's', 'v'],
    ['LPUSH', 's', 'a'],
    ['RPUSH', 's', 'a'],
    ['LPUSHX', 's', 'a'],
    ['RPUSHX', 's', 'a'],
    ['LPUSH', 'l'],
    ['RPUSHX', 'l'],
    ['GET', 's'],
  ]);

  it('a push keeps the TTL of the list; a list emptied and created again has none', async () => {
    const replies = await same([
      ['RPUSH', 'l', 'a'],
      ['EXPIRE', 'l', '1000'],
      ['RPUSH', 'l', 'b'],
      ['LPOP', 'l'],
      ['TTL', 'l'],
      ['LPOP', 'l'],
      ['RPUSH', 'l', 'c'],
      ['TTL', 'l'],
    ]);
    expect(replies[4]).toBe(':1000');
    expect(replies[7]).toBe(':-1');
  });
});

describe('pops', () => {
  bothProtocols('LPOP/RPOP without count: a bulk string, null when missing, the key deleted when emptied', [
    ['LPOP', 'missing'],
    ['RPOP', 'missing'],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['LPOP', 'l'],
    ['RPOP', 'l'],
    ['LPOP', 'l'],
    ['EXISTS', 'l'],
    ['LPOP', 'l'],
  ]);

  bothProtocols('LPOP/RPOP with count: arrays in pop order, the null array when missing, empty for 0', [
    ['LPOP', 'missing', '2'],
    ['RPOP', 'missing', '0'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
    ['LPOP', 'l', '0'],
    ['LPOP', 'l', '2'],
    ['RPOP', 'l', '2'],
    ['RPOP', 'l', '10'],
    ['EXISTS', 'l'],
    ['RPUSH', 'l', 'x'],
    ['LPOP', 'l', '9223372036854775807'],
  ]);

  bothProtocols('count errors come before the lookup; type errors after it', [
    ['SET', 's', 'v'],
    ['LPOP', 'missing', '-1'],
    ['LPOP', 'missing', 'abc'],
    ['RPOP', 'missing', '9223372036854775808'],
    ['LPOP', 's'],
    ['LPOP', 's', '0'],
    ['LPOP', 's', '-1'],
    ['LPOP', 'l', '1', '2'],
    ['RPOP', 'l', '1', '2'],
    ['LPOP'],
  ]);
});

describe('reads', () => {
  bothProtocols('LLEN, LRANGE and LINDEX with negative and out-of-range indexes', [
    ['LLEN', 'missing'],
    ['LRANGE', 'missing', '0', '-1'],
    ['LINDEX', 'missing', '0'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
    ['LLEN', 'l'],
    ['LRANGE', 'l', '1', '3'],
    ['LRANGE', 'l', '-3', '-1'],
    ['LRANGE', 'l', '-100', '100'],
    ['LRANGE', 'l', '3', '1'],
    ['LRANGE', 'l', '5', '10'],
    ['LRANGE', 'l', '0', '-6'],
    ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'],
    ['LINDEX', 'l', '0'],
    ['LINDEX', 'l', '-1'],
    ['LINDEX', 'l', '-6'],
    ['LINDEX', 'l', '5'],
    ['LINDEX', 'l', '9223372036854775807'],
  ]);

  bothProtocols('LRANGE parses its indexes before the lookup, LINDEX after it', [
    ['SET', 's', 'v'],
    ['LRANGE', 'missing', 'a', '0'],
    ['LRANGE', 's', '0', 'x'],
    ['LRANGE', 's', '0', '1'],
    ['LINDEX', 'missing', 'x'],
    ['LINDEX', 's', 'x'],
    ['LLEN', 's'],
    ['LRANGE', 's', '1'],
  ]);

  bothProtocols('LPOS with RANK, COUNT and MAXLEN', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'a', 'c', 'a'],
    ['LPOS', 'l', 'a'],
    ['LPOS', 'l', 'z'],
    ['LPOS', 'l', 'a', 'RANK', '2'],
    ['LPOS', 'l', 'a', 'RANK', '-1'],
    ['LPOS', 'l', 'a', 'RANK', '-3'],
    ['LPOS', 'l', 'a', 'RANK', '9'],
    ['LPOS', 'l', 'a', 'COUNT', '0'],
    ['LPOS', 'l', 'a', 'COUNT', '2'],
    ['LPOS', 'l', 'a', 'COUNT', '2', 'RANK', '-2'],
    ['LPOS', 'l', 'z', 'COUNT', '2'],
    ['LPOS', 'l', 'a', 'MAXLEN', '4'],
    ['LPOS', 'l', 'c', 'MAXLEN', '2'],
    ['LPOS', 'l', 'a', 'count', '0', 'maxlen', '6', 'rank', '-1'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'],
    ['LPOS', 'l', 'a', 'RANK', '9223372036854775807', 'COUNT', '1'],
    ['LPOS', 'missing', 'a'],
    ['LPOS', 'missing', 'a', 'COUNT', '1'],
  ]);

  bothProtocols('LPOS errors, in the order Redis checks them', [
    ['SET', 's', 'v'],
    ['LPOS', 's', 'a'],
    ['LPOS', 's', 'a', 'RANK', '0'],
    ['LPOS', 'missing', 'a', 'RANK', '0'],
    ['LPOS', 'missing', 'a', 'RANK', 'x'],
    ['LPOS', 'missing', 'a', 'RANK', '9223372036854775808'],
    ['LPOS', 'missing', 'a', 'COUNT', '-1'],
    ['LPOS', 'missing', 'a', 'COUNT', 'x'],
    ['LPOS', 'missing', 'a', 'MAXLEN', '-1'],
    ['LPOS', 'missing', 'a', 'MAXLEN', 'x'],
    ['LPOS', 'missing', 'a', 'RANK'],
    ['LPOS', 'missing', 'a', 'FOO', '1'],
    ['LPOS', 'missing'],
  ]);
});

describe('edits', () => {
  bothProtocols('LSET replaces by index or answers its errors', [
    ['LSET', 'missing', '0', 'x'],
    ['SET', 's', 'v'],
    ['LSET', 's', '0', 'x'],
    ['LSET', 's', 'x', 'x'],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['LSET', 'l', '0', 'A'],
    ['LSET', 'l', '-1', 'C'],
    ['LSET', 'l', '3', 'x'],
    ['LSET', 'l', '-4', 'x'],
    ['LSET', 'l', 'x', 'x'],
    ['LRANGE', 'l', '0', '-1'],
  ]);

  bothProtocols('LINSERT before and after the first pivot; -1 without a pivot, 0 without a key', [
    ['LINSERT', 'missing', 'BEFORE', 'a', 'x'],
    ['LINSERT', 'missing', 'MIDDLE', 'a', 'x'],
    ['RPUSH', 'l', 'a', 'b', 'a'],
    ['LINSERT', 'l', 'BEFORE', 'a', 'x'],
    ['LINSERT', 'l', 'after', 'a', 'y'],
    ['LINSERT', 'l', 'AFTER', 'z', 'y'],
    ['LINSERT', 'l', 'AFTER', 'a', ''],
    ['LINSERT', 'l', 'before', 'b', 'b'],
    ['LRANGE', 'l', '0', '-1'],
    ['SET', 's', 'v'],
    ['LINSERT', 's', 'BEFORE', 'a', 'x'],
    ['LINSERT', 's', 'NEAR', 'a', 'x'],
  ]);

  bothProtocols('LREM from the head, from the tail and all; the key deleted when emptied', [
    ['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
    ['LREM', 'l', '2', 'a'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '-1', 'b'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '0', 'a'],
    ['LREM', 'l', '0', 'zz'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '-9223372036854775808', 'b'],
    ['LREM', 'l', '0', 'c'],
    ['EXISTS', 'l'],
    ['LREM', 'missing', '0', 'a'],
    ['LREM', 'missing', 'x', 'a'],
    ['SET', 's', 'v'],
    ['LREM', 's', '0', 'a'],
  ]);

  bothProtocols('LTRIM keeps a range, deleting the key when nothing is left', [
    ['LTRIM', 'missing', '0', '1'],
    ['LTRIM', 'missing', 'x', '1'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
    ['LTRIM', 'l', '1', '-2'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '-100', '100'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '2', '1'],
    ['EXISTS', 'l'],
    ['RPUSH', 'l', 'a', 'b'],
    ['LTRIM', 'l', '5', '10'],
    ['EXISTS', 'l'],
    ['SET', 's', 'v'],
    ['LTRIM', 's', '0', '1'],
  ]);
});

describe('moves', () => {
  bothProtocols('LMOVE in all four directions, RPOPLPUSH, and rotation of one key', [
    ['RPUSH', 'src', 'a', 'b', 'c', 'd'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
    ['LMOVE', 'src', 'dst', 'right', 'left'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'LEFT'],
    ['LMOVE', 'src', 'dst', 'RIGHT', 'RIGHT'],
    ['EXISTS', 'src'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPOPLPUSH', 'dst', 'dst'],
    ['LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPUSH', 'one', 'x'],
    ['RPOPLPUSH', 'one', 'one'],
    ['LRANGE', 'one', '0', '-1'],
    ['RPOPLPUSH', 'missing', 'dst'],
    ['LMOVE', 'missing', 'dst', 'LEFT', 'LEFT'],
    ['EXISTS', 'missing'],
  ]);

  bothProtocols('LMOVE checks both ends and both types before moving anything', [
    ['SET', 's', 'v'],
    ['RPUSH', 'l', 'a'],
    ['LMOVE', 'l', 'l', 'UP', 'LEFT'],
    ['LMOVE', 'l', 'l', 'LEFT', 'DOWN'],
    ['LMOVE', 's', 'l', 'LEFT', 'LEFT'],
    ['LMOVE', 'l', 's', 'LEFT', 'LEFT'],
    ['RPOPLPUSH', 'l', 's'],
    ['RPOPLPUSH', 'missing', 's'],
    ['LRANGE', 'l', '0', '-1'],
    ['LMOVE', 'l', 'l', 'LEFT'],
  ]);

  it('a moved element keeps the TTLs: the destination its own, a created destination none', async () => {
    const replies = await same([
      ['RPUSH', 'src', 'a', 'b'],
      ['RPUSH', 'dst', 'x'],
      ['EXPIRE', 'src', '500'],
      ['EXPIRE', 'dst', '900'],
      ['LMOVE', 'src', 'dst', 'LEFT', 'LEFT'],
      ['TTL', 'src'],
      ['TTL', 'dst'],
      ['LMOVE', 'src', 'new', 'LEFT', 'LEFT'],
      ['TTL', 'new'],
      ['EXISTS', 'src'],
    ]);
    expect(replies.slice(5)).toEqual([':500', ':900', '$b', ':-1', ':0']);
  });
});

describe('LMPOP', () => {
  bothProtocols('pops from the first non-empty list, with COUNT; the null array when none', [
    ['LMPOP', '2', 'a', 'b', 'LEFT'],
    ['RPUSH', 'b', '1', '2', '3'],
    ['RPUSH', 'c', 'x'],
    ['LMPOP', '3', 'a', 'b', 'c', 'LEFT'],
    ['LMPOP', '3', 'a', 'b', 'c', 'RIGHT', 'COUNT', '5'],
    ['LMPOP', '3', 'a', 'b', 'c', 'right', 'count', '1'],
    ['LMPOP', '3', 'a', 'b', 'c', 'LEFT'],
    ['EXISTS', 'b', 'c'],
  ]);

  bothProtocols('argument errors and WRONGTYPE', [
    ['SET', 's', 'v'],
    ['RPUSH', 'l', 'a'],
    ['LMPOP', '0', 'a', 'LEFT'],
    ['LMPOP', '-1', 'a', 'LEFT'],
    ['LMPOP', 'x', 'a', 'LEFT'],
    ['LMPOP', '2', 'a', 'LEFT'],
    ['LMPOP', '9223372036854775807', 'a', 'LEFT'],
    ['LMPOP', '1', 'a', 'UP'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
    ['LMPOP', '1', 'a', 'LEFT', 'FOO'],
    ['LMPOP', '2', 's', 'l', 'LEFT'],
    ['LMPOP', '2', 'l', 's', 'LEFT'],
    ['LMPOP', '2', 'missing', 's', 'LEFT'],
    ['LMPOP', '1', 'a'],
  ]);
});

describe('side effects', () => {
  /** Changes (dirty), keyspace hits and misses, from INFO. */
  async function counters(connection: RespConnection): Promise<number[]> {
    const [info] = await connection.pipeline([['INFO', 'ALL']]);
    const text = info as string;
    return ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'].map((name) => Number(new RegExp(`${name}:(\\d+)`).exec(text)?.[1]));
  }

  it('every command moves the change, hit and miss counters as Redis 7.0.15 does', async () => {
    const commands: Command[] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'a'],
      ['LPUSH', 'l', 'x', 'y'],
      ['LPUSH', 'new', 'x', 'y', 'z'],
      ['LPUSHX', 'missing', 'x'],
      ['RPUSHX', 'l', 'x', 'y'],
      ['LLEN', 'l'],
      ['LLEN', 'missing'],
      ['LRANGE', 'l', '0', '1'],
      ['LRANGE', 'missing', '0', '1'],
      ['LINDEX', 'l', '0'],
      ['LPOS', 'l', 'a'],
      ['LPOS', 'missing', 'a'],
      ['LSET', 'l', '0', 'q'],
      ['LINSERT', 'l', 'BEFORE', 'a', 'w'],
      ['LINSERT', 'l', 'BEFORE', 'zz', 'w'],
      ['LREM', 'l', '0', 'a'],
      ['LTRIM', 'l', '1', '-2'],
      ['LPOP', 'l', '2'],
      ['RPOP', 'l'],
      ['LMOVE', 'l', 'l', 'LEFT', 'RIGHT'],
      ['LMOVE', 'new', 'made', 'LEFT', 'RIGHT'],
      ['RPUSH', 'single', 'x'],
      ['RPOPLPUSH', 'single', 'made2'],
      ['LMPOP', '2', 'missing', 'new', 'LEFT', 'COUNT', '5'],
      ['RPUSH', 't', 'a', 'b', 'c'],
      ['LTRIM', 't', '5', '6'],
      ['RPUSH', 'r', 'a', 'a'],
      ['LREM', 'r', '0', 'a'],
      ['RPUSH', 'p', 'a', 'b', 'c'],
      ['RPOP', 'p', '5'],
    ];
    await Promise.all([oursConnection.pipeline([['FLUSHALL']]), redisConnection.pipeline([['FLUSHALL']])]);
    for (const command of commands) {
      const [oursBefore, redisBefore] = await Promise.all([counters(oursConnection), counters(redisConnection)]);
      const [mine, theirs] = await Promise.all([oursConnection.pipeline([command]), redisConnection.pipeline([command])]);
      expect(mine, command.join(' ')).toEqual(theirs);
      const [oursAfter, redisAfter] = await Promise.all([counters(oursConnection), counters(redisConnection)]);
      const delta = (after: number[], before: number[]): number[] => after.map((value, i) => value - before[i]!);
      expect(delta(oursAfter, oursBefore), command.join(' ')).toEqual(delta(redisAfter, redisBefore));
    }
  });

  it('large lists: pushes at both ends, ranges, trims, removals and inserts over 20,000 elements', async () => {
    const commands: Command[] = [];
    for (let i = 0; i < 200; i++) {
      const batch = Array.from({ length: 50 }, (_, j) => String((i * 50 + j) % 97));
      commands.push([i % 2 === 0 ? 'RPUSH' : 'LPUSH', 'big', ...batch]);
    }
    commands.push(
      ['LLEN', 'big'],
      ['LRANGE', 'big', '4990', '5010'],
      ['LRANGE', 'big', '-30', '-1'],
      ['LINDEX', 'big', '7777'],
      ['LINDEX', 'big', '-7777'],
      ['LPOS', 'big', '42', 'RANK', '-3', 'COUNT', '4'],
      ['LINSERT', 'big', 'AFTER', '96', 'pivot'],
      ['LSET', 'big', '12345', 'set'],
      ['LREM', 'big', '-20', '13'],
      ['LREM', 'big', '0', '14'],
      ['LPOP', 'big', '3000'],
      ['RPOP', 'big', '3000'],
      ['LTRIM', 'big', '100', '-100'],
      ['LLEN', 'big'],
      ['OBJECT', 'ENCODING', 'big'],
      ['LRANGE', 'big', '0', '-1'],
    );
    const replies = await same(commands);
    const length = Number((replies.at(-3) as string).slice(1));
    expect(length).toBeGreaterThan(1000);
    expect(replies.at(-1)).toHaveLength(length);
  });

  it('COMMAND INFO declares every list command as Redis 7.0 does', async () => {
    const names = ['lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'llen', 'lrange', 'lindex', 'lset', 'linsert', 'lrem', 'ltrim', 'lpos', 'lmove', 'rpoplpush'];
    const essentials = (reply: RespValue): RespValue[] => (reply as RespValue[][]).map((entry) => entry.slice(0, 7));
    const commands = [['HELLO', '2'], ['COMMAND', 'INFO', ...names]];
    const [mine, theirs] = await Promise.all([oursConnection.pipeline(commands), redisConnection.pipeline(commands)]);
    expect(essentials(mine[1]!)).toEqual(essentials(theirs[1]!));
    expect(theirs[1]).toHaveLength(names.length);
  });

  it('WRONGTYPE is the exact Redis text', async () => {
    const replies = await same([['SET', 's', 'v'], ['LLEN', 's']]);
    expect(replies[1]).toBe(WRONGTYPE);
  });
});
