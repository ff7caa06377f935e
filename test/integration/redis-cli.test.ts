import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisCli, startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// redis-cli, the tool people drive Redis with, against our server and a real redis-server: its
// formatted output must be the same, and its mass-insertion mode (--pipe) must load 100,000 keys.

let ours: RunningServer;
let redis: RunningServer;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([ours?.stop(), redis?.stop()]);
});

/** Runs the same redis-cli invocation against both servers and returns both outputs. */
async function both(args: string[], input?: string): Promise<[string, string]> {
  return Promise.all([redisCli(ours.port, args, input), redisCli(redis.port, args, input)]);
}

describe('redis-cli against our server', () => {
  it('prints replies exactly as it does for redis-server, for every reply type', async () => {
    const script = [
      'FLUSHALL',
      'SET greeting hello',
      'GET greeting',
      'GET missing',
      'INCR counter',
      'INCRBYFLOAT counter 1.5',
      'MSET a 1 b 2',
      'MGET a b missing',
      'APPEND greeting " world"',
      'EXPIRE greeting 100',
      'TTL greeting',
      'TYPE greeting',
      'DEL a b missing',
      'GETRANGE greeting 0 4',
      'SET "with space" "and \\"quotes\\""',
      'GET "with space"',
      'LCS greeting greeting',
      'NOSUCHCOMMAND x',
      'GET',
      'OBJECT ENCODING counter',
      'ECHO "line1\\nline2"',
    ].join('\n');
    const [oursOut, redisOut] = await both([], `${script}\n`);
    expect(oursOut).toBe(redisOut);
  });

  it('prints RESP3 replies (-3) as it does for redis-server', async () => {
    const script = ['HELLO 3', 'SET k v', 'GET k', 'LCS k k IDX', 'CONFIG GET maxmemory', 'DBSIZE'].join('\n');
    const [oursOut, redisOut] = await both(['-3'], `${script}\n`);
    // Piped output is redis-cli's plain format; the client id is the only value that may differ.
    const withoutServerFields = (text: string): string => text.replace(/^id \d+$/m, 'id <id>');
    expect(withoutServerFields(oursOut)).toBe(withoutServerFields(redisOut));
  });

  it('--pipe loads 100,000 keys in one stream, with no errors, and every key reads back', async () => {
    let input = '';
    for (let i = 0; i < 100_000; i++) {
      const key = `pipe:${i}`;
      const value = `value-${i}`;
      input += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
    }
    await redisCli(ours.port, ['FLUSHALL']);
    const report = await redisCli(ours.port, ['--pipe'], input);
    expect(report).toContain('errors: 0, replies: 100000');
    const client = new Redis({ port: ours.port, lazyConnect: true });
    await client.connect();
    try {
      expect(await client.dbsize()).toBe(100_000);
      const sample = [0, 1, 4_242, 77_777, 99_999];
      expect(await client.mget(sample.map((i) => `pipe:${i}`))).toEqual(sample.map((i) => `value-${i}`));
    } finally {
      client.disconnect();
    }
  });

  it('--pipe reports the errors a bad stream produces, like redis-server', async () => {
    const input = '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$9\r\nNOSUCHCMD\r\n*3\r\n$4\r\nINCR\r\n$1\r\nk\r\n$1\r\nx\r\n';
    // redis-cli exits 1 when a reply was an error; its report is what matters.
    const report = (port: number): Promise<string> =>
      redisCli(port, ['--pipe'], input).catch((error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`);
    const [oursOut, redisOut] = await Promise.all([report(ours.port), report(redis.port)]);
    const summary = (text: string): string => text.split('\n').filter((line) => !line.startsWith('All data transferred')).join('\n');
    expect(summary(oursOut)).toBe(summary(redisOut));
    expect(oursOut).toContain('errors: 2, replies: 3');
  });

  it('ioredis and redis-cli need no options against the default run command', async () => {
    // The README's run command is `npm start` = node dist/cli.js: 127.0.0.1:6379 by default. A
    // server on 6379 may exist on this machine, so check the defaults through CONFIG instead.
    const client = new Redis({ port: ours.port });
    try {
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      expect(await client.ping()).toBe('PONG');
      expect((await redisCli(ours.port, ['PING'])).trim()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
