import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { encodeCommand } from '../helpers/resp-connection.js';

// The RESP layer over real sockets, against real redis-server where the behaviour is Redis'.

let ours: RunningServer;
let redis: RunningServer;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([ours?.stop(), redis?.stop()]);
});

const encode = (...argv: string[]): string => encodeCommand(argv);

interface Exchange {
  reply: string;
  closed: boolean;
}

/**
 * Sends `input` on a fresh connection; everything received until the server closes or goes quiet.
 * With `like` (what Redis did with the same input), waits for at least as many bytes and, if Redis
 * closed, for the close, so a slow moment on a loaded machine is not taken for a difference.
 */
async function exchange(port: number, input: string | Buffer, quietMs = 150, like?: Exchange): Promise<Exchange> {
  const client = await RawClient.connect(port);
  try {
    const reply = await client.roundTrip(input, quietMs, like?.reply.length ?? 0);
    return { reply, closed: client.isClosed || (await client.waitClosed(like?.closed ? 5000 : 50)) };
  } finally {
    client.close();
  }
}

/** The same input to both servers: identical bytes back, and both close (or both keep) the connection. */
async function expectSameAsRedis(input: string | Buffer): Promise<Exchange> {
  const theirs = await exchange(redis.port, input);
  const mine = await exchange(ours.port, input, 150, theirs);
  expect({ input: input.toString().slice(0, 60), ...mine }).toEqual({ input: input.toString().slice(0, 60), ...theirs });
  return mine;
}

async function command(port: number, ...argv: string[]): Promise<string> {
  const client = await RawClient.connect(port);
  try {
    return await client.roundTrip(encode(...argv), 50, 1);
  } finally {
    client.close();
  }
}

describe('protocol errors, byte for byte as Redis', () => {
  const cases: [string, string][] = [
    ['invalid multibulk length', '*x\r\n'],
    ['invalid multibulk length (sign)', '*+1\r\n$4\r\nPING\r\n'],
    ['invalid multibulk length (-0)', '*-0\r\n'],
    ['invalid multibulk length (past INT_MAX)', '*2147483648\r\n'],
    ["expected '$'", '*1\r\n:1\r\n'],
    ["expected '$' with a CR", '*1\r\n\r\n\r\n'],
    ["expected '$' waits for its line", '*1\r\nxyz'],
    ['invalid bulk length (negative)', '*1\r\n$-1\r\n'],
    ['invalid bulk length (leading zero)', '*1\r\n$04\r\nPING\r\n'],
    ['invalid bulk length (text)', '*1\r\n$abc\r\n'],
    ['unbalanced quotes', 'SET "a b\r\n'],
    ['closing quote followed by a letter', "SET 'a'b c\r\n"],
    ['NUL before a count line end waits', '*1\0\r\n$4\r\nPING\r\n'],
    ['NUL in an inline line waits', 'PI\0NG\r\nPING\r\n'],
    ['replies to the commands before the bad one, then the error, then closes', `PING\r\n${encode('PING')}*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n`],
    ['empty multibulks and blank lines are skipped', `*0\r\n*-1\r\n\r\n\n   \r\n${encode('PING')}`],
    ['the two bytes after a bulk are not checked', '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'],
    ['too big inline request', 'x'.repeat(70_000)],
    ['too big mbulk count string', `*${'1'.repeat(70_000)}`],
    ['too big bulk count string', `*1\r\n${'x'.repeat(70_000)}`],
    ['too big inline request after a good command', `PING\r\n${'x'.repeat(70_000)}`],
  ];
  for (const [name, input] of cases) {
    it(name, async () => {
      await expectSameAsRedis(Buffer.from(input, 'latin1'));
    });
  }

  it('unauthenticated multibulk and bulk lengths', async () => {
    const [mine, theirs] = await Promise.all([startServer(['--requirepass', 'pw']), startRedis(['--requirepass', 'pw'])]);
    try {
      for (const input of ['*11\r\n', '*10\r\n', '*1\r\n$16385\r\n', '*1\r\n$16384\r\n', `${encode('AUTH', 'pw')}*11\r\n`, `${encode('AUTH', 'pw')}*1\r\n$16385\r\n`]) {
        const b = await exchange(theirs.port, input);
        const a = await exchange(mine.port, input, 150, b);
        expect({ input, ...a }).toEqual({ input, ...b });
      }
    } finally {
      await Promise.all([mine.stop(), theirs.stop()]);
    }
  });
});

describe('framing', () => {
  it('thousands of pipelined commands in one write', async () => {
    const count = 5000;
    let input = '';
    for (let i = 0; i < count; i++) input += i % 2 === 0 ? encode('SET', `pipe:${i % 50}`, `v${i}`) : encode('GET', `pipe:${(i - 1) % 50}`);
    const client = await RawClient.connect(ours.port);
    client.send(input);
    let expected = '';
    for (let i = 0; i < count; i++) expected += i % 2 === 0 ? '+OK\r\n' : `$${`v${i - 1}`.length}\r\nv${i - 1}\r\n`;
    const reply = await client.read(expected.length, 10_000);
    expect(reply).toBe(expected);
    client.close();
  });

  it('a pipeline written one byte at a time', async () => {
    const input = Buffer.from(`${encode('SET', 'bytewise', 'a\r\nb')}${encode('GET', 'bytewise')}PING\r\n${encode('ECHO', '')}`, 'latin1');
    const client = await RawClient.connect(ours.port);
    for (let i = 0; i < input.length; i++) {
      client.send(input.subarray(i, i + 1));
      if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const expected = '+OK\r\n$4\r\na\r\nb\r\n+PONG\r\n$0\r\n\r\n';
    expect(await client.read(expected.length)).toBe(expected);
    client.close();
  });

  it('inline (telnet) commands with quotes and escapes, same as Redis', async () => {
    await expectSameAsRedis('SET "in line" "a\\x00b\\r\\n\\"c"\r\nGET "in line"\nECHO \'it\\\'s\'\r\nSTRLEN "in line"\r\nDEL "in line"\r\n');
  });

  it('binary-safe keys and values (CR, LF, NUL, all 256 bytes)', async () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const key = `k\r\n\0${all}`;
    const input = encode('SET', key, all + all) + encode('GET', key) + encode('STRLEN', key) + encode('DEL', key);
    const { reply } = await expectSameAsRedis(Buffer.from(input, 'latin1'));
    expect(reply).toBe(`+OK\r\n$512\r\n${all}${all}\r\n:512\r\n:1\r\n`);
  });

  it('a big value (1MB) arriving in many chunks, and read back', async () => {
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const text = big.toString('latin1');
    const client = await RawClient.connect(ours.port);
    const input = Buffer.from(encode('SET', 'big', text) + encode('GET', 'big'), 'latin1');
    for (let i = 0; i < input.length; i += 10_000) client.send(input.subarray(i, i + 10_000));
    const expected = `+OK\r\n$${big.length}\r\n${text}\r\n`;
    expect(await client.read(expected.length, 10_000)).toBe(expected);
    client.close();
  });
});

describe('bad clients do not disturb the others', () => {
  it('a protocol error closes only that client and changes no key', async () => {
    const good = await RawClient.connect(ours.port);
    expect(await good.roundTrip(encode('SET', 'sentinel', 'kept'), 30)).toBe('+OK\r\n');
    const { reply, closed } = await exchange(ours.port, `${encode('SET', 'x1', 'y')}*1\r\n$-5\r\n${encode('SET', 'sentinel', 'changed')}`);
    expect(reply).toBe('+OK\r\n-ERR Protocol error: invalid bulk length\r\n');
    expect(closed).toBe(true);
    expect(await good.roundTrip(encode('GET', 'sentinel'), 30)).toBe('$4\r\nkept\r\n');
    good.close();
  });

  it('proto-max-bulk-len: a bigger bulk header is an invalid bulk length, as in Redis', async () => {
    const [mine, theirs] = await Promise.all([startServer(['--proto-max-bulk-len', '1mb']), startRedis(['--proto-max-bulk-len', '1mb'])]);
    try {
      for (const input of ['*2\r\n$3\r\nGET\r\n$1048577\r\n', '*2\r\n$3\r\nGET\r\n$1048576\r\n']) {
        const b = await exchange(theirs.port, input);
        const a = await exchange(mine.port, input, 150, b);
        expect({ input, ...a }).toEqual({ input, ...b });
      }
      expect((await exchange(mine.port, '*2\r\n$3\r\nGET\r\n$1048577\r\n')).reply).toBe('-ERR Protocol error: invalid bulk length\r\n');
    } finally {
      await Promise.all([mine.stop(), theirs.stop()]);
    }
  });

  it('client-query-buffer-limit: an incomplete command past the limit closes the client; the server stays healthy', async () => {
    const [mine, theirs] = await Promise.all([startServer(['--client-query-buffer-limit', '1mb']), startRedis(['--client-query-buffer-limit', '1mb'])]);
    try {
      for (const port of [mine.port, theirs.port]) {
        const client = await RawClient.connect(port);
        client.send(encode('SET', 'sentinel', 'kept'));
        expect(await client.read(5)).toBe('+OK\r\n');
        const flooder = await RawClient.connect(port);
        flooder.send('*3\r\n$3\r\nSET\r\n$5\r\nflood\r\n$3000000\r\n');
        const chunk = Buffer.alloc(64 * 1024, 'z');
        for (let sent = 0; sent < 2_000_000 && !flooder.isClosed; sent += chunk.length) {
          flooder.send(chunk);
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(await flooder.waitClosed(5000)).toBe(true);
        expect(await flooder.read(1, 50)).toBe('');
        client.send(encode('GET', 'sentinel') + encode('EXISTS', 'flood'));
        expect(await client.read(16)).toBe('$4\r\nkept\r\n:0\r\n');
        client.close();
      }
      // Ours let go of the partial command: its query buffer memory is back.
      const info = await command(mine.port, 'INFO', 'memory');
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
      if (Number.isFinite(used)) expect(used).toBeLessThan(200 * 1024 * 1024);
    } finally {
      await Promise.all([mine.stop(), theirs.stop()]);
    }
  });

  it('fast-check: random bytes never crash the server, it answers and closes as Redis does, others are unaffected', async () => {
    const server = await startServer();
    try {
      const watcher = await RawClient.connect(server.port);
      expect(await watcher.roundTrip(encode('SET', 'sentinel', 'kept'), 20, 5)).toBe('+OK\r\n');
      const started = Date.now();
      const byte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
      const piece = fc.oneof(
        fc.string({ unit: byte, maxLength: 40 }),
        fc.constantFrom('*', '$', '\r\n', '*1\r\n', '$3\r\n', '*2\r\n$3\r\nGET\r\n', 'PING\r\n', '"', "'", '\\x', '\0', '-1', '99999999999'),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 12 }), async (pieces) => {
          const input = Buffer.from(pieces.join(''), 'latin1');
          // Same bytes to a real Redis: the same replies and the same decision to close.
          const theirs = await exchange(redis.port, input, 40);
          const mine = await exchange(server.port, input, 40, theirs);
          expect(server.process.exitCode).toBeNull();
          expect({ input: input.toString('latin1'), ...mine }).toEqual({ input: input.toString('latin1'), ...theirs });
        }),
        { numRuns: 200, interruptAfterTimeLimit: 25_000 },
      );
      expect(Date.now() - started).toBeLessThan(40_000);
      expect(server.process.exitCode).toBeNull();
      expect(await watcher.roundTrip(encode('GET', 'sentinel'), 30, 10)).toBe('$4\r\nkept\r\n');
      const fresh = await command(server.port, 'PING');
      expect(fresh).toBe('+PONG\r\n');
      watcher.close();
    } finally {
      await server.stop();
    }
  });
});

describe('backpressure', () => {
  it('a client pipelining GETs of a 1MB value without reading does not make the server grow; others are served', async () => {
    const server = await startServer();
    try {
      const setter = await RawClient.connect(server.port);
      setter.send(encode('SET', 'mb', 'm'.repeat(1024 * 1024)));
      expect(await setter.read(5)).toBe('+OK\r\n');
      const rss = (): number => Number(readFileSync(`/proc/${server.process.pid}/statm`, 'utf8').split(' ')[1]) * 4096;
      // A socket that writes a lot and never reads.
      const greedy = new Socket();
      greedy.connect(server.port, '127.0.0.1');
      await once(greedy, 'connect');
      greedy.pause();
      const gets = Buffer.from(encode('GET', 'mb').repeat(2000), 'latin1');
      const samples: number[] = [];
      for (let round = 0; round < 6; round++) {
        greedy.write(gets); // 2000 GETs: 2 GB of replies if the server kept them all.
        await new Promise((resolve) => setTimeout(resolve, 500));
        samples.push(rss());
        // Others are served meanwhile.
        expect(await setter.roundTrip(encode('STRLEN', 'mb'), 20, 10)).toBe(':1048576\r\n');
      }
      expect(samples[5]! - samples[1]!).toBeLessThan(150 * 1024 * 1024);
      expect(samples[5]!).toBeLessThan(700 * 1024 * 1024);
      greedy.destroy();
      setter.close();
    } finally {
      await server.stop();
    }
  });
});
