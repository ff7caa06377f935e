import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { same } from '../helpers/side-by-side.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// CLIENT NO-EVICT, CLIENT PAUSE / UNPAUSE and the per-client fields they show, run against ours
// and a real redis-server 7.0 side by side: each scenario records what several ioredis clients
// observe (replies, whether a command waited, CLIENT LIST fields) and both records must be equal.

let ours: RunningServer;
let redis: RunningServer;
const opened: Redis[] = [];

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  for (const client of opened) client.disconnect();
  await Promise.all([ours, redis].map((server) => server?.stop()));
});

/** A connected client (the ready check runs now, before any pause could hold it). */
async function connect(port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true });
  opened.push(client);
  await client.connect();
  return client;
}

async function clients(port: number, count: number): Promise<Redis[]> {
  const list: Redis[] = [];
  for (let i = 0; i < count; i++) list.push(await connect(port));
  return list;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A reply, or "!message" for an error. */
async function reply(promise: Promise<unknown>): Promise<unknown> {
  try {
    return await promise;
  } catch (error) {
    return `!${(error as Error).message}`;
  }
}

/** Tracks a command in flight: whether it has been answered yet, and with what. */
function track(promise: Promise<unknown>): { done: () => boolean; value: Promise<unknown> } {
  let finished = false;
  const value = reply(promise).finally(() => (finished = true));
  return { done: () => finished, value };
}

/** One CLIENT LIST line as field → value. */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of line.trim().split(' ')) {
    const at = pair.indexOf('=');
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

async function listEntry(observer: Redis, id: number): Promise<Record<string, string>> {
  const text = String(await observer.call('client', 'list', 'id', String(id)));
  return fields(text);
}

/** Runs a scenario on both servers (one after the other, pauses are server-wide) and compares. */
async function bothAgree<T>(scenario: (port: number) => Promise<T>): Promise<T> {
  const mine = await scenario(ours.port);
  const theirs = await scenario(redis.port);
  expect(mine).toEqual(theirs);
  return theirs;
}

describe('CLIENT NO-EVICT', () => {
  it('answers and fails like Redis', async () => {
    const [a, b] = await Promise.all([connect(ours.port), connect(redis.port)]);
    await same(a, b, [
      ['client', 'no-evict'],
      ['client', 'no-evict', 'maybe'],
      ['client', 'no-evict', 'on', 'extra'],
      ['client', 'no-evict', 'On'],
      ['client', 'no-evict', 'OFF'],
    ]);
  });

  it('sets flag e, which OFF clears and RESET keeps (as Redis 7.0)', async () => {
    const flags = await bothAgree(async (port) => {
      const client = await connect(port);
      const seen: string[] = [];
      const flag = async (): Promise<void> => {
        seen.push(fields(String(await client.call('client', 'info'))).flags!);
      };
      await flag();
      await client.call('client', 'no-evict', 'on');
      await flag();
      await client.call('reset');
      await flag();
      await client.call('client', 'no-evict', 'off');
      await flag();
      client.disconnect();
      return seen;
    });
    expect(flags).toEqual(['N', 'e', 'e', 'N']);
  });
});

describe('CLIENT PAUSE argument errors', () => {
  it('match Redis: arity, mode before timeout, integer, negative, extra arguments', async () => {
    const [a, b] = await Promise.all([connect(ours.port), connect(redis.port)]);
    await same(a, b, [
      ['client', 'pause'],
      ['client', 'pause', 'abc'],
      ['client', 'pause', '-1'],
      ['client', 'pause', '1.5'],
      ['client', 'pause', '10', 'foo'],
      ['client', 'pause', 'abc', 'foo'],
      ['client', 'pause', '10', 'write', 'x'],
      ['client', 'pause', '99999999999999999999'],
      ['client', 'unpause', 'x'],
      ['client', 'pause', '0'],
      ['client', 'pause', '0', 'write'],
      ['client', 'unpause'],
      ['set', 'after-zero-pause', '1'],
    ]);
  });
});

describe('CLIENT PAUSE WRITE', () => {
  it('holds writes, serves reads, shows the held client, UNPAUSE releases', async () => {
    await bothAgree(async (port) => {
      const [admin, writer, deleter, reader] = await clients(port, 4);
      await admin.call('set', 'pw:other', '1');
      await admin.call('del', 'pw:key');
      const writerId = Number(await writer.call('client', 'id'));
      expect(await admin.call('client', 'pause', '10000', 'WRITE')).toBe('OK');
      const held = track(writer.call('set', 'pw:key', 'v'));
      const heldDelete = track(deleter.call('del', 'pw:other'));
      const read = await reply(reader.call('get', 'pw:other'));
      await sleep(150);
      const entry = await listEntry(admin, writerId);
      const info = String(await admin.call('info', 'clients'));
      const whileHeld = {
        read,
        setAnswered: held.done(),
        delAnswered: heldDelete.done(),
        flags: entry.flags,
        cmd: entry.cmd,
        argvMem: entry['argv-mem'],
        blocked: /blocked_clients:(\d+)/.exec(info)?.[1],
        // Errors found before the pause check are answered at once.
        arity: await reply(admin.call('set', 'pw:key')),
      };
      expect(await admin.call('client', 'unpause')).toBe('OK');
      const after = { set: await held.value, del: await heldDelete.value, value: await admin.call('get', 'pw:key') };
      return { whileHeld, after };
    });
  });

  it('releases the held clients in arrival order, each with the commands it pipelined after', async () => {
    await bothAgree(async (port) => {
      const [admin, ...writers] = await clients(port, 4);
      await admin.call('del', 'order:list', 'order:last');
      await admin.call('client', 'pause', '10000', 'WRITE');
      const answers: string[] = [];
      const pending: Promise<unknown>[] = [];
      for (const [i, writer] of writers.entries()) {
        const pipeline = writer.pipeline().rpush('order:list', `w${i}`).set('order:last', `w${i}`).get('order:last');
        pending.push(pipeline.exec().then((results) => answers.push(`w${i}:${JSON.stringify(results?.map(([, value]) => value))}`)));
        await sleep(40);
      }
      const beforeUnpause = answers.length;
      await admin.call('client', 'unpause');
      await Promise.all(pending);
      // They run in arrival order (the list); Redis writes the replies of one event-loop turn
      // newest client first, so the order the answers arrive in is not compared.
      return { beforeUnpause, answers: answers.sort(), list: await admin.call('lrange', 'order:list', '0', '-1') };
    });
  });

  it('ends by itself when the timeout passes', async () => {
    const [admin, writer] = await clients(ours.port, 2);
    await admin.call('client', 'pause', '300', 'WRITE');
    const started = Date.now();
    expect(await writer.call('set', 'timed', '1')).toBe('OK');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2000);
  });

  it('a later pause keeps the longer end and the stricter mode', async () => {
    const waits = await bothAgree(async (port) => {
      const [admin, reader] = await clients(port, 2);
      await admin.call('client', 'pause', '700', 'WRITE');
      await admin.call('client', 'pause', '100', 'ALL');
      await sleep(250);
      // ALL's own 100 ms are over, yet reads still wait for the WRITE pause's end.
      const started = Date.now();
      await reader.call('get', 'anything');
      return Date.now() - started > 200;
    });
    expect(waits).toBe(true);
  });
});

describe('CLIENT PAUSE ALL', () => {
  it('holds every command, CLIENT UNPAUSE from another client and its own next command too', async () => {
    await bothAgree(async (port) => {
      const [admin, reader, other] = await clients(port, 3);
      const pipeline = admin.pipeline().call('client', 'pause', '400', 'ALL').ping();
      const pipelined = pipeline.exec();
      await sleep(50);
      const read = track(reader.call('get', 'x'));
      const unpause = track(other.call('client', 'unpause'));
      const unknown = await reply(other.call('nosuchcommand'));
      await sleep(150);
      const whileHeld = { read: read.done(), unpause: unpause.done() };
      const results = (await pipelined)?.map(([, value]) => value);
      return { whileHeld, unknown, results, read: await read.value, unpause: await unpause.value };
    });
  });
});

describe('CLIENT LIST fields', () => {
  it('age and idle come from the server clock, tot-mem covers the buffers and the connection', async () => {
    const client = await connect(ours.port);
    const entry = fields(String(await client.call('client', 'info')));
    expect(Number(entry.age)).toBe(0);
    expect(Number(entry.idle)).toBe(0);
    expect(Number(entry['tot-mem'])).toBeGreaterThan(Number(entry.rbs) + Number(entry.qbuf) + Number(entry['argv-mem']));
    expect(entry.cmd).toBe('client|info');
    expect(entry['argv-mem']).toBe('10');
  });

  it('show the same field names as Redis for a held client (plus our lib-name / lib-ver)', async () => {
    const names = await bothAgree(async (port) => {
      const [admin, writer] = await clients(port, 2);
      const id = Number(await writer.call('client', 'id'));
      await admin.call('client', 'pause', '5000', 'WRITE');
      const held = reply(writer.call('set', 'fields', '1'));
      await sleep(100);
      const entry = await listEntry(admin, id);
      await admin.call('client', 'unpause');
      await held;
      return Object.keys(entry).filter((name) => name !== 'lib-name' && name !== 'lib-ver');
    });
    expect(names).toContain('tot-mem');
  });
});
