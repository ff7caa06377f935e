import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { redisCli, startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { run, same, type Normalised } from '../helpers/side-by-side.js';
import { LatencySeries } from '../../src/server/latency.js';
import { latencyGraph } from '../../src/server/latency-report.js';

// SLOWLOG, LATENCY and MONITOR against a real redis-server 7.0.15: the same commands to both, the
// replies equal once what legitimately differs (times, durations, client ports) is masked.

let ours: RunningServer;
let redis: RunningServer;
let oursClient: Redis;
let redisClient: Redis;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(['--enable-debug-command', 'yes']), startRedis()]);
  oursClient = new Redis({ port: ours.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  redisClient = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  oursClient?.disconnect();
  redisClient?.disconnect();
  await Promise.all([ours?.stop(), redis?.stop()]);
});

/** Runs the same commands on both servers and returns both reply lists, unchecked. */
async function both(commands: readonly (readonly string[])[]): Promise<[Normalised[], Normalised[]]> {
  return Promise.all([run(oursClient, commands), run(redisClient, commands)]);
}

type Entry = [number, number, number, string[], string, string];

/** A slow log entry with what differs between servers (times, durations, ports) checked and masked. */
function maskEntry(entry: Normalised, firstId: number): unknown {
  const [id, time, duration, argv, peer, name] = entry as Entry;
  expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(60);
  expect(duration).toBeGreaterThanOrEqual(0);
  expect(peer).toMatch(/^127\.0\.0\.1:\d+$/);
  return [id - firstId, argv, name];
}

describe('SLOWLOG', () => {
  it('answers help, errors and bad counts as Redis does', async () => {
    await same(oursClient, redisClient, [
      ['slowlog', 'help'],
      ['slowlog', 'get', '-2'],
      ['slowlog', 'get', 'abc'],
      ['slowlog', 'get', '1.5'],
      ['slowlog', 'get', '+1'],
      ['slowlog', 'get', '99999999999999999999'],
      ['slowlog', 'get', '1', '2'],
      ['slowlog', 'len', 'x'],
      ['slowlog', 'reset', 'x'],
      ['slowlog', 'foo'],
      ['slowlog'],
      ['slowlog', 'get', '0'],
    ]);
  });

  it('logs what took at least slowlog-log-slower-than, trims arguments, keeps slowlog-max-len', async () => {
    const long = 'x'.repeat(130);
    const many = Array.from({ length: 40 }, (_, i) => String(i));
    const [mine, theirs] = await both([
      ['config', 'set', 'slowlog-log-slower-than', '0'],
      ['slowlog', 'reset'],
      ['client', 'setname', 'diag'],
      ['set', long, 'v'],
      ['rpush', 'slowlog-list', ...many],
      ['nosuchcommand', 'a'],
      ['get'],
      ['get', long],
      ['slowlog', 'len'],
      ['slowlog', 'get'],
      ['client', 'setname', ''],
      ['config', 'set', 'slowlog-log-slower-than', '10000'],
    ]);
    // Unknown commands and arity errors are rejected before they run, so they are not logged.
    expect(mine[8]).toBe(5);
    expect(mine.slice(0, 9)).toEqual(theirs.slice(0, 9));
    const [myEntries, theirEntries] = [mine[9] as Normalised[], theirs[9] as Normalised[]];
    const firstOf = (entries: Normalised[]): number => (entries[entries.length - 1] as Entry)[0];
    const masked = myEntries.map((entry) => maskEntry(entry, firstOf(myEntries)));
    expect(masked).toEqual(theirEntries.map((entry) => maskEntry(entry, firstOf(theirEntries))));
    const rpush = (myEntries[2] as Entry)[3];
    expect(rpush).toHaveLength(32);
    expect(rpush[31]).toBe('... (11 more arguments)');
    expect((myEntries[3] as Entry)[3][1]).toBe(`${'x'.repeat(128)}... (2 more bytes)`);
    expect((myEntries[4] as Entry)[5]).toBe('diag');
    expect((myEntries[0] as Entry)[3]).toEqual(['slowlog', 'len']);
  });

  it('hides the secrets of AUTH, HELLO AUTH and CONFIG SET requirepass as Redis does', async () => {
    const [mine, theirs] = await both([
      ['config', 'set', 'slowlog-log-slower-than', '0'],
      ['slowlog', 'reset'],
      ['auth', 'secret-one'],
      ['auth', 'someone', 'secret-two'],
      ['hello', '2', 'auth', 'default', 'secret-three'],
      ['config', 'set', 'requirepass', 'secret-four', 'masterauth', 'secret-five'],
      ['auth', 'secret-four'],
      ['config', 'set', 'requirepass', ''],
      ['slowlog', 'get'],
      ['config', 'set', 'slowlog-log-slower-than', '10000'],
    ]);
    const argvs = (replies: Normalised[]): string[][] => (replies[8] as Normalised[]).map((entry) => (entry as Entry)[3]).reverse();
    expect(argvs(mine)).toEqual(argvs(theirs));
    expect(JSON.stringify(argvs(mine))).not.toMatch(/secret/);
    expect(argvs(mine)).toContainEqual(['auth', '(redacted)', '(redacted)']);
  });

  it('logs a blocking command when it is served, not when it times out', async () => {
    const logged = async (client: Redis, port: number): Promise<string[][]> => {
      const blocked = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      try {
        await client.call('config', 'set', 'slowlog-log-slower-than', '0');
        await client.call('slowlog', 'reset');
        await blocked.call('blpop', 'diag-timeout', '0.05');
        const served = blocked.call('blpop', 'diag-queue', '0');
        while (!String(await client.call('info', 'clients')).includes('blocked_clients:1')) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await client.call('rpush', 'diag-queue', 'x');
        await served;
        const entries = (await client.call('slowlog', 'get')) as Entry[];
        await client.call('config', 'set', 'slowlog-log-slower-than', '10000');
        return entries.map((entry) => entry[3]).filter((argv) => argv[0] === 'blpop');
      } finally {
        blocked.disconnect();
      }
    };
    const mine = await logged(oursClient, ours.port);
    expect(mine).toEqual(await logged(redisClient, redis.port));
    expect(mine).toEqual([['blpop', 'diag-queue', '0']]);
  });

  it('follows slowlog-max-len, slowlog-log-slower-than -1, RESET and CONFIG RESETSTAT as Redis does', async () => {
    await same(oursClient, redisClient, [
      ['config', 'set', 'slowlog-log-slower-than', '0'],
      ['slowlog', 'reset'],
      ['set', 'a', '1'],
      ['get', 'a'],
      ['slowlog', 'len'],
      ['config', 'set', 'slowlog-max-len', '2'],
      ['slowlog', 'len'],
      ['config', 'set', 'slowlog-log-slower-than', '-1'],
      ['config', 'set', 'slowlog-max-len', '1'],
      ['slowlog', 'len'],
      ['config', 'set', 'slowlog-max-len', '128'],
      ['config', 'set', 'slowlog-log-slower-than', '0'],
      ['config', 'resetstat'],
      ['slowlog', 'len'],
      ['config', 'set', 'slowlog-max-len', '0'],
      ['slowlog', 'len'],
      ['config', 'set', 'slowlog-max-len', '128'],
      // A threshold no command here comes near: nothing is logged, whatever the machine's load.
      ['config', 'set', 'slowlog-log-slower-than', '1000000'],
      ['slowlog', 'reset'],
      ['ping'],
      ['slowlog', 'len'],
      ['config', 'set', 'slowlog-log-slower-than', '10000'],
    ]);
  });

  it('logs a slow command (DEBUG SLEEP) with its duration, and the log keeps counting ids past RESET', async () => {
    const [mine, theirs] = await both([
      ['slowlog', 'reset'],
      ['debug', 'sleep', '0.02'],
      ['slowlog', 'get', '-1'],
      ['slowlog', 'reset'],
      ['debug', 'sleep', '0.02'],
      ['slowlog', 'get', '1'],
    ]);
    for (const replies of [mine, theirs]) {
      const first = (replies[2] as Entry[])[0]!;
      const second = (replies[5] as Entry[])[0]!;
      expect(replies[2]).toHaveLength(1);
      expect(first[3]).toEqual(['debug', 'sleep', '0.02']);
      expect(first[2]).toBeGreaterThanOrEqual(19_000);
      expect(second[0]).toBe(first[0] + 1);
    }
  });

  it('is readable through redis-cli', async () => {
    await oursClient.call('slowlog', 'reset');
    await oursClient.call('debug', 'sleep', '0.015');
    const output = await redisCli(ours.port, ['slowlog', 'get', '1']);
    expect(output).toMatch(/^\d+\n\d+\n\d+\ndebug\nsleep\n0\.015\n127\.0\.0\.1:\d+\n\n$/);
  });
});

/** LATENCY DOCTOR / GRAPH text with the numbers that depend on timing replaced. */
function maskNumbers(text: Normalised): string {
  return String(text).replace(/\d+/g, 'N');
}

describe('LATENCY', () => {
  it('answers errors and an empty monitor as Redis does', async () => {
    await same(oursClient, redisClient, [
      ['latency', 'reset'],
      ['latency', 'latest'],
      ['latency', 'history', 'command'],
      ['latency', 'history'],
      ['latency', 'graph', 'command'],
      ['latency', 'graph'],
      ['latency', 'doctor'],
      ['latency', 'doctor', 'x'],
      ['latency', 'reset', 'foo', 'bar'],
      ['latency', 'foo'],
      ['latency'],
    ]);
  });

  it("HELP is Redis' without the HISTOGRAM entry this server does not keep", async () => {
    const [mine, theirs] = await both([['latency', 'help']]);
    const redisLines = theirs[0] as string[];
    const histogram = redisLines.findIndex((line) => line.startsWith('HISTOGRAM'));
    expect(histogram).toBeGreaterThan(0);
    expect(mine[0]).toEqual([...redisLines.slice(0, histogram), ...redisLines.slice(histogram + 3)]);
  });

  it('records commands at or over latency-monitor-threshold: LATEST, HISTORY, GRAPH, DOCTOR, RESET', async () => {
    const [mine, theirs] = await both([
      ['latency', 'reset'],
      ['config', 'set', 'latency-monitor-threshold', '5'],
      ['get', 'fast-and-below-threshold'],
      ['debug', 'sleep', '0.02'],
      ['debug', 'sleep', '0.01'],
      ['latency', 'latest'],
      ['latency', 'history', 'command'],
      ['latency', 'graph', 'command'],
      ['latency', 'doctor'],
      ['latency', 'reset', 'COMMAND', 'command'],
      ['latency', 'history', 'command'],
      ['latency', 'reset'],
      ['latency', 'doctor'],
      ['config', 'set', 'latency-monitor-threshold', '0'],
      ['latency', 'doctor'],
    ]);
    for (const replies of [mine, theirs]) {
      const events = replies[5] as Normalised[][];
      const command = events.find((event) => event[0] === 'command');
      expect(command).toBeDefined();
      const [, time, latest, max] = command as [string, number, number, number];
      expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(60);
      // Both sleeps fall in the same second (most of the time) or in two: the worst one is 20 ms.
      expect(max).toBeGreaterThanOrEqual(20);
      expect(latest).toBeGreaterThanOrEqual(10);
      expect((replies[6] as number[][]).length).toBeGreaterThanOrEqual(1);
    }
    // A loaded machine can add a spike of its own (a "fast-command"): then the texts differ.
    const shape = (replies: Normalised[]): string => JSON.stringify([(replies[5] as Normalised[]).length, (replies[6] as Normalised[]).length]);
    if (shape(mine) === shape(theirs)) {
      expect(maskNumbers(mine[7]!)).toBe(maskNumbers(theirs[7]!));
      expect(maskNumbers(mine[8]!)).toBe(maskNumbers(theirs[8]!));
    }
    expect(String(mine[7])).toMatch(/^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
    expect(mine[9]).toBe(1);
    expect(mine[10]).toEqual([]);
    // Redis' texts for these two are compared in the first LATENCY test; here Redis itself may log
    // a spike of a loaded machine (its LATENCY DOCTOR taking 11 ms was seen).
    expect(mine[12]).toMatch(/^Dave, no latency spike was observed/);
    expect(mine[14]).toMatch(/^I'm sorry, Dave, I can't do that\./);
  });

  it("draws LATENCY GRAPH as Redis' sparkline does, from the same samples", async () => {
    // Redis' own samples (DEBUG SLEEP spikes in three different seconds) drawn by both renderers.
    const wait = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));
    await redisClient.call('config', 'set', 'latency-monitor-threshold', '1');
    await redisClient.call('latency', 'reset');
    for (const seconds of ['0.02', '0.005', '0.012']) {
      await redisClient.call('debug', 'sleep', seconds);
      await wait(1050);
    }
    const history = (await redisClient.call('latency', 'history', 'command')) as [number, number][];
    const theirs = String(await redisClient.call('latency', 'graph', 'command'));
    await redisClient.call('config', 'set', 'latency-monitor-threshold', '0');
    await redisClient.call('latency', 'reset');
    expect(history).toHaveLength(3);
    const series = new LatencySeries();
    for (const [time, latency] of history) series.add(time, latency);
    const mine = latencyGraph('command', series);
    expect(mine.split('\n')[0]).toBe(theirs.split('\n')[0]);
    // The age labels may be a second apart if the two renderings straddle a second.
    expect(mine.replace(/\d/g, 'N')).toBe(theirs.replace(/\d/g, 'N'));
  });

  it('names the event of a slow fast-flagged command "fast-command" (a 200,000-key MGET)', async () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `missing:${i}`);
    for (const client of [oursClient, redisClient]) {
      await client.call('latency', 'reset');
      await client.call('config', 'set', 'latency-monitor-threshold', '1');
      // ioredis flattens the array into arguments (a spread of 200,000 would overflow the stack).
      await client.call('mget', keys);
      await client.call('config', 'set', 'latency-monitor-threshold', '0');
      const latest = (await client.call('latency', 'latest')) as [string, number, number, number][];
      expect(latest.map((event) => event[0])).toEqual(['fast-command']);
      await client.call('latency', 'reset');
    }
  });

  it('sends DOCTOR and GRAPH as verbatim text to RESP3 clients', async () => {
    const client = await RawClient.connect(ours.port);
    try {
      await client.roundTrip('HELLO 3\r\n');
      expect(await client.roundTrip('LATENCY DOCTOR\r\n')).toMatch(/^=\d+\r\ntxt:I'm sorry, Dave/);
    } finally {
      client.close();
    }
  });
});

/** A monitor line with its time and the client's port masked. */
function maskMonitor(text: string): string {
  return text.replace(/\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/g, '+T [$1 ADDR]');
}

function request(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

/** What two monitors of one server see while another client runs `commands` one connection each. */
async function monitorSession(port: number, commands: string[][]): Promise<[string, string]> {
  const first = await RawClient.connect(port);
  const second = await RawClient.connect(port);
  try {
    expect(await first.roundTrip('MONITOR\r\n')).toBe('+OK\r\n');
    expect(await second.roundTrip(request('monitor'))).toBe('+OK\r\n');
    for (const args of commands) {
      const client = await RawClient.connect(port);
      await client.roundTrip(request(...args), 20, 1);
      client.close();
    }
    const lines = commands.length;
    const seen = await Promise.all(
      [first, second].map((monitor) => monitor.readUntil((text) => text.split('\r\n').length > lines, 1000)),
    );
    return [seen[0]!, seen[1]!];
  } finally {
    first.close();
    second.close();
  }
}

describe('MONITOR', () => {
  it('shows each command as Redis does, to several monitors, leaving out admin commands and rejected ones', async () => {
    const commands = [
      ['set', 'k', 'a b"c\\d\ne\x01\xc3\xa9\t\r\x07\x08\x7f'],
      ['config', 'get', 'maxmemory'],
      ['nosuchcommand'],
      ['get'],
      ['slowlog', 'len'],
      ['select', '3'],
      ['client', 'setname', 'watched'],
      ['echo', ''],
      ['QUIT'],
    ];
    const [[mineFirst, mineSecond], [theirsFirst, theirsSecond]] = await Promise.all([
      monitorSession(ours.port, commands),
      monitorSession(redis.port, commands),
    ]);
    expect(maskMonitor(mineFirst)).toBe(maskMonitor(theirsFirst));
    expect(maskMonitor(mineSecond)).toBe(maskMonitor(theirsSecond));
    expect(mineFirst).toMatch(/^\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] "set" "k" "a b\\"c\\\\d\\ne\\x01\\xc3\\xa9\\t\\r\\a\\b\\x7f"\r\n/);
    expect(mineFirst).toContain('[3 127.0.0.1:');
  });

  it('a monitoring client sees its own commands, may not touch keys, ignores a second MONITOR, leaves on RESET', async () => {
    const script = ['MONITOR\r\n', 'PING\r\n', 'GET a\r\n', 'SET a 1\r\n', 'MONITOR\r\n', 'RESET\r\n', 'PING\r\n', 'GET a\r\n', 'MONITOR\r\n', 'QUIT\r\n'];
    const transcripts = await Promise.all(
      [ours.port, redis.port].map(async (port) => {
        const client = await RawClient.connect(port);
        const replies: string[] = [];
        for (const line of script) replies.push(maskMonitor(await client.roundTrip(line, 30, line === 'QUIT\r\n' ? 0 : 1)));
        const closed = await client.waitClosed(1000);
        client.close();
        return { replies, closed };
      }),
    );
    expect(transcripts[0]).toEqual(transcripts[1]);
    expect(transcripts[0]!.replies[2]).toBe("-ERR Replica can't interact with the keyspace\r\n");
    expect(transcripts[0]!.closed).toBe(true);
  });

  it('stops feeding a monitor that disconnected', async () => {
    const monitor = await RawClient.connect(ours.port);
    expect(await monitor.roundTrip('MONITOR\r\n')).toBe('+OK\r\n');
    monitor.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await oursClient.call('ping')).toBe('PONG');
    expect(await oursClient.call('echo', 'still serving')).toBe('still serving');
  });

  it('works with redis-cli --monitor style output', async () => {
    const monitor = await RawClient.connect(ours.port);
    try {
      await monitor.roundTrip('MONITOR\r\n');
      await redisCli(ours.port, ['-n', '2', 'set', 'cli-key', 'v']);
      const text = await monitor.readUntil((received) => received.includes('"set"'), 2000);
      expect(text).toMatch(/\[2 127\.0\.0\.1:\d+\] "set" "cli-key" "v"\r\n$/);
    } finally {
      monitor.close();
    }
  });
});

describe('COMMAND DOCS of the diagnostics commands', () => {
  it('documents them as Redis 7.0 does', async () => {
    for (const name of ['monitor', 'slowlog|len', 'slowlog|reset', 'slowlog|help', 'latency|latest', 'latency|history', 'latency|reset', 'latency|graph', 'latency|doctor', 'latency|help']) {
      const [mine, theirs] = await Promise.all([oursClient.call('command', 'docs', name), redisClient.call('command', 'docs', name)]);
      expect(mine, name).toEqual(theirs);
    }
  });
});
