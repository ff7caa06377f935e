import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// INFO stats and keyspace counters against a real redis-server 7.0: the same requests to both, the
// counters' movements compared; CONFIG RESETSTAT clears the same fields; maxclients rejections.

let ours: RunningServer;
let redis: RunningServer;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([ours, redis].map((server) => server?.stop()));
});

function request(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

/** field → value of an INFO reply (RESP2 bulk). */
function parseInfo(reply: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of reply.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Sends one request and reads the whole reply (a quiet spell ends it). */
async function exchange(client: RawClient, text: string): Promise<string> {
  return client.roundTrip(text, 150);
}

const COUNTERS = ['keyspace_hits', 'keyspace_misses', 'expired_keys', 'total_error_replies', 'total_commands_processed'] as const;

interface Movement {
  counters: Record<string, number>;
  /** total_net_input_bytes moved by exactly the bytes sent after the first INFO. */
  inputExact: boolean;
  /** total_net_output_bytes moved by exactly the bytes received up to the last INFO's reply. */
  outputExact: boolean;
}

/** Runs the batches between two INFO stats on one connection and reports how the counters moved. */
async function movement(port: number, batches: string[][][]): Promise<Movement> {
  const client = await RawClient.connect(port);
  try {
    const before = await exchange(client, request('info', 'stats'));
    let sent = 0;
    let received = before.length;
    for (const batch of batches) {
      const text = batch.map((args) => request(...args)).join('');
      sent += text.length;
      received += (await exchange(client, text)).length;
    }
    const infoRequest = request('info', 'stats');
    const after = await exchange(client, infoRequest);
    const [a, b] = [parseInfo(before), parseInfo(after)];
    const delta = (field: string): number => Number(b.get(field)) - Number(a.get(field));
    const counters: Record<string, number> = {};
    for (const field of COUNTERS) counters[field] = delta(field);
    return {
      counters,
      inputExact: delta('total_net_input_bytes') === sent + infoRequest.length,
      outputExact: delta('total_net_output_bytes') === received,
    };
  } finally {
    client.close();
  }
}

describe('INFO stats counters move as in Redis', () => {
  it('hits, misses, lazy expiry, errors, commands and network bytes', async () => {
    const batches = [
      [
        ['select', '4'],
        ['flushdb'],
        ['set', 'c:a', '1'],
        ['get', 'c:a'],
        ['get', 'c:missing'],
        ['mget', 'c:a', 'c:missing', 'c:a'],
        ['exists', 'c:a', 'c:missing'],
        ['type', 'c:a'],
        ['strlen', 'c:missing'],
        ['hget', 'c:a', 'field'],
        ['incr', 'c:a'],
        ['ttl', 'c:a'],
        ['llen', 'c:missing'],
        ['set', 'c:short', 'v', 'PX', '1'],
        ['set', 'c:short2', 'v', 'PX', '1'],
        ['nosuchcommand'],
        ['get'],
      ],
      // After the quiet spell both short keys are past their time: each read expires one.
      [['get', 'c:short'], ['exists', 'c:short2'], ['dbsize']],
    ];
    const [mine, theirs] = [await movement(ours.port, batches), await movement(redis.port, batches)];
    expect(mine).toEqual(theirs);
    expect(mine).toMatchObject({ inputExact: true, outputExact: true });
    expect(mine.counters.expired_keys).toBe(2);
  });

  it('instantaneous_ops_per_sec follows the load', async () => {
    const client = await RawClient.connect(ours.port);
    try {
      const burst = request('ping').repeat(2000);
      for (let i = 0; i < 8; i++) await exchange(client, burst);
      const stats = parseInfo(await exchange(client, request('info', 'stats')));
      expect(Number(stats.get('instantaneous_ops_per_sec'))).toBeGreaterThan(1000);
      expect(Number(stats.get('instantaneous_input_kbps'))).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });
});

describe('INFO keyspace', () => {
  it('keys, expires and avg_ttl per database, as Redis reports them', async () => {
    const shapes = [];
    for (const port of [ours.port, redis.port]) {
      const client = await RawClient.connect(port);
      const setup = [['select', '6'], ['flushdb'], ['set', 'k:plain', 'v']];
      for (let i = 0; i < 5; i++) setup.push(['set', `k:ttl:${i}`, 'v', 'EX', '1000']);
      await exchange(client, setup.map((args) => request(...args)).join(''));
      // Redis updates avg_ttl from the expiry cycle's samples; give it a cycle.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const text = await exchange(client, request('info', 'keyspace'));
      client.close();
      const match = /db6:keys=(\d+),expires=(\d+),avg_ttl=(\d+)/.exec(text);
      expect(match).not.toBeNull();
      shapes.push(match!.slice(1).map(Number));
    }
    const [[keys, expires, avgTtl], [redisKeys, redisExpires, redisAvgTtl]] = shapes as [number[], number[]];
    expect([keys, expires]).toEqual([redisKeys, redisExpires]);
    expect([keys, expires]).toEqual([6, 5]);
    expect(Math.abs(avgTtl! - redisAvgTtl!)).toBeLessThan(2000);
  });
});

describe('CONFIG RESETSTAT', () => {
  it('clears what Redis clears and keeps used_memory_peak', async () => {
    const nonZero = async (port: number): Promise<{ stats: string[]; commands: string[]; errors: string; peakKept: boolean }> => {
      const client = await RawClient.connect(port);
      try {
        await exchange(client, [request('set', 'r:a', '1'), request('get', 'r:a'), request('get', 'r:none'), request('nosuch')].join(''));
        const peakBefore = Number(parseInfo(await exchange(client, request('info', 'memory'))).get('used_memory_peak'));
        await exchange(client, request('config', 'resetstat'));
        const all = await exchange(client, request('info', 'everything'));
        const fields = parseInfo(all);
        const stats = [...parseInfo(all.slice(all.indexOf('# Stats'), all.indexOf('# Replication')))]
          // Rates depend on timing; the rest must be zero exactly where Redis' are.
          .filter(([name, value]) => !name.startsWith('instantaneous') && Number(value) !== 0)
          .map(([name]) => name);
        const commands = [...fields.keys()].filter((name) => name.startsWith('cmdstat_'));
        const errors = all.slice(all.indexOf('# Errorstats'), all.indexOf('# Latencystats'));
        return { stats, commands, errors, peakKept: Number(fields.get('used_memory_peak')) >= peakBefore };
      } finally {
        client.close();
      }
    };
    const [mine, theirs] = [await nonZero(ours.port), await nonZero(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine.commands).toEqual(['cmdstat_config|resetstat']);
    expect(mine.peakKept).toBe(true);
  });
});

describe('maxclients', () => {
  async function rejection(port: number): Promise<{ reply: string; closed: boolean; rejected: number }> {
    const first = await RawClient.connect(port);
    try {
      const rejectedNow = async (): Promise<number> =>
        Number(parseInfo(await exchange(first, request('info', 'stats'))).get('rejected_connections'));
      const before = await rejectedNow();
      await exchange(first, request('config', 'set', 'maxclients', '1'));
      const second = await RawClient.connect(port);
      const reply = await second.readUntil((text) => text.endsWith('\r\n'));
      const closed = await second.waitClosed();
      second.close();
      const rejected = (await rejectedNow()) - before;
      await exchange(first, request('config', 'set', 'maxclients', '10000'));
      return { reply, closed, rejected };
    } finally {
      first.close();
    }
  }

  // Redis counts a connection in total_connections_received only once it is admitted.
  it('a rejected client is not counted in total_connections_received', async () => {
    const received = async (port: number): Promise<number> => {
      const first = await RawClient.connect(port);
      try {
        const count = async (): Promise<number> =>
          Number(parseInfo(await exchange(first, request('info', 'stats'))).get('total_connections_received'));
        await exchange(first, request('config', 'set', 'maxclients', '1'));
        const before = await count();
        const second = await RawClient.connect(port);
        await second.waitClosed();
        second.close();
        const after = await count();
        await exchange(first, request('config', 'set', 'maxclients', '10000'));
        return after - before;
      } finally {
        first.close();
      }
    };
    expect(await received(ours.port)).toBe(await received(redis.port));
  });

  it('a client past the limit gets Redis error, is closed, and counts in rejected_connections', async () => {
    const [mine, theirs] = [await rejection(ours.port), await rejection(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine).toEqual({ reply: '-ERR max number of clients reached\r\n', closed: true, rejected: 1 });
  });
});
