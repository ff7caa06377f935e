import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/servers.js';

// DEBUG CLOCK (ours; opt-in with --enable-time-control yes): the node clock freezes, moves forward
// and returns to real time, and everything that decides by time follows it.

let controlled: RunningServer;
let plain: RunningServer;
const opened: Redis[] = [];

beforeAll(async () => {
  [controlled, plain] = await Promise.all([startServer(['--enable-time-control', 'yes']), startServer()]);
});

afterAll(async () => {
  for (const client of opened) client.disconnect();
  await Promise.all([controlled, plain].map((server) => server?.stop()));
});

async function connect(port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true });
  opened.push(client);
  await client.connect();
  return client;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function error(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (failure) {
    return (failure as Error).message;
  }
  throw new Error('expected an error reply');
}

function infoField(text: unknown, name: string): number {
  return Number(new RegExp(`${name}:(\\d+)`).exec(String(text))?.[1]);
}

/** A fresh client on the controlled server, with the clock frozen at a known instant. */
async function frozenAt(at: number): Promise<Redis> {
  const client = await connect(controlled.port);
  expect(await client.call('debug', 'clock', 'freeze', String(at))).toBe('OK');
  return client;
}

const DAY_MS = 86_400_000;
const START = 1_900_000_000_000;

describe('disabled by default', () => {
  it('DEBUG CLOCK says how to enable it, and the clock stays real', async () => {
    const client = await connect(plain.port);
    for (const action of [['status'], ['freeze'], ['advance', '1000'], ['resume']]) {
      expect(await error(client.call('debug', 'clock', ...action))).toBe(
        'ERR DEBUG CLOCK is disabled: start the server with --enable-time-control yes (or "enable-time-control yes" in its config file) to control its clock',
      );
    }
    const [seconds] = (await client.call('time')) as string[];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(2);
    // The directive is ours and internal: CONFIG GET does not list it, CONFIG SET cannot change it.
    expect(await client.call('config', 'get', 'enable-time-control')).toEqual([]);
  });
});

describe('DEBUG CLOCK', () => {
  it('FREEZE stops TIME, ADVANCE moves it, STATUS reports, RESUME returns to real time', async () => {
    const client = await frozenAt(START);
    expect(await client.call('time')).toEqual([String(START / 1000), '0']);
    await sleep(1100);
    expect(await client.call('time')).toEqual([String(START / 1000), '0']);
    expect(await client.call('debug', 'clock', 'advance', '1500')).toBe(START + 1500);
    expect(await client.call('time')).toEqual([String(START / 1000 + 1), '500000']);
    const status = (await client.call('debug', 'clock', 'status')) as (string | number)[];
    expect(status.slice(0, 4)).toEqual(['mode', 'frozen', 'unix-ms', START + 1500]);
    expect(await client.call('debug', 'clock', 'resume')).toBe('OK');
    expect(await client.call('debug', 'clock', 'status')).toEqual(['mode', 'real', 'unix-ms', expect.any(Number), 'offset-ms', 0]);
    const [seconds] = (await client.call('time')) as string[];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(2);
  });

  it('ADVANCE on a running clock shifts it and keeps it running', async () => {
    const client = await connect(controlled.port);
    await client.call('debug', 'clock', 'resume');
    await client.call('debug', 'clock', 'advance', String(DAY_MS));
    const [seconds] = (await client.call('time')) as string[];
    expect(Math.abs(Number(seconds) - (Date.now() + DAY_MS) / 1000)).toBeLessThan(2);
    const status = (await client.call('debug', 'clock', 'status')) as (string | number)[];
    expect(status[1]).toBe('shifted');
    // DEBUG CLOCK works without enable-debug-command; the rest of DEBUG still needs it.
    expect(await error(client.call('debug', 'help'))).toMatch(/^ERR DEBUG command not allowed/);
    expect(status[5]).toBe(DAY_MS);
    await client.call('debug', 'clock', 'resume');
  });

  it('rejects bad arguments', async () => {
    const client = await connect(controlled.port);
    expect(await error(client.call('debug', 'clock', 'advance', '-1'))).toBe('ERR DEBUG CLOCK ADVANCE amount must be between 0 and 2^53');
    expect(await error(client.call('debug', 'clock', 'advance', 'soon'))).toBe('ERR DEBUG CLOCK ADVANCE amount is not an integer or out of range');
    expect(await error(client.call('debug', 'clock', 'freeze', '1.5'))).toBe('ERR DEBUG CLOCK FREEZE time is not an integer or out of range');
    const usage = 'ERR DEBUG CLOCK takes FREEZE [<unix-ms>], ADVANCE <ms>, RESUME or STATUS';
    expect(await error(client.call('debug', 'clock', 'rewind', '5'))).toBe(usage);
    expect(await error(client.call('debug', 'clock'))).toBe(usage);
    expect(await error(client.call('debug', 'clock', 'advance'))).toBe(usage);
  });
});

describe('what follows the clock', () => {
  it('TTL, PTTL and EXPIRETIME count down a one-day TTL; the key expires lazily at its time', async () => {
    const client = await frozenAt(START);
    await client.call('set', 'tc:day', 'v', 'EX', '86400');
    expect(await client.call('expiretime', 'tc:day')).toBe(START / 1000 + 86400);
    await client.call('debug', 'clock', 'advance', String(DAY_MS - 1000));
    expect(await client.call('ttl', 'tc:day')).toBe(1);
    expect(await client.call('pttl', 'tc:day')).toBe(1000);
    const expiredBefore = infoField(await client.call('info', 'stats'), 'expired_keys');
    await client.call('debug', 'clock', 'advance', '1000');
    expect(await client.call('get', 'tc:day')).toBe(null);
    expect(await client.call('ttl', 'tc:day')).toBe(-2);
    expect(infoField(await client.call('info', 'stats'), 'expired_keys')).toBe(expiredBefore + 1);
  });

  it('the active expiry cycle removes keys whose time the clock passed, untouched', async () => {
    const client = await frozenAt(START);
    await client.call('select', '3');
    await client.call('flushdb');
    for (let i = 0; i < 50; i++) await client.call('set', `tc:active:${i}`, 'v', 'PX', '60000');
    await client.call('set', 'tc:active:keep', 'v');
    expect(await client.call('dbsize')).toBe(51);
    await client.call('debug', 'clock', 'advance', '60000');
    await sleep(600);
    expect(await client.call('dbsize')).toBe(1);
  });

  it('OBJECT IDLETIME grows with the clock', async () => {
    const client = await frozenAt(START);
    await client.call('config', 'set', 'maxmemory-policy', 'noeviction');
    await client.call('set', 'tc:idle', 'v');
    expect(await client.call('object', 'idletime', 'tc:idle')).toBe(0);
    await client.call('debug', 'clock', 'advance', '125000');
    expect(await client.call('object', 'idletime', 'tc:idle')).toBe(125);
    await client.call('get', 'tc:idle');
    expect(await client.call('object', 'idletime', 'tc:idle')).toBe(0);
  });

  it('LFU counters decay one step per lfu-decay-time minutes of the clock', async () => {
    const client = await frozenAt(START);
    await client.call('config', 'set', 'maxmemory-policy', 'allkeys-lfu', 'lfu-log-factor', '0', 'lfu-decay-time', '1');
    try {
      await client.call('set', 'tc:lfu', 'v');
      // A new key starts at LFU_INIT_VAL 5; with lfu-log-factor 0 every access adds one.
      for (let i = 0; i < 20; i++) await client.call('get', 'tc:lfu');
      expect(await client.call('object', 'freq', 'tc:lfu')).toBe(25);
      await client.call('debug', 'clock', 'advance', String(10 * 60_000));
      expect(await client.call('object', 'freq', 'tc:lfu')).toBe(15);
      await client.call('debug', 'clock', 'advance', String(60 * 60_000));
      expect(await client.call('object', 'freq', 'tc:lfu')).toBe(0);
    } finally {
      await client.call('config', 'set', 'maxmemory-policy', 'noeviction', 'lfu-log-factor', '10');
    }
  });

  it('CLIENT LIST age and idle follow the clock', async () => {
    const client = await frozenAt(START);
    const other = await connect(controlled.port);
    await other.call('ping');
    await client.call('debug', 'clock', 'advance', '3600000');
    const otherId = String(await other.call('client', 'id'));
    const line = String(await client.call('client', 'list', 'id', otherId));
    // The other client connected at the frozen instant; its CLIENT ID ran after the jump.
    expect(/ age=(\d+) idle=(\d+) /.exec(line)?.slice(1)).toEqual(['3600', '0']);
    await client.call('debug', 'clock', 'advance', '60000');
    const again = String(await client.call('client', 'list', 'id', otherId));
    expect(/ age=(\d+) idle=(\d+) /.exec(again)?.slice(1)).toEqual(['3660', '60']);
  });

  it('a CLIENT PAUSE on a frozen clock ends when the clock is advanced past its end', async () => {
    const admin = await frozenAt(START);
    const writer = await connect(controlled.port);
    await admin.call('client', 'pause', '5000', 'WRITE');
    let answered = false;
    const held = writer.call('set', 'tc:paused', '1').then((value) => {
      answered = true;
      return value;
    });
    await sleep(200);
    expect(answered).toBe(false);
    await admin.call('debug', 'clock', 'advance', '5000');
    expect(await held).toBe('OK');
  });
});
