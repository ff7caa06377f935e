import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { run, same as sameReplies, type Commands, type Normalised } from '../helpers/side-by-side.js';

// EXPIRE and friends against a real redis-server 7.0: the same commands go to both servers and
// the replies must be identical. Relative TTLs read each server's clock a moment apart, so a
// positive TTL may differ by one second and a PTTL by a few milliseconds.

let ours: RunningServer;
let redis: RunningServer;
let oursClient: Redis;
let redisClient: Redis;

/** Same replies from both servers, a positive TTL within a second, a PTTL within 50 ms. */
function same(commands: Commands): Promise<Normalised[]> {
  return sameReplies(oursClient, redisClient, commands);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
  await Promise.all([run(oursClient, [['flushall'], ['debug', 'set-active-expire', '1']]), run(redisClient, [['flushall'], ['debug', 'set-active-expire', '1']])]);
});

const FUTURE_S = Math.floor(Date.now() / 1000) + 100_000;

describe('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT', () => {
  it('set TTLs that TTL, PTTL, EXPIRETIME and PEXPIRETIME report alike', async () => {
    await same([
      ['expire', 'missing', '100'],
      ['ttl', 'missing'],
      ['pttl', 'missing'],
      ['expiretime', 'missing'],
      ['pexpiretime', 'missing'],
      ['set', 'k', 'v'],
      ['ttl', 'k'],
      ['pttl', 'k'],
      ['expiretime', 'k'],
      ['pexpiretime', 'k'],
      ['expire', 'k', '100'],
      ['ttl', 'k'],
      ['pexpire', 'k', '200000'],
      ['pttl', 'k'],
      ['expireat', 'k', String(FUTURE_S)],
      ['expiretime', 'k'],
      ['pexpiretime', 'k'],
      ['pexpireat', 'k', String(FUTURE_S * 1000 + 789)],
      ['expiretime', 'k'],
      ['pexpiretime', 'k'],
      ['pexpireat', 'k', String(FUTURE_S * 1000 + 499)],
      ['expiretime', 'k'],
    ]);
  });

  it('round TTL to the nearest second as Redis does', async () => {
    await same([
      ['set', 'up', 'v'],
      ['pexpire', 'up', '2700'],
      ['ttl', 'up'],
      ['set', 'down', 'v'],
      ['pexpire', 'down', '2300'],
      ['ttl', 'down'],
    ]);
    const [up, down] = await run(oursClient, [['ttl', 'up'], ['ttl', 'down']]);
    expect(up).toBe(3);
    expect(down).toBe(2);
  });

  it('delete the key when the time is already past, and still answer 1', async () => {
    await same([
      ['set', 'a', 'v'],
      ['expire', 'a', '-1'],
      ['exists', 'a'],
      ['set', 'b', 'v'],
      ['pexpire', 'b', '0'],
      ['exists', 'b'],
      ['set', 'c', 'v'],
      ['expireat', 'c', '1'],
      ['exists', 'c'],
      ['set', 'd', 'v'],
      ['pexpireat', 'd', '-5'],
      ['get', 'd'],
      ['expire', 'missing', '-1'],
    ]);
  });

  it('apply NX, XX, GT and LT with a missing TTL counting as infinite', async () => {
    const commands: string[][] = [];
    for (const [condition, ttl] of [
      ['nx', '100'],
      ['xx', '100'],
      ['gt', '100'],
      ['lt', '100'],
      ['lt', '-1'],
      ['gt', '-1'],
    ] as const) {
      commands.push(['set', 'plain', 'v'], ['expire', 'plain', ttl, condition], ['ttl', 'plain'], ['exists', 'plain']);
      commands.push(['set', 'vol', 'v', 'ex', '500']);
      for (const value of ['100', '500', '900']) commands.push(['expire', 'vol', value, condition], ['ttl', 'vol'], ['expire', 'vol', '500']);
    }
    commands.push(['set', 'both', 'v', 'ex', '500'], ['expire', 'both', '900', 'xx', 'gt'], ['ttl', 'both'], ['expire', 'both', '100', 'XX', 'LT'], ['ttl', 'both']);
    commands.push(['pexpire', 'both', '100', 'lt', 'lt'], ['pttl', 'both']);
    await same(commands);
  });

  it('reject option combinations, unknown options, bad numbers and overflows with the same errors', async () => {
    const commands: string[][] = [['set', 'k', 'v']];
    for (const name of ['expire', 'pexpire', 'expireat', 'pexpireat']) {
      commands.push(
        [name, 'k', '100', 'nx', 'xx'],
        [name, 'k', '100', 'nx', 'gt'],
        [name, 'k', '100', 'lt', 'nx'],
        [name, 'k', '100', 'gt', 'lt'],
        [name, 'k', '100', 'gt', 'foo'],
        [name, 'k', 'x', 'foo'],
        [name, 'k', 'x', 'nx', 'xx'],
        [name, 'k', 'x'],
        [name, 'k', '1.5'],
        [name, 'k', ''],
        [name, 'k', '9223372036854775808'],
        [name, 'k', '9223372036854775807'],
        [name, 'k', '-9223372036854775808'],
        [name, 'k', '9223372036854775'],
        [name, 'k', '9223372036854776'],
        [name, 'k', '-9223372036854775'],
        [name, 'k', '-9223372036854776'],
        [name, 'missing', '9223372036854776'],
        [name, 'k'],
        [name],
      );
      commands.push(['set', 'k', 'v']);
    }
    await same(commands);
  });
});

describe('expiry times near the int64 limit', () => {
  it('are kept exactly, through GT/LT, RENAME, COPY and MOVE', async () => {
    await same([
      ['set', 'k', 'v'],
      ['pexpireat', 'k', '9223372036854775807'],
      ['pexpiretime', 'k'],
      ['expiretime', 'k'],
      ['pexpireat', 'k', '9223372036854775806', 'lt'],
      ['pexpireat', 'k', '9223372036854775807', 'lt'],
      ['pexpireat', 'k', '9223372036854775807', 'gt'],
      ['pexpiretime', 'k'],
      ['rename', 'k', 'k2'],
      ['pexpiretime', 'k2'],
      ['copy', 'k2', 'k3'],
      ['pexpiretime', 'k3'],
      ['move', 'k3', '1'],
      ['select', '1'],
      ['pexpiretime', 'k3'],
      ['pexpireat', 'k3', '9007199254740993'],
      ['pexpiretime', 'k3'],
      ['expireat', 'k3', '9223372036854775'],
      ['pexpiretime', 'k3'],
      ['persist', 'k3'],
      ['pexpiretime', 'k3'],
      ['select', '0'],
    ]);
  });
});

describe('PERSIST', () => {
  it('removes a TTL once', async () => {
    await same([
      ['persist', 'missing'],
      ['set', 'k', 'v'],
      ['persist', 'k'],
      ['expire', 'k', '100'],
      ['persist', 'k'],
      ['persist', 'k'],
      ['ttl', 'k'],
      ['persist'],
      ['persist', 'k', 'x'],
    ]);
  });
});

describe('TTL commands', () => {
  it('reject wrong arity like Redis', async () => {
    await same([['ttl'], ['pttl', 'a', 'b'], ['expiretime'], ['pexpiretime', 'a', 'b']]);
  });

  it('count keyspace hits and misses like Redis', async () => {
    const stats = async (client: Redis): Promise<string> => {
      const info = await client.info('stats');
      return `${/keyspace_hits:(\d+)/.exec(info)![1]}/${/keyspace_misses:(\d+)/.exec(info)![1]}`;
    };
    await Promise.all([run(oursClient, [['config', 'resetstat']]), run(redisClient, [['config', 'resetstat']])]);
    await same([['set', 'k', 'v', 'ex', '100'], ['ttl', 'k'], ['pttl', 'missing'], ['expiretime', 'k'], ['expire', 'k', '50'], ['persist', 'k'], ['exists', 'k', 'nope'], ['type', 'k'], ['touch', 'k'], ['object', 'encoding', 'k'], ['copy', 'k', 'k2'], ['rename', 'k2', 'k3']]);
    expect(await stats(oursClient)).toBe(await stats(redisClient));
  });
});

describe('expiry', () => {
  it('is lazy: an expired key stays counted until it is touched, then goes', async () => {
    const setup: string[][] = [['debug', 'set-active-expire', '0']];
    for (let i = 0; i < 10; i++) setup.push(['set', `k${i}`, 'v'], ['pexpire', `k${i}`, '50']);
    await same(setup);
    await sleep(120);
    await same([['dbsize'], ['get', 'k0'], ['exists', 'k1'], ['ttl', 'k2'], ['dbsize'], ['keys', '*'], ['dbsize']]);
    const expired = async (client: Redis): Promise<number> => Number(/expired_keys:(\d+)/.exec(await client.info('stats'))![1]);
    expect(await expired(oursClient)).toBeGreaterThanOrEqual(3);
  });

  it('is active: keys with a 100 ms TTL leave DBSIZE without being touched', async () => {
    const setup: string[][] = [];
    for (let i = 0; i < 200; i++) setup.push(['set', `t${i}`, 'v', 'px', '100']);
    for (let i = 0; i < 20; i++) setup.push(['set', `p${i}`, 'v']);
    await same(setup);
    const deadline = Date.now() + 5000;
    let size = -1;
    while (Date.now() < deadline) {
      await sleep(100);
      size = (await oursClient.dbsize()) as number;
      if (size === 20) break;
    }
    expect(size).toBe(20);
    const info = await oursClient.info('stats');
    expect(Number(/expired_keys:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(200);
  });

  it('keeps a TTL across SET KEEPTTL, and SET without it clears the TTL', async () => {
    await same([['set', 'k', 'v', 'ex', '100'], ['set', 'k', 'w', 'keepttl'], ['ttl', 'k'], ['set', 'k', 'x'], ['ttl', 'k']]);
  });
});

describe('COMMAND INFO', () => {
  it('declares the expire commands as Redis 7.0', async () => {
    const names = ['expire', 'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl', 'expiretime', 'pexpiretime', 'persist'];
    const head = (entry: unknown): unknown => (entry as unknown[]).slice(0, 7);
    const [mine, theirs] = await Promise.all([oursClient.call('command', 'info', ...names), redisClient.call('command', 'info', ...names)]);
    expect((mine as unknown[]).map(head)).toEqual((theirs as unknown[]).map(head));
    const docs = async (client: Redis): Promise<unknown> => {
      const flat = (await client.call('command', 'docs', ...names)) as unknown[];
      const out: Record<string, unknown> = {};
      for (let i = 0; i < flat.length; i += 2) {
        const fields = flat[i + 1] as unknown[];
        const keep: unknown[] = [];
        for (let j = 0; j < fields.length; j += 2) if (['summary', 'since', 'group', 'complexity'].includes(fields[j] as string)) keep.push(fields[j], fields[j + 1]);
        out[flat[i] as string] = keep;
      }
      return out;
    };
    expect(await docs(oursClient)).toEqual(await docs(redisClient));
  });
});
