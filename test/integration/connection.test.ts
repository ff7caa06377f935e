import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RawClient } from '../helpers/raw-client.js';
import { redisCli, startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// PING, ECHO, QUIT, RESET, HELLO, AUTH and SELECT, byte for byte against a real redis-server 7.0,
// with and without requirepass, in RESP2 and RESP3.

const PASSWORD = 'secret';
let ours: RunningServer;
let redis: RunningServer;
let oursWithPassword: RunningServer;
let redisWithPassword: RunningServer;

beforeAll(async () => {
  [ours, redis, oursWithPassword, redisWithPassword] = await Promise.all([
    startServer(),
    startRedis(),
    startServer(['--requirepass', PASSWORD]),
    startRedis(['--requirepass', PASSWORD]),
  ]);
});

afterAll(async () => {
  await Promise.all([ours, redis, oursWithPassword, redisWithPassword].map((server) => server?.stop()));
});

/** A command as a RESP multibulk request. */
function request(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

/** Client ids differ between the servers; everything else must not. */
function normalise(text: string): string {
  return text.replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n:ID\r\n');
}

/** Sends the commands pipelined on a fresh connection; returns every byte the server answered. */
async function exchange(port: number, commands: string[][]): Promise<{ bytes: string; closed: boolean }> {
  const client = await RawClient.connect(port);
  try {
    const bytes = await client.roundTrip(commands.map((args) => request(...args)).join(''));
    return { bytes: normalise(bytes), closed: client.isClosed };
  } finally {
    client.close();
  }
}

async function expectSameAsRedis(commands: string[][], withPassword = false): Promise<string> {
  const [mine, theirs] = await Promise.all([
    exchange((withPassword ? oursWithPassword : ours).port, commands),
    exchange((withPassword ? redisWithPassword : redis).port, commands),
  ]);
  expect(mine).toEqual(theirs);
  return mine.bytes;
}

describe('PING, ECHO, SELECT', () => {
  it('answer and fail like Redis in RESP2', async () => {
    const bytes = await expectSameAsRedis([
      ['PING'],
      ['ping', 'hello'],
      ['PING', 'a', 'b'],
      ['ECHO', 'hi there'],
      ['ECHO'],
      ['ECHO', 'a', 'b'],
      ['SELECT', '1'],
      ['SELECT', '15'],
      ['SELECT', '16'],
      ['SELECT', '-1'],
      ['SELECT', 'abc'],
      ['SELECT', '01'],
      ['SELECT', '2147483648'],
      ['SELECT', '-9223372036854775809'],
      ['SELECT'],
    ]);
    expect(bytes.startsWith('+PONG\r\n$5\r\nhello\r\n')).toBe(true);
  });

  it('answer the same in RESP3', async () => {
    await expectSameAsRedis([['HELLO', '3'], ['PING'], ['PING', 'x'], ['PING', 'a', 'b'], ['ECHO', ''], ['SELECT', '3']]);
  });

  it('SELECT switches the database the keys live in', async () => {
    await expectSameAsRedis([
      ['SELECT', '9'],
      ['SET', 'connection-test-key', 'nine'],
      ['SELECT', '0'],
      ['GET', 'connection-test-key'],
      ['SELECT', '9'],
      ['GET', 'connection-test-key'],
    ]);
  });
});

describe('HELLO', () => {
  it('reports the server and switches protocols like Redis', async () => {
    const bytes = await expectSameAsRedis([
      ['HELLO'],
      ['HELLO', '3'],
      ['HELLO'],
      ['HELLO', '2'],
      ['HELLO', '4'],
      ['HELLO', '1'],
      ['HELLO', 'abc'],
      ['HELLO', '3', 'foo'],
      ['HELLO', '3', 'auth'],
      ['HELLO', '3', 'AUTH', 'default'],
      ['HELLO', '3', 'AUTH', 'default', 'anything'],
      ['HELLO', '3', 'AUTH', 'bob', 'x'],
      ['HELLO', '2', 'SETNAME', 'a b'],
      ['HELLO', '2', 'setname', 'named'],
      ['CLIENT', 'GETNAME'],
      ['HELLO', '3', 'SETNAME'],
    ]);
    expect(bytes).toContain('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n');
  });

  it('HELLO 3 makes later replies RESP3 (null, map) and HELLO 2 goes back', async () => {
    const bytes = await expectSameAsRedis([
      ['HELLO', '3'],
      ['CLIENT', 'GETNAME'],
      ['GET', 'connection-test-missing'],
      ['HELLO', '2'],
      ['CLIENT', 'GETNAME'],
    ]);
    expect(bytes).toContain('_\r\n_\r\n*14\r\n');
    expect(bytes.endsWith('$-1\r\n')).toBe(true);
  });
});

describe('AUTH without requirepass', () => {
  it('fails and succeeds like Redis', async () => {
    await expectSameAsRedis([
      ['AUTH'],
      ['AUTH', 'x'],
      ['AUTH', 'default', 'x'],
      ['AUTH', 'bob', 'x'],
      ['AUTH', 'a', 'b', 'c'],
      ['PING'],
    ]);
  });
});

describe('requirepass', () => {
  it('refuses everything but the no-auth commands until AUTH', async () => {
    const bytes = await expectSameAsRedis(
      [
        ['PING'],
        ['HELLO'],
        ['HELLO', '3'],
        ['HELLO', '3', 'AUTH', 'default', 'wrong'],
        ['HELLO', '3', 'SETNAME', 'a b'],
        ['CLIENT', 'ID'],
        ['AUTH', 'wrong'],
        ['AUTH', 'bob', 'wrong'],
        ['AUTH', 'a', 'b', 'c'],
        ['ECHO', 'x'],
        ['SELECT', '1'],
        ['NOSUCHCOMMAND'],
        ['QUIT', 'extra'],
        ['PING'],
      ],
      true,
    );
    expect(bytes.startsWith('-NOAUTH Authentication required.\r\n-NOAUTH HELLO must be called')).toBe(true);
  });

  it('AUTH, HELLO AUTH and a failed AUTH afterwards', async () => {
    await expectSameAsRedis([['AUTH', PASSWORD], ['PING'], ['AUTH', 'wrong'], ['PING'], ['AUTH', 'default', PASSWORD], ['SELECT', '1']], true);
    await expectSameAsRedis(
      [['HELLO', '3', 'AUTH', 'default', PASSWORD, 'SETNAME', 'me'], ['CLIENT', 'GETNAME'], ['ECHO', 'in'], ['HELLO', '2', 'AUTH', 'default', 'bad']],
      true,
    );
  });

  it('RESET makes the client authenticate again', async () => {
    const bytes = await expectSameAsRedis([['AUTH', PASSWORD], ['PING'], ['RESET'], ['PING'], ['AUTH', PASSWORD], ['PING']], true);
    expect(bytes).toBe('+OK\r\n+PONG\r\n+RESET\r\n-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n');
  });

  it('a client that never authenticated gets in while CONFIG SET requirepass "" is in force', async () => {
    const run = async (port: number): Promise<string> => {
      const waiting = await RawClient.connect(port);
      const admin = await RawClient.connect(port);
      try {
        let seen = await waiting.roundTrip(request('PING'), 50);
        await admin.roundTrip(request('AUTH', PASSWORD) + request('CONFIG', 'SET', 'requirepass', ''), 50);
        seen += await waiting.roundTrip(request('PING'), 50);
        await admin.roundTrip(request('CONFIG', 'SET', 'requirepass', PASSWORD), 50);
        seen += await waiting.roundTrip(request('PING'), 50);
        return seen;
      } finally {
        waiting.close();
        admin.close();
      }
    };
    const mine = await run(oursWithPassword.port);
    expect(mine).toBe(await run(redisWithPassword.port));
    expect(mine).toBe('-NOAUTH Authentication required.\r\n+PONG\r\n-NOAUTH Authentication required.\r\n');
  });

  it('ioredis connects with the password option', async () => {
    const client = new Redis({ port: oursWithPassword.port, password: PASSWORD, lazyConnect: true, enableReadyCheck: false });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('redis-cli connects with -a', async () => {
    const output = await redisCli(oursWithPassword.port, ['--no-auth-warning', '-a', PASSWORD, 'ECHO', 'through']);
    expect(output).toBe('through\n');
  });
});

describe('RESET', () => {
  it('restores db 0, RESP2, no name and replies on', async () => {
    const bytes = await expectSameAsRedis([
      ['SELECT', '4'],
      ['SET', 'connection-reset-key', 'in-four'],
      ['HELLO', '3', 'SETNAME', 'before-reset'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['PING'],
      ['RESET'],
      ['GET', 'connection-reset-key'],
      ['CLIENT', 'GETNAME'],
      ['SELECT', '4'],
      ['GET', 'connection-reset-key'],
      ['RESET', 'extra'],
    ]);
    expect(bytes.endsWith('+RESET\r\n$-1\r\n$-1\r\n+OK\r\n$7\r\nin-four\r\n-ERR wrong number of arguments for \'reset\' command\r\n')).toBe(true);
  });

  it('is itself silenced by a preceding CLIENT REPLY SKIP', async () => {
    const bytes = await expectSameAsRedis([['CLIENT', 'REPLY', 'SKIP'], ['RESET'], ['PING']]);
    expect(bytes).toBe('+PONG\r\n');
  });
});

describe('QUIT', () => {
  it('answers +OK, closes, and runs nothing pipelined after it', async () => {
    const result = await expectSameAsRedis([['SET', 'connection-quit-before', '1'], ['QUIT'], ['SET', 'connection-quit-after', '1'], ['PING']]);
    expect(result).toBe('+OK\r\n+OK\r\n');
    const after = await expectSameAsRedis([['GET', 'connection-quit-before'], ['GET', 'connection-quit-after']]);
    expect(after).toBe('$1\r\n1\r\n$-1\r\n');
  });

  it('closes the socket', async () => {
    const client = await RawClient.connect(ours.port);
    client.send(request('QUIT'));
    expect(await client.read(5)).toBe('+OK\r\n');
    expect(await client.waitClosed()).toBe(true);
  });

  it('answers nothing when replies are off', async () => {
    const commands = [['CLIENT', 'REPLY', 'OFF'], ['QUIT'], ['PING']];
    const [mine, theirs] = await Promise.all([exchange(ours.port, commands), exchange(redis.port, commands)]);
    expect(mine.bytes).toBe('');
    expect(theirs.bytes).toBe('');
    // Redis 7.0 only closes a CLOSE_AFTER_REPLY client once it has written a reply, so with replies
    // off the connection lingers, unread, until the peer closes it. Ours closes, as QUIT asks.
    expect(mine.closed).toBe(true);
  });
});

describe('clients with no options', () => {
  it('ioredis (RESP2) works against ours', async () => {
    const client = new Redis({ port: ours.port, lazyConnect: true });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      expect(await client.echo('hello')).toBe('hello');
      expect(await client.call('CLIENT', 'GETNAME')).toBe(null);
    } finally {
      client.disconnect();
    }
  });

  it('ioredis with protocol 3 handshakes through HELLO 3', async () => {
    const client = new Redis({ port: ours.port, lazyConnect: true, protocol: 3 });
    try {
      await client.connect();
      const info = (await client.call('CLIENT', 'INFO')) as string;
      expect(info).toMatch(/ resp=3 /);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('redis-cli works, in RESP2 and with -3', async () => {
    expect(await redisCli(ours.port, ['PING'])).toBe('PONG\n');
    expect(await redisCli(ours.port, ['ECHO', 'hi'])).toBe('hi\n');
    const hello = await redisCli(ours.port, ['-3', 'HELLO']);
    const expected = await redisCli(redis.port, ['-3', 'HELLO']);
    const withoutId = (text: string): string => text.replace(/^id \d+$/m, 'id ID');
    expect(withoutId(hello)).toBe(withoutId(expected));
  });
});
