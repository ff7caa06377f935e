import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RespConnection, type RespValue } from '../helpers/resp-connection.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// The blocking commands (BLPOP family, BZPOP family) and their machinery against a real
// redis-server 7.0: several connections per scenario, each scenario run on both servers and the
// transcripts (every reply of every connection, in the order the test observed them) compared.
// A scenario never relies on a quiet spell: it waits until the server reports the expected
// number of blocked clients before the next step.

let ours: RunningServer;
let redis: RunningServer;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([ours, redis].map((server) => server?.stop()));
});

/** The connections of one scenario on one server, closed at the end. */
class Scenario {
  private readonly connections: RespConnection[] = [];
  readonly transcript: unknown[] = [];

  constructor(readonly port: number) {}

  async connect(): Promise<RespConnection> {
    const connection = await RespConnection.connect(this.port);
    this.connections.push(connection);
    return connection;
  }

  /** Runs commands on `connection` and records their replies. */
  async run(connection: RespConnection, ...commands: string[][]): Promise<RespValue[]> {
    const replies = await connection.pipeline(commands);
    this.transcript.push(replies);
    return replies;
  }

  /** HELLO, not recorded: its reply carries the client id, which differs between servers. */
  async hello(connection: RespConnection, protocol: string): Promise<void> {
    await connection.pipeline([['hello', protocol]]);
  }

  /** Waits until INFO says `count` clients are blocked. */
  async blocked(count: number): Promise<void> {
    const probe = this.connections[0]!;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [info] = await probe.pipeline([['info', 'clients']]);
      const match = /blocked_clients:(\d+)/.exec(String(info));
      if (match !== null && Number(match[1]) === count) return;
      if (Date.now() > deadline) throw new Error(`blocked_clients never reached ${count}: ${String(info)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Records a reply that arrived for a command sent earlier. */
  async settle(pending: Promise<RespValue[]>): Promise<RespValue[]> {
    const replies = await pending;
    this.transcript.push(replies);
    return replies;
  }

  close(): void {
    for (const connection of this.connections) connection.close();
  }
}

/** Runs `body` against both servers (fresh keyspaces) and expects equal transcripts. */
async function compare(body: (scenario: Scenario) => Promise<void>): Promise<unknown[]> {
  const transcripts = await Promise.all(
    [ours, redis].map(async (server) => {
      const scenario = new Scenario(server.port);
      try {
        const admin = await scenario.connect();
        await admin.pipeline([['flushall'], ['config', 'resetstat']]);
        await body(scenario);
        return scenario.transcript;
      } finally {
        scenario.close();
      }
    }),
  );
  expect(transcripts[0]).toEqual(transcripts[1]);
  return transcripts[0]!;
}

describe('with data the blocking commands answer at once, like their non-blocking twins', () => {
  for (const protocol of ['2', '3']) {
    it(`every command and its reply shape in RESP${protocol}`, async () => {
      const transcript = await compare(async (s) => {
        const c = await s.connect();
        await s.hello(c, protocol);
        await s.run(
          c,
          ['rpush', 'l1', 'a', 'b', 'c', 'd', 'e'],
          ['blpop', 'missing', 'l1', '0'],
          ['brpop', 'l1', 'missing', '0'],
          ['blmove', 'l1', 'l2', 'left', 'right', '0'],
          ['brpoplpush', 'l1', 'l2', '0'],
          ['blmpop', '0', '2', 'missing', 'l2', 'right', 'count', '5'],
          ['exists', 'l1', 'l2'],
          ['zadd', 'z', '1', 'a', '2.5', 'b', '3', 'c', '4', 'd'],
          ['bzpopmin', 'missing', 'z', '0'],
          ['bzpopmax', 'z', '0'],
          ['bzmpop', '0', '2', 'missing', 'z', 'min', 'count', '10'],
          ['exists', 'z'],
        );
      });
      expect(JSON.stringify(transcript)).toContain('"$l1","$a"');
    });
  }

  it('argument errors, in Redis order, and WRONGTYPE', async () => {
    await compare(async (s) => {
      const c = await s.connect();
      await s.run(
        c,
        ['set', 'str', 'x'],
        ['blpop', 'str', 'abc'],
        ['blpop', 'str', '0'],
        ['blpop', 'missing', 'str', '0'],
        ['brpop', 'k', '-1'],
        ['blmove', 'a', 'b', 'up', 'left', 'abc'],
        ['blmove', 'a', 'b', 'left', 'left', 'abc'],
        ['blmove', 'str', 'b', 'left', 'left', '0'],
        ['brpoplpush', 'a', 'b', 'abc'],
        ['brpoplpush', 'str', 'b', '0'],
        ['blmpop', 'abc', '0', 'x', 'left'],
        ['blmpop', 'abc', '1', 'x', 'middle'],
        ['blmpop', '0', '1', 'x', 'left', 'count', '0'],
        ['blmpop', '-1', '1', 'x', 'left'],
        ['blmpop', '0', '2', 'x', 'left'],
        ['blmpop', '0', '1', 'str', 'left'],
        ['blmpop', '0', '1', 'x', 'left', 'count', '1', 'count', '2'],
        ['bzpopmin', 'str', 'abc'],
        ['bzpopmax', 'missing', 'str', '0'],
        ['bzmpop', 'abc', '0', 'x', 'min'],
        ['bzmpop', 'abc', '1', 'x', 'mid'],
        ['bzmpop', '-1', '1', 'x', 'min', 'count', '0'],
        ['bzmpop', '0', '1', 'str', 'min'],
        ['blmpop', '0', '2', 'x'],
        ['blpop', 'k'],
      );
    });
  });

  it('timeouts are long doubles of seconds, rounded up to milliseconds', async () => {
    const transcript = await compare(async (s) => {
      const c = await s.connect();
      // Each of these answers at once: an error, or the null of a 1 ms wait. (-0.001 and -0.0001
      // round to 0 and wait forever: see the CLIENT UNBLOCK test.)
      const timeouts = ['abc', '', ' 1', '1 ', 'nan', '-1', '-0.0011', '-0.000999999999999999999e1', 'inf', '-inf', '1e400'];
      timeouts.push('1e5000', '-1e5000', '1e16', '9.3e15', '9223372036854775807', '0.0001', '1e-9', '1e-400', '1e-5000');
      timeouts.push('0x0.0001p-2', '.0005e0', '0.001', '+0.002');
      for (const timeout of timeouts) {
        await s.run(c, ['blpop', 'missing', timeout]);
      }
    });
    expect(JSON.stringify(transcript)).toContain('ERR timeout is negative');
  });
});

describe('waiting', () => {
  it('clients on one key are served in the order they blocked', async () => {
    await compare(async (s) => {
      const [a, b, c, pusher] = [await s.connect(), await s.connect(), await s.connect(), await s.connect()];
      const pendingA = a.pipeline([['blpop', 'q', '0']]);
      await s.blocked(1);
      const pendingB = b.pipeline([['brpop', 'q', '0']]);
      await s.blocked(2);
      const pendingC = c.pipeline([['blpop', 'q', '0']]);
      await s.blocked(3);
      await s.run(pusher, ['rpush', 'q', 'first']);
      await s.settle(pendingA);
      await s.run(pusher, ['rpush', 'q', 'second']);
      await s.settle(pendingB);
      await s.run(pusher, ['rpush', 'q', 'third']);
      await s.settle(pendingC);
      await s.blocked(0);
      // One push of three elements serves three waiters, first blocked first.
      const again = [a.pipeline([['blpop', 'q', '0']])];
      await s.blocked(1);
      again.push(b.pipeline([['brpop', 'q', '0']]));
      await s.blocked(2);
      again.push(c.pipeline([['blmpop', '0', '1', 'q', 'left', 'count', '5']]));
      await s.blocked(3);
      await s.run(pusher, ['rpush', 'q', 'x', 'y', 'z', 'w'], ['exists', 'q']);
      for (const pending of again) await s.settle(pending);
    });
  });

  it('several keys: data already there wins in argument order; else the first key to get data', async () => {
    await compare(async (s) => {
      const [a, pusher] = [await s.connect(), await s.connect()];
      await s.run(pusher, ['rpush', 'k2', 'two'], ['rpush', 'k3', 'three']);
      await s.run(a, ['blpop', 'k1', 'k3', 'k2', '0'], ['blpop', 'k1', 'k2', '0']);
      const pending = a.pipeline([['brpop', 'k1', 'k2', 'k3', 'k1', '0']]);
      await s.blocked(1);
      await s.run(pusher, ['lpush', 'k3', 'x'], ['lpush', 'k1', 'y']);
      await s.settle(pending);
      await s.run(pusher, ['lrange', 'k1', '0', '-1'], ['exists', 'k3']);
    });
  });

  it('a timeout answers the null array (RESP3 null) after the wait, and the client goes on', async () => {
    for (const server of [ours, redis]) {
      const client = await RespConnection.connect(server.port);
      try {
        let started = Date.now();
        const [reply, after] = await client.pipeline([['blpop', 'nothing', '0.1'], ['ping']]);
        const elapsed = Date.now() - started;
        expect(reply).toBe('*-1');
        expect(after).toBe('+PONG');
        expect(elapsed).toBeGreaterThanOrEqual(95);
        expect(elapsed).toBeLessThan(1500);
        await client.pipeline([['hello', '3']]);
        started = Date.now();
        const replies = await client.pipeline([
          ['blmove', 'nothing', 'x', 'left', 'left', '0.2'],
          ['bzmpop', '0.05', '1', 'nothing', 'min'],
          ['brpoplpush', 'nothing', 'x', '0.05'],
        ]);
        expect(replies).toEqual(['_', '_', '_']);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      } finally {
        client.close();
      }
    }
  });

  it('different timeouts end in deadline order under one timer', async () => {
    await compare(async (s) => {
      const [a, b, c] = [await s.connect(), await s.connect(), await s.connect()];
      const order: string[] = [];
      const pending = [
        a.pipeline([['blpop', 'k', '0.6']]).then((r) => (order.push('a'), r)),
        b.pipeline([['blpop', 'k', '0.1']]).then((r) => (order.push('b'), r)),
        c.pipeline([['blpop', 'k', '0.35']]).then((r) => (order.push('c'), r)),
      ];
      for (const p of pending) await s.settle(p);
      s.transcript.push(order);
    });
  });

  it('timeout 0 waits until a push, however long', async () => {
    await compare(async (s) => {
      const [a, pusher] = [await s.connect(), await s.connect()];
      const pending = a.pipeline([['bzpopmax', 'z', '0']]);
      await s.blocked(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await s.blocked(1);
      await s.run(pusher, ['zadd', 'z', '1', 'one', '2', 'two']);
      await s.settle(pending);
      await s.run(pusher, ['zrange', 'z', '0', '-1', 'withscores']);
    });
  });

  it('woken by LPUSH, RPUSH, LMOVE, RPOPLPUSH and ZADD of other clients', async () => {
    await compare(async (s) => {
      const [a, pusher] = [await s.connect(), await s.connect()];
      await s.run(pusher, ['rpush', 'source', 's1', 's2', 's3']);
      const wakers: [string[], string[]][] = [
        [['blpop', 'k', '0'], ['lpush', 'k', 'a', 'b']],
        [['brpop', 'j', '0'], ['rpush', 'j', 'c', 'd']],
        [['blpop', 'm', '0'], ['lmove', 'source', 'm', 'left', 'right']],
        [['brpop', 'n', '0'], ['rpoplpush', 'source', 'n']],
        [['bzpopmin', 'z', '0'], ['zadd', 'z', '5', 'five', '3', 'three']],
        [['bzmpop', '0', '1', 'y', 'max', 'count', '2'], ['zadd', 'y', '1', 'a', '2', 'b', '3', 'c']],
        [['blmpop', '0', '1', 'p', 'right', 'count', '2'], ['rpush', 'p', '1', '2', '3']],
      ];
      for (const [blocking, write] of wakers) {
        const pending = a.pipeline([blocking]);
        await s.blocked(1);
        await s.run(pusher, write);
        await s.settle(pending);
      }
      await s.run(pusher, ['lrange', 'k', '0', '-1'], ['lrange', 'j', '0', '-1'], ['lrange', 'source', '0', '-1'], ['zrange', 'y', '0', '-1'], ['lrange', 'p', '0', '-1']);
    });
  });

  it('a collection arriving by RENAME, COPY, MOVE, SORT STORE or SWAPDB wakes its waiters', async () => {
    await compare(async (s) => {
      const [a, writer] = [await s.connect(), await s.connect()];
      await s.run(writer, ['select', '0']);
      const wakers: [string[], string[][]][] = [
        [['blpop', 'renamed', '0'], [['rpush', 'tmp', 'r'], ['rename', 'tmp', 'renamed']]],
        [['blpop', 'copied', '0'], [['rpush', 'tmp', 'c'], ['copy', 'tmp', 'copied']]],
        [['blpop', 'sorted', '0'], [['rpush', 'numbers', '3', '1', '2'], ['sort', 'numbers', 'store', 'sorted']]],
        [['bzpopmin', 'zmoved', '0'], [['select', '1'], ['zadd', 'zmoved', '1', 'm'], ['move', 'zmoved', '0'], ['select', '0']]],
        [['blpop', 'swapped', '0'], [['select', '2'], ['rpush', 'swapped', 'x'], ['select', '0'], ['swapdb', '0', '2']]],
      ];
      for (const [blocking, writes] of wakers) {
        const pending = a.pipeline([blocking]);
        await s.blocked(1);
        await s.run(writer, ...writes);
        await s.settle(pending);
      }
    });
  });

  it('BLMOVE chains: the pushed element wakes the clients blocked on the destination', async () => {
    await compare(async (s) => {
      const [a, b, c, pusher] = [await s.connect(), await s.connect(), await s.connect(), await s.connect()];
      const first = a.pipeline([['blmove', 'one', 'two', 'left', 'right', '0']]);
      await s.blocked(1);
      const second = b.pipeline([['brpoplpush', 'two', 'three', '0']]);
      await s.blocked(2);
      const third = c.pipeline([['blpop', 'three', '0']]);
      await s.blocked(3);
      await s.run(pusher, ['rpush', 'one', 'element']);
      await s.settle(first);
      await s.settle(second);
      await s.settle(third);
      await s.run(pusher, ['exists', 'one', 'two', 'three']);
      // BLMOVE rotating one list onto itself.
      const rotate = a.pipeline([['blmove', 'ring', 'ring', 'left', 'right', '0']]);
      await s.blocked(1);
      await s.run(pusher, ['rpush', 'ring', 'x', 'y']);
      await s.settle(rotate);
      await s.run(pusher, ['lrange', 'ring', '0', '-1']);
    });
  });

  it('commands pipelined behind a blocking one wait for its answer', async () => {
    await compare(async (s) => {
      const [a, other] = [await s.connect(), await s.connect()];
      const pending = a.pipeline([['blpop', 'k', '0'], ['set', 'after', '1'], ['get', 'after'], ['blpop', 'k', '0'], ['incr', 'after']]);
      await s.blocked(1);
      await s.run(other, ['get', 'after']);
      await s.run(other, ['rpush', 'k', 'v']);
      await s.blocked(1);
      await s.run(other, ['get', 'after']);
      await s.run(other, ['rpush', 'k', 'w']);
      await s.settle(pending);
      await s.run(other, ['get', 'after']);
    });
  });

  it('a client that disconnects while blocked leaves no trace', async () => {
    await compare(async (s) => {
      const pusher = await s.connect();
      const gone = await s.connect();
      void gone.pipeline([['blpop', 'k', '0']]).catch(() => undefined);
      await s.blocked(1);
      gone.close();
      await s.blocked(0);
      const stays = await s.connect();
      const pending = stays.pipeline([['blpop', 'k2', '0']]);
      await s.blocked(1);
      await s.run(pusher, ['rpush', 'k', 'kept'], ['llen', 'k'], ['rpush', 'k2', 'taken']);
      await s.settle(pending);
      await s.run(pusher, ['llen', 'k2']);
    });
  });

  it('a key that becomes another type keeps the client waiting until its type returns', async () => {
    await compare(async (s) => {
      const [a, b, pusher] = [await s.connect(), await s.connect(), await s.connect()];
      const listWaiter = a.pipeline([['blpop', 'k', '0']]);
      await s.blocked(1);
      const zsetWaiter = b.pipeline([['bzpopmin', 'k', '0']]);
      await s.blocked(2);
      await s.run(pusher, ['set', 'k', 'string'], ['rpush', 'k', 'x'], ['del', 'k']);
      await s.blocked(2);
      // A sorted set serves the sorted set waiter only.
      await s.run(pusher, ['zadd', 'k', '1', 'm']);
      await s.settle(zsetWaiter);
      await s.blocked(1);
      await s.run(pusher, ['sadd', 'k', 'member'], ['del', 'k'], ['rpush', 'k', 'x']);
      await s.settle(listWaiter);
      await s.run(pusher, ['exists', 'k']);
      // BLMOVE onto a destination of the wrong type: WRONGTYPE when served, the source untouched.
      const mover = a.pipeline([['blmove', 'src', 'dst', 'left', 'right', '0'], ['ping']]);
      await s.blocked(1);
      await s.run(pusher, ['set', 'dst', 'string'], ['rpush', 'src', 'x', 'y']);
      await s.settle(mover);
      await s.run(pusher, ['lrange', 'src', '0', '-1'], ['get', 'dst']);
    });
  });
});

/**
 * INFO commandstats without timings and without INFO itself: how many INFO polls blocked() needs
 * depends on a race between two connections, on either server.
 */
function comparableCommandStats(stats: unknown): string[] {
  return String(stats)
    .replace(/usec=\d+,usec_per_call=[\d.]+,/g, '')
    .split('\r\n')
    .filter((line) => !line.startsWith('cmdstat_info:'))
    .sort();
}

describe('CLIENT UNBLOCK, INFO, CLIENT LIST and statistics', () => {
  it('CLIENT UNBLOCK ends a wait as a timeout or an error; errors and counters as Redis', async () => {
    await compare(async (s) => {
      const [a, admin] = [await s.connect(), await s.connect()];
      const [id] = await a.pipeline([['client', 'id']]);
      const target = String(id).slice(1);
      // -0.001 rounds up to 0 ms in a long double: it waits forever, like 0.
      let pending = a.pipeline([['blpop', 'k', '-0.001'], ['set', 'after', '1']]);
      await s.blocked(1);
      await s.run(admin, ['client', 'unblock', target, 'error']);
      await s.settle(pending);
      pending = a.pipeline([['bzpopmin', 'k', '-0.0001']]);
      await s.blocked(1);
      await s.run(admin, ['client', 'unblock', target, 'TIMEOUT']);
      await s.settle(pending);
      await s.hello(a, '3');
      pending = a.pipeline([['blmove', 'k', 'j', 'left', 'left', '0']]);
      await s.blocked(1);
      await s.run(admin, ['client', 'unblock', target], ['client', 'unblock', target, 'error']);
      await s.settle(pending);
      await s.run(
        admin,
        ['client', 'unblock', target],
        ['client', 'unblock', 'abc'],
        ['client', 'unblock', 'abc', 'foo'],
        ['client', 'unblock', '99999'],
        ['client', 'unblock', '-1'],
        ['ClIent', 'UnBlock', '1', 'timeout', 'x'],
        ['client', 'unblock'],
      );
      const [stats] = await admin.pipeline([['info', 'commandstats']]);
      const [errors] = await admin.pipeline([['info', 'errorstats']]);
      s.transcript.push(comparableCommandStats(stats), errors);
    });
  });

  it('a served or timed-out command counts one call, as Redis 7.0.15 counts it when it blocks', async () => {
    await compare(async (s) => {
      const [a, admin] = [await s.connect(), await s.connect()];
      const pending = a.pipeline([['blpop', 'k', '0']]);
      await s.blocked(1);
      const [during] = await admin.pipeline([['info', 'commandstats']]);
      s.transcript.push(/cmdstat_blpop:calls=(\d+)/.exec(String(during))?.[1]);
      await s.run(admin, ['lpush', 'k', 'v']);
      await s.settle(pending);
      await s.run(a, ['blpop', 'k', '0.05']);
      const [stats] = await admin.pipeline([['info', 'commandstats']]);
      const [info] = await admin.pipeline([['info', 'stats']]);
      const infoCalls = Number(/cmdstat_info:calls=(\d+)/.exec(String(stats))?.[1]);
      const total = Number(/total_commands_processed:(\d+)/.exec(String(info))?.[1]);
      s.transcript.push(comparableCommandStats(stats), `commands other than INFO: ${total - infoCalls}`);
    });
  });

  it('INFO blocked_clients and clients_in_timeout_table, CLIENT LIST flags=b', async () => {
    await compare(async (s) => {
      const [a, b, admin] = [await s.connect(), await s.connect(), await s.connect()];
      const pendingA = a.pipeline([['blpop', 'k', '0']]);
      await s.blocked(1);
      const pendingB = b.pipeline([['bzpopmin', 'z', '100']]);
      await s.blocked(2);
      const [info] = await admin.pipeline([['info', 'clients']]);
      const [list] = await admin.pipeline([['client', 'list']]);
      const lines = String(list)
        .split('\n')
        .filter((line) => line.includes('id='))
        .map((line) => `${/flags=\S+/.exec(line)?.[0]} ${/ cmd=\S+/.exec(line)?.[0]} ${/argv-mem=\S+/.exec(line)?.[0]}`);
      s.transcript.push(/blocked_clients:\d+/.exec(String(info))?.[0], /clients_in_timeout_table:\d+/.exec(String(info))?.[0], lines);
      await s.run(admin, ['rpush', 'k', 'x'], ['zadd', 'z', '1', 'm']);
      await s.settle(pendingA);
      await s.settle(pendingB);
      const [after] = await admin.pipeline([['info', 'clients']]);
      s.transcript.push(/blocked_clients:\d+/.exec(String(after))?.[0], /clients_in_timeout_table:\d+/.exec(String(after))?.[0]);
    });
  });

  it('ioredis clients: BLPOP resolves when another client pushes, BZPOPMIN times out to null', async () => {
    const waiter = new Redis({ port: ours.port, lazyConnect: true });
    const pusher = new Redis({ port: ours.port, lazyConnect: true });
    try {
      await Promise.all([waiter.connect(), pusher.connect()]);
      await pusher.del('jobs');
      const popped = waiter.blpop('jobs', 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pusher.rpush('jobs', 'job-1');
      expect(await popped).toEqual(['jobs', 'job-1']);
      expect(await waiter.bzpopmin('nothing', 0.05)).toBeNull();
      expect(await waiter.call('blmove', 'nothing', 'x', 'LEFT', 'RIGHT', '0.05')).toBeNull();
    } finally {
      waiter.disconnect();
      pusher.disconnect();
    }
  });
});
