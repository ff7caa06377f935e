import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespConnection, type RespValue } from '../helpers/resp-connection.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// Every sorted-set command, its options and its errors, sent to our server and to a real
// redis-server 7.0 in RESP2 and in RESP3: the decoded replies (which keep every RESP type apart)
// must be identical. Random replies (ZRANDMEMBER) are checked by shape and membership.

let ours: RunningServer;
let real: RunningServer;
const connections: RespConnection[] = [];

beforeAll(async () => {
  [ours, real] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await Promise.all([ours?.stop(), real?.stop()]);
});

async function connect(port: number, protocol: 2 | 3): Promise<RespConnection> {
  const connection = await RespConnection.connect(port);
  connections.push(connection);
  if (protocol === 3) await connection.pipeline([['HELLO', '3']]);
  return connection;
}

/** Runs the script on both servers (freshly flushed) and returns both reply lists. */
async function bothRun(script: string[][], protocol: 2 | 3): Promise<[RespValue[], RespValue[]]> {
  const [a, b] = await Promise.all([connect(ours.port, protocol), connect(real.port, protocol)]);
  const commands = [['FLUSHALL'], ...script];
  const [mine, theirs] = await Promise.all([a.pipeline(commands), b.pipeline(commands)]);
  a.close();
  b.close();
  return [mine.slice(1), theirs.slice(1)];
}

/** Compares every reply of the script, in both protocols. */
async function same(script: string[][]): Promise<void> {
  for (const protocol of [2, 3] as const) {
    const [mine, theirs] = await bothRun(script, protocol);
    for (let i = 0; i < script.length; i++) {
      expect(mine[i], `RESP${protocol}: ${script[i]!.join(' ')}`).toEqual(theirs[i]);
    }
  }
}

const cmd = (line: string): string[] => line.split(' ').map((word) => word.replace(/\\s/g, ' ').replace(/^''$/, ''));
const lines = (...commands: string[]): string[][] => commands.map(cmd);

const SMALL = 'ZADD z 1 a 2 b 3 c 3 d 4.5 e -inf f +inf g 0 h';

describe('ZADD and ZINCRBY', () => {
  it('adds, updates and reports like Redis with every flag', async () => {
    await same(lines(
      'ZADD z 1 a', 'ZADD z 2 a 3 b', 'ZADD z CH 5 a 3 b 4 c', 'ZADD z NX 9 a 9 x', 'ZADD z XX 9 a 9 y',
      'ZADD z XX CH 10 a 10 b', 'ZADD z GT 1 a 20 b', 'ZADD z GT CH 1 a 21 b', 'ZADD z LT CH 1 a 21 b 7 n',
      'ZADD z INCR 5 a', 'ZADD z INCR NX 5 a', 'ZADD z INCR XX 5 nope', 'ZADD z INCR GT -100 a', 'ZADD z INCR LT -100 a',
      'ZADD z incr gt 1 a', 'ZADD z ch nx xx 1 a', 'ZADD missing XX 1 a', 'ZADD missing XX INCR 1 a', 'EXISTS missing',
      'ZRANGE z 0 -1 WITHSCORES', 'ZADD z 1.5e3 p 0x10 q -0 r 1e-5 s 123456789012345678 t 0.1 u',
      'ZRANGE z 0 -1 WITHSCORES', 'ZSCORE z q', 'ZSCORE z r', 'ZSCORE z u', 'ZSCORE z t',
    ));
  });

  it('rejects bad arguments with Redis error texts', async () => {
    await same(lines(
      'ZADD z', 'ZADD z 1', 'ZADD z 1 a 2', 'ZADD z NX XX 1 a', 'ZADD z GT LT 1 a', 'ZADD z NX GT 1 a', 'ZADD z NX LT 1 a',
      'ZADD z INCR 1 a 2 b', 'ZADD z abc a', 'ZADD z nan a', 'ZADD z 1e400 a', 'ZADD z 1e-400 a', "ZADD z '' a", 'ZADD z \\s1 a',
      'ZADD z 1 a abc b', 'ZADD z CH', 'ZADD z FOO 1 a', 'ZADD z inf a', 'ZINCRBY z -inf a', 'ZADD z INCR -inf a',
      'ZINCRBY z nan a', 'ZINCRBY z 1', 'ZINCRBY z NX a', 'ZINCRBY z 1 a b', 'ZSCORE z a', 'ZINCRBY z 2.5 b', 'ZINCRBY z 1e308 c',
      'ZINCRBY z 1e308 c', 'SET s x', 'ZADD s 1 a', 'ZINCRBY s 1 a', 'ZADD s XX 1 a', 'ZADD z 4.9e-324 tiny', 'ZSCORE z tiny',
    ));
  });

  it('keeps the TTL of an updated key and sets the listpack/skiplist encoding like Redis', async () => {
    const long = 'm'.repeat(65);
    await same([
      ...lines('ZADD z 1 a', 'EXPIRE z 1000', 'ZADD z 2 b', 'TTL z', 'OBJECT ENCODING z'),
      ['ZADD', 'y', '1', long], ['OBJECT', 'ENCODING', 'y'], ['ZADD', 'w', '1', 'm'.repeat(64)], ['OBJECT', 'ENCODING', 'w'],
      ['ZADD', 'w', '2', long], ['OBJECT', 'ENCODING', 'w'], ['ZREM', 'w', long], ['OBJECT', 'ENCODING', 'w'],
      ['ZADD', 'big', ...Array.from({ length: 128 }, (_, i) => [String(i), `m${i}`]).flat()], ['OBJECT', 'ENCODING', 'big'],
      ['ZADD', 'big', '200', 'over'], ['OBJECT', 'ENCODING', 'big'], ['ZREM', 'big', 'over'], ['OBJECT', 'ENCODING', 'big'],
      ['ZRANGE', 'big', '100', '110', 'WITHSCORES'], ['ZRANK', 'big', 'm77'], ['ZREVRANK', 'big', 'm77'],
      ['ZUNIONSTORE', 'u', '1', 'w'], ['OBJECT', 'ENCODING', 'u'], ['ZUNIONSTORE', 'u', '1', 'big'], ['OBJECT', 'ENCODING', 'u'],
      ['ZRANGESTORE', 'r', 'big', '0', '5'], ['OBJECT', 'ENCODING', 'r'], ['ZRANGESTORE', 'r', 'big', '0', '-1'], ['OBJECT', 'ENCODING', 'r'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'zero', '1', 'a'], ['OBJECT', 'ENCODING', 'zero'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ]);
  });
});

describe('reads', () => {
  it('ZSCORE, ZMSCORE, ZCARD, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT', async () => {
    await same(lines(
      SMALL, 'ZSCORE z a', 'ZSCORE z f', 'ZSCORE z g', 'ZSCORE z nope', 'ZSCORE nokey a', 'ZMSCORE z a nope g', 'ZMSCORE nokey a b',
      'ZCARD z', 'ZCARD nokey', 'ZRANK z a', 'ZRANK z f', 'ZRANK z nope', 'ZREVRANK z a', 'ZREVRANK nokey a',
      'ZCOUNT z -inf +inf', 'ZCOUNT z (1 3', 'ZCOUNT z 1 (3', 'ZCOUNT z (3 (3', 'ZCOUNT z 3 3', 'ZCOUNT z 5 1', 'ZCOUNT z abc 1',
      'ZCOUNT z (inf inf', "ZCOUNT z '' ''", 'ZCOUNT z \\s1 5', 'ZCOUNT z 1\\s 5', 'ZCOUNT z nan 5', 'ZCOUNT z ( 5', 'ZCOUNT z 0x1 0x3',
      'ZCOUNT nokey 1 2', 'ZCOUNT nokey x 2',
      'ZADD l 0 a 0 b 0 c 0 d 0 e 0 foo 0 zz', 'ZLEXCOUNT l - +', 'ZLEXCOUNT l [b (e', 'ZLEXCOUNT l (b [e', 'ZLEXCOUNT l + -',
      'ZLEXCOUNT l - -', 'ZLEXCOUNT l [ +', 'ZLEXCOUNT l b e', 'ZLEXCOUNT l -x +', 'ZLEXCOUNT l [f [fz', 'ZLEXCOUNT nokey - +',
      'ZLEXCOUNT nokey a b', 'SET s x', 'ZSCORE s a', 'ZMSCORE s a', 'ZCARD s', 'ZRANK s a', 'ZCOUNT s 1 2', 'ZLEXCOUNT s - +',
      'ZMSCORE z', 'ZRANK z', 'ZRANK z a WITHSCORE',
    ));
  });
});

describe('ZRANGE and its older forms', () => {
  it('ranks, scores and lex ranges, reversed, limited, with scores', async () => {
    await same(lines(
      SMALL, 'ZRANGE z 0 -1', 'ZRANGE z 0 -1 WITHSCORES', 'ZRANGE z -3 -1 withscores', 'ZRANGE z 5 2', 'ZRANGE z 100 200', 'ZRANGE z -100 1',
      'ZRANGE z 0 -1 REV', 'ZRANGE z 0 2 REV WITHSCORES', 'ZREVRANGE z 0 2 WITHSCORES', 'ZREVRANGE z 0 -1',
      'ZRANGE z 1 3 BYSCORE', 'ZRANGE z (1 3 BYSCORE WITHSCORES', 'ZRANGE z 3 1 BYSCORE REV', 'ZRANGE z +inf -inf BYSCORE REV LIMIT 1 3',
      'ZRANGE z -inf +inf BYSCORE LIMIT 2 -1', 'ZRANGE z -inf +inf BYSCORE LIMIT -1 2', 'ZRANGE z -inf +inf BYSCORE LIMIT 100 2',
      'ZRANGE z -inf +inf BYSCORE LIMIT 0 0', 'ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2', 'ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2',
      'ZREVRANGEBYSCORE z (3 (1 WITHSCORES', 'ZRANGEBYSCORE z (3 (3', 'ZRANGEBYSCORE z 3 3',
      'ZADD l 0 a 0 b 0 c 0 d 0 e 0 foo 0 zz', 'ZRANGE l [b (e BYLEX', 'ZRANGE l (e [b BYLEX REV', 'ZRANGE l - + BYLEX LIMIT 1 2',
      'ZRANGEBYLEX l - +', 'ZRANGEBYLEX l [c + LIMIT 0 2', 'ZREVRANGEBYLEX l + - LIMIT 1 3', 'ZREVRANGEBYLEX l [e (a',
      // Mixed scores in a listpack: Redis scans it from the ends, deterministically.
      'ZADD mixed 3 aa -5 n22 1 d 2 c', 'ZRANGEBYLEX mixed [b +', 'ZREVRANGEBYLEX mixed + [b', 'ZLEXCOUNT mixed (b +', 'ZLEXCOUNT mixed [c [d',
      'ZREMRANGEBYLEX mixed (d +', 'ZREMRANGEBYLEX mixed - [c', 'ZRANGE mixed 0 -1',
      'ZRANGE nokey 0 -1', 'ZRANGE nokey 0 -1 WITHSCORES', 'ZRANGEBYLEX nokey - +',
    ));
  });

  it('reports every option error as Redis does', async () => {
    await same(lines(
      SMALL, 'ZRANGE z 0 -1 LIMIT 0 1', 'ZRANGE z - + BYLEX WITHSCORES', 'ZRANGE z 0 -1 FOO', 'ZRANGE z 0 -1 LIMIT 0',
      'ZRANGE z 0 -1 BYSCORE BYLEX', 'ZRANGE z 0 -1 REV REV', 'ZRANGE z a b', 'ZRANGE z 0 1.5', 'ZRANGE z a b BYSCORE',
      'ZRANGE z a b BYLEX', 'ZRANGE z 0 1 BYSCORE LIMIT a 1', 'ZRANGE z 0 1 BYSCORE LIMIT 1 b', 'ZRANGEBYSCORE z 0 1 BYLEX',
      'ZRANGEBYSCORE z 0 1 REV', 'ZREVRANGE z 0 1 LIMIT 0 1', 'ZREVRANGE z 0 1 BYSCORE', 'ZRANGEBYLEX z - + WITHSCORES',
      'ZRANGEBYSCORE z 0 1 WITHSCORES WITHSCORES', 'ZRANGE z', 'ZRANGE z 0', 'ZRANGEBYSCORE z nan 1', 'SET s x', 'ZRANGE s 0 -1',
      'ZRANGE s a b', 'ZRANGE z 0 -1 LIMIT x y BYLEX',
    ));
  });

  it('ZRANGESTORE stores, deletes an emptied destination and refuses WITHSCORES', async () => {
    await same(lines(
      SMALL, 'ZRANGESTORE d z 0 2', 'ZRANGE d 0 -1 WITHSCORES', 'ZRANGESTORE d z 1 3 BYSCORE REV', 'ZRANGESTORE d z 3 1 BYSCORE REV LIMIT 0 1',
      'ZRANGE d 0 -1 WITHSCORES', 'SET str x', 'EXPIRE str 100', 'ZRANGESTORE str z 0 0', 'TYPE str', 'TTL str', 'ZRANGESTORE d z 5 1',
      'EXISTS d', 'ZRANGESTORE d nokey 0 -1', 'ZRANGESTORE d z 0 -1 WITHSCORES', 'ZRANGESTORE d str 0 -1', 'ZRANGESTORE d z - + BYLEX',
      'ZRANGESTORE d z 0 -1 LIMIT 0 1', 'ZRANGESTORE z z 0 1', 'ZRANGE z 0 -1',
    ));
  });
});

describe('removal and pops', () => {
  it('ZREM and ZREMRANGEBY* delete emptied keys and report counts', async () => {
    await same(lines(
      SMALL, 'ZREM z a nope a b', 'ZREM nokey a', 'ZREMRANGEBYRANK z 0 0', 'ZREMRANGEBYRANK z -2 -1', 'ZREMRANGEBYRANK z 5 1',
      'ZRANGE z 0 -1', 'ZREMRANGEBYSCORE z (3 4.5', 'ZREMRANGEBYSCORE z x 1', 'ZREMRANGEBYSCORE nokey 1 2', 'ZREMRANGEBYRANK z a 1',
      'ZRANGE z 0 -1 WITHSCORES', 'ZREMRANGEBYSCORE z -inf +inf', 'EXISTS z', 'ZADD l 0 a 0 b 0 c 0 d', 'ZREMRANGEBYLEX l [b (d',
      'ZREMRANGEBYLEX l x y', 'ZRANGE l 0 -1', 'ZREMRANGEBYLEX l - +', 'EXISTS l', 'SET s x', 'ZREM s a', 'ZREMRANGEBYRANK s 0 1',
      'ZREMRANGEBYLEX s - +', 'ZREMRANGEBYRANK s x 1', 'ZADD q 1 a', 'ZREM q a', 'EXISTS q',
    ));
  });

  it('ZPOPMIN, ZPOPMAX and ZMPOP in both protocols', async () => {
    await same(lines(
      SMALL, 'ZPOPMIN z', 'ZPOPMAX z', 'ZPOPMIN z 2', 'ZPOPMAX z 0', 'ZPOPMIN z -1', 'ZPOPMIN z 1 2', 'ZPOPMIN z abc',
      'ZPOPMIN nokey', 'ZPOPMIN nokey 3', 'ZPOPMAX z 100', 'EXISTS z', SMALL, 'ZMPOP 1 z MIN', 'ZMPOP 2 nokey z max COUNT 2',
      'ZMPOP 1 nokey MIN', 'ZMPOP 0 z MIN', 'ZMPOP abc z MIN', 'ZMPOP 1 z MIN COUNT 0', 'ZMPOP 1 z MIN COUNT -1', 'ZMPOP 1 z MIN COUNT x',
      'ZMPOP 1 z MIN COUNT 1 COUNT 1', 'ZMPOP 1 z LEFT', 'ZMPOP 3 z MIN', 'ZMPOP 1 z', 'ZMPOP 1 z MIN COUNT', 'ZMPOP 1 z MAX COUNT 100',
      'EXISTS z', 'SET s x', 'ZPOPMIN s', 'ZMPOP 2 nokey s MIN', 'ZMPOP 2 s nokey MIN', 'ZPOPMIN s 0',
    ));
  });
});

describe('set algebra', () => {
  it('ZUNION, ZINTER, ZDIFF with weights, aggregates and set inputs', async () => {
    await same(lines(
      'ZADD a 1 x 2 y 3 z', 'ZADD b 10 y 20 z 30 w', 'SADD s y w v', 'ZADD inf +inf x -inf y 5 z',
      'ZUNION 2 a b', 'ZUNION 2 a b WITHSCORES', 'ZUNION 3 a b s WITHSCORES', 'ZUNION 2 a b WEIGHTS 2 0.5 WITHSCORES',
      'ZUNION 2 a b AGGREGATE MIN WITHSCORES', 'ZUNION 2 a b AGGREGATE max WITHSCORES', 'ZUNION 2 a inf WITHSCORES',
      'ZUNION 2 inf inf WITHSCORES', 'ZUNION 2 inf a WEIGHTS 0 1 WITHSCORES', 'ZUNION 2 inf inf WEIGHTS 1 -1 WITHSCORES',
      'ZINTER 2 a b WITHSCORES', 'ZINTER 3 a b s', 'ZINTER 2 a inf WEIGHTS 0 1 WITHSCORES', 'ZINTER 2 inf inf WEIGHTS 1 -1 WITHSCORES',
      'ZINTER 2 inf inf WEIGHTS 1 -1 AGGREGATE MIN WITHSCORES', 'ZINTER 2 inf inf WEIGHTS 0 1 AGGREGATE MAX WITHSCORES',
      'ZINTER 2 a nokey', 'ZDIFF 2 a b WITHSCORES', 'ZDIFF 2 b s', 'ZDIFF 1 a', 'ZDIFF 2 nokey a',
      'ZUNION 0 a', 'ZUNION -1 a', 'ZUNION x a', 'ZUNION 3 a b', 'ZUNION 2 a b WEIGHTS 1', 'ZUNION 2 a b WEIGHTS 1 x',
      'ZUNION 2 a b AGGREGATE avg', 'ZUNION 2 a b AGGREGATE', 'ZUNION 2 a b FOO', 'ZDIFF 2 a b WEIGHTS 1 1', 'ZDIFF 2 a b AGGREGATE SUM',
      'SET str x', 'ZUNION 2 a str', 'ZUNION 2 str a FOO', 'ZINTER 1 str',
      'ZUNIONSTORE d 2 a b', 'ZRANGE d 0 -1 WITHSCORES', 'ZINTERSTORE d 2 a b WEIGHTS 1 2', 'ZRANGE d 0 -1 WITHSCORES',
      'ZDIFFSTORE d 2 a b', 'ZRANGE d 0 -1 WITHSCORES', 'ZINTERSTORE d 2 a nokey', 'EXISTS d', 'ZUNIONSTORE d 2 a b WITHSCORES',
      'ZINTERSTORE d 0 a', 'ZDIFFSTORE d 0 a', 'ZUNIONSTORE a 2 a b', 'ZRANGE a 0 -1 WITHSCORES', 'EXPIRE str 100',
      'ZUNIONSTORE str 1 b', 'TTL str', 'TYPE str',
      'ZINTERCARD 2 a b', 'ZINTERCARD 2 a b LIMIT 1', 'ZINTERCARD 2 a b LIMIT 0', 'ZINTERCARD 2 a b LIMIT -1', 'ZINTERCARD 2 a b LIMIT x',
      'ZINTERCARD 0 a', 'ZINTERCARD 2 a', 'ZINTERCARD 1 a WITHSCORES', 'ZINTERCARD 2 a nokey', 'ZINTERCARD 2 a s',
    ));
  });

  it('sums in the order Redis does (smallest input first)', async () => {
    await same(lines(
      'ZADD a 0.1 m', 'ZADD b 0.2 m 1 n', 'ZADD c 0.3 m 1 n 2 o', 'ZUNION 3 c b a WITHSCORES', 'ZUNION 3 a b c WITHSCORES',
      'ZINTER 3 c b a WITHSCORES', 'ZINTER 3 b c a WEIGHTS 3 7 0.1 WITHSCORES',
    ));
  });
});

describe('ZRANDMEMBER and ZSCAN', () => {
  it('ZRANDMEMBER errors and deterministic answers are Redis', async () => {
    await same(lines(
      SMALL, 'ZRANDMEMBER nokey', 'ZRANDMEMBER nokey 5', 'ZRANDMEMBER z 0',
      'ZRANDMEMBER z -9223372036854775808', 'ZRANDMEMBER z 9223372036854775807 WITHSCORES', 'ZRANDMEMBER z -4611686018427387904 WITHSCORES',
      'ZRANDMEMBER z 1 WITHSCORES x', 'ZRANDMEMBER z 1 FOO', 'ZRANDMEMBER z abc', 'ZRANDMEMBER z 0 WITHSCORES',
      'SET s x', 'ZRANDMEMBER s', 'ZRANDMEMBER s 1',
    ));
  });

  it('ZRANDMEMBER picks members of the set, distinct for a positive count', async () => {
    for (const protocol of [2, 3] as const) {
      const connection = await connect(ours.port, protocol);
      const replies = await connection.pipeline([
        ['FLUSHALL'], cmd(SMALL), ['ZRANDMEMBER', 'z'], ['ZRANDMEMBER', 'z', '3'], ['ZRANDMEMBER', 'z', '-20'], ['ZRANDMEMBER', 'z', '3', 'WITHSCORES'],
        ['ZRANDMEMBER', 'z', '-5', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '100'],
      ]);
      const members = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((m) => `$${m}`);
      expect([...(replies[7] as string[])].sort()).toEqual(members);
      expect(members).toContain(replies[2]);
      const three = replies[3] as string[];
      expect(new Set(three).size).toBe(3);
      for (const member of three) expect(members).toContain(member);
      expect((replies[4] as string[]).length).toBe(20);
      for (const member of replies[4] as string[]) expect(members).toContain(member);
      const withScores = replies[5] as RespValue[];
      if (protocol === 3) {
        expect(withScores.length).toBe(3);
        for (const pair of withScores) expect((pair as string[])[1]!.startsWith(',')).toBe(true);
      } else {
        expect(withScores.length).toBe(6);
      }
      expect((replies[6] as RespValue[]).length).toBe(protocol === 3 ? 5 : 10);
      connection.close();
    }
  });

  it('ZSCAN of a listpack zset is whole, with options and errors as Redis', async () => {
    await same(lines(
      SMALL, 'ZSCAN z 0', 'ZSCAN z 0 MATCH [a-c] COUNT 1', 'ZSCAN z 0 COUNT 0', 'ZSCAN z 0 COUNT x', 'ZSCAN z 0 TYPE zset', 'ZSCAN z x',
      'ZSCAN z 0 MATCH', 'ZSCAN nokey 0', 'ZSCAN nokey 0 COUNT 0', 'SET s x', 'ZSCAN s 0', 'ZADD f 0.1 a -0 b 1e100 c', 'ZSCAN f 0', 'ZSCORE f b',
      'ZINCRBY f -0 n', 'ZADD f INCR -0 m', 'ZSCORE f m', 'ZUNION 1 f WEIGHTS -1 WITHSCORES', 'ZUNIONSTORE g 1 f WEIGHTS -1', 'ZSCORE g b',
    ));
  });

  it('ZSCAN of a skiplist zset returns every member exactly once over its cursor', async () => {
    const connection = await connect(ours.port, 2);
    const members = Array.from({ length: 500 }, (_, i) => `member:${i}`);
    await connection.pipeline([['FLUSHALL'], ['ZADD', 'big', ...members.flatMap((m, i) => [String(i), m])]]);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [reply] = (await connection.pipeline([['ZSCAN', 'big', cursor, 'COUNT', '20']])) as [[string, string[]]];
      cursor = reply[0].slice(1);
      for (let i = 0; i < reply[1].length; i += 2) {
        expect(seen.has(reply[1][i]!)).toBe(false);
        seen.set(reply[1][i]!.slice(1), reply[1][i + 1]!.slice(1));
      }
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(10);
    expect(seen.size).toBe(500);
    expect(seen.get('member:42')).toBe('42');
    connection.close();
  });
});

describe('arity and WRONGTYPE', () => {
  it('answers arity errors as Redis does', async () => {
    await same(lines(
      'ZADD', 'ZINCRBY z 1', 'ZSCORE z', 'ZMSCORE z', 'ZCARD', 'ZCOUNT z 1', 'ZLEXCOUNT z -', 'ZRANK z', 'ZREVRANK z', 'ZREM z',
      'ZREMRANGEBYRANK z 0', 'ZREMRANGEBYSCORE z 0', 'ZREMRANGEBYLEX z -', 'ZPOPMIN', 'ZPOPMAX', 'ZMPOP 1 z', 'ZRANDMEMBER',
      'ZINTER 1', 'ZUNION 1', 'ZDIFF 1', 'ZINTERSTORE d 1', 'ZUNIONSTORE d 1', 'ZDIFFSTORE d 1', 'ZINTERCARD 1', 'ZSCAN z',
      'ZRANGESTORE d z 0', 'ZRANGEBYSCORE z 0', 'ZREVRANGEBYSCORE z 0', 'ZRANGEBYLEX z -', 'ZREVRANGEBYLEX z +', 'ZREVRANGE z 0',
    ));
  });
});

describe('blocked clients', () => {
  it('ZADD and ZUNIONSTORE creating a key serve a client blocked in BZPOPMIN/BZMPOP, as in Redis', async () => {
    for (const port of [ours.port, real.port]) {
      const [blockedPop, blockedMpop, writer] = await Promise.all([connect(port, 2), connect(port, 2), connect(port, 2)]);
      await writer.pipeline([['FLUSHALL']]);
      const pop = blockedPop.pipeline([['BZPOPMIN', 'k', '10']]);
      const mpop = blockedMpop.pipeline([['BZMPOP', '10', '1', 'd', 'MAX', 'COUNT', '2']]);
      // Both clients are blocked once CLIENT LIST shows them waiting.
      for (let tries = 0; tries < 100; tries++) {
        const [list] = (await writer.pipeline([['CLIENT', 'LIST']])) as [string];
        if ((list.match(/cmd=bz/g) ?? []).length === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await writer.pipeline([['ZADD', 'k', '2', 'b', '1', 'a'], ['ZADD', 'src', '1', 'x', '2', 'y', '3', 'z'], ['ZUNIONSTORE', 'd', '1', 'src']]);
      expect(await pop).toEqual([['$k', '$a', '$1']]);
      expect(await mpop).toEqual([['$d', [['$z', '$3'], ['$y', '$2']]]]);
      expect(await writer.pipeline([['ZRANGE', 'k', '0', '-1'], ['ZCARD', 'd']])).toEqual([['$b'], ':1']);
    }
  });
});
