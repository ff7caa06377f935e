import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_GROUPS } from '../../src/commands/index.js';
import { redisCli, startRedis, startServer, type RunningServer } from '../helpers/servers.js';
import { RawClient } from '../helpers/raw-client.js';

// COMMAND and its subcommands against a real redis-server 7.0: what each command declares
// (arity, flags, key positions, ACL categories, docs) must be what Redis declares.

let ours: RunningServer;
let real: RunningServer;
let oursClient: Redis;
let realClient: Redis;

beforeAll(async () => {
  [ours, real] = await Promise.all([startServer(), startRedis()]);
  oursClient = new Redis({ port: ours.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  realClient = new Redis({ port: real.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  oursClient?.disconnect();
  realClient?.disconnect();
  await Promise.all([ours?.stop(), real?.stop()]);
});

async function send(client: Redis, args: readonly string[]): Promise<unknown> {
  try {
    return await client.call(args[0]!, ...args.slice(1));
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function same(...args: string[]): Promise<unknown> {
  const [mine, theirs] = await Promise.all([send(oursClient, args), send(realClient, args)]);
  expect(mine, args.join(' ')).toEqual(theirs);
  return mine;
}

type Info = [string, number, string[], number, number, number, string[], string[], unknown[], Info[]];

/** The COMMAND INFO fields compared in bulk: all but tips, key specs and subcommands (key specs have their own test). */
function essentials(info: Info): unknown {
  const [name, arity, flags, first, last, step, acl] = info;
  return { name, arity, flags: [...flags].sort(), keys: [first, last, step], acl: [...acl].sort() };
}

// CLIENT SETINFO is Redis 7.2's; the client module registers it on purpose because client
// libraries send it right after connecting.
const KNOWN_ADDITIONS = new Set(['client|setinfo']);

/** Compares a command and each subcommand we have with Redis' (Redis may have more subcommands). */
function compare(mine: Info, theirs: Info, mismatches: string[]): void {
  const a = JSON.stringify(essentials(mine));
  const b = JSON.stringify(essentials(theirs));
  if (a !== b) mismatches.push(`${mine[0]}:\n  ours  ${a}\n  redis ${b}`);
  for (const sub of mine[9]) {
    const real = theirs[9].find((candidate) => candidate[0] === sub[0]);
    if (real === undefined && KNOWN_ADDITIONS.has(sub[0])) continue;
    if (real === undefined) mismatches.push(`${sub[0]}: not a Redis 7.0 subcommand`);
    else compare(sub, real, mismatches);
  }
}

const ourNames = COMMAND_GROUPS.flatMap((group) => group.map((spec) => spec.name));

describe('COMMAND INFO', () => {
  it('declares every command as Redis 7.0 does: arity, flags, key positions, ACL categories, subcommands', async () => {
    const mine = (await oursClient.call('command', 'info', ...ourNames)) as Info[];
    const theirs = (await realClient.call('command', 'info', ...ourNames)) as (Info | null)[];
    const mismatches: string[] = [];
    mine.forEach((info, index) => {
      const expected = theirs[index];
      if (expected === null || expected === undefined) {
        mismatches.push(`${ourNames[index]}: not a Redis 7.0 command`);
        return;
      }
      compare(info, expected, mismatches);
    });
    expect(mismatches.join('\n')).toBe('');
  });

  it('gives every command and subcommand the key specs Redis 7.0 gives it: flags, notes, begin and find', async () => {
    const mine = (await oursClient.call('command', 'info', ...ourNames)) as Info[];
    const theirs = (await realClient.call('command', 'info', ...ourNames)) as Info[];
    const mismatches: string[] = [];
    const compareSpecs = (ours: Info, real: Info): void => {
      if (JSON.stringify(ours[8]) !== JSON.stringify(real[8])) mismatches.push(`${ours[0]}:\n  ours  ${JSON.stringify(ours[8])}\n  redis ${JSON.stringify(real[8])}`);
      for (const sub of ours[9]) {
        const realSub = real[9].find((candidate) => candidate[0] === sub[0]);
        if (realSub !== undefined) compareSpecs(sub, realSub);
      }
    };
    mine.forEach((info, index) => compareSpecs(info, theirs[index]!));
    expect(mismatches.join('\n')).toBe('');
  });

  it('answers for container|sub names, unknown names as nil, and the whole table with no names', async () => {
    const mine = (await oursClient.call('command', 'info', 'config|get', 'nosuch', 'get')) as (Info | null)[];
    const theirs = (await realClient.call('command', 'info', 'config|get', 'nosuch', 'get')) as (Info | null)[];
    expect(mine[1]).toBeNull();
    expect(essentials(mine[0]!)).toEqual(essentials(theirs[0]!));
    expect(mine[2]).toEqual(theirs[2]);
    const all = (await oursClient.call('command', 'info')) as Info[];
    expect(all.map((info) => info[0]).sort()).toEqual([...ourNames].sort());
  });

  it('describes key specs as Redis does for single-range commands (RESP3 bytes)', async () => {
    const [mine, theirs] = await Promise.all(
      [ours.port, real.port].map(async (port) => {
        const raw = await RawClient.connect(port);
        await raw.roundTrip('HELLO 3\r\n');
        const reply = await raw.roundTrip('COMMAND INFO get\r\n');
        raw.close();
        return reply;
      }),
    );
    expect(mine).toBe(theirs);
  });
});

describe('COMMAND COUNT, LIST, HELP, GETKEYS', () => {
  it('COMMAND alone describes every command', async () => {
    const all = (await oursClient.call('command')) as Info[];
    expect(all.map((info) => info[0]).sort()).toEqual([...ourNames].sort());
  });

  it('COUNT is our table size', async () => {
    expect(await oursClient.call('command', 'count')).toBe(ourNames.length);
  });

  it('LIST names every command and subcommand, and filters like Redis', async () => {
    const list = (await oursClient.call('command', 'list')) as string[];
    expect(list).toContain('config|get');
    expect(list).toContain('get');
    const sorted = async (client: Redis, ...args: string[]): Promise<string[]> => ((await client.call('command', 'list', ...args)) as string[]).sort();
    expect(await sorted(oursClient, 'filterby', 'pattern', 'CONFIG*')).toEqual(await sorted(realClient, 'filterby', 'pattern', 'CONFIG*'));
    expect(await sorted(oursClient, 'filterby', 'module', 'x')).toEqual([]);
    expect(await sorted(oursClient, 'filterby', 'aclcat', 'nosuch')).toEqual([]);
    const dangerous = await sorted(oursClient, 'filterby', 'aclcat', 'dangerous');
    const realDangerous = await sorted(realClient, 'filterby', 'aclcat', 'dangerous');
    expect(dangerous.length).toBeGreaterThan(3);
    for (const name of dangerous) expect(realDangerous, name).toContain(name);
    await same('command', 'list', 'foo');
    await same('command', 'list', 'filterby', 'foo', 'x');
  });

  it('HELP and errors are Redis', async () => {
    await same('command', 'help');
    await same('command', 'foo');
    await same('command', 'count', 'x');
  });

  it('GETKEYS and GETKEYSANDFLAGS find keys from the declared positions', async () => {
    for (const args of [
      ['getkeys', 'get', 'a'],
      ['getkeys', 'mset', 'a', '1', 'b', '2'],
      ['getkeys', 'del', 'a', 'b', 'c'],
      ['getkeys', 'get'],
      ['getkeys', 'foo', 'a'],
      ['getkeys', 'ping', 'a'],
      ['getkeys', 'config', 'get'],
      ['getkeys', 'config', 'foo'],
      ['getkeys', 'set', 'a'],
      ['getkeysandflags', 'get', 'a'],
      ['getkeysandflags', 'set', 'x', 'y'].slice(0, 1),
    ]) {
      await same('command', ...args);
    }
    // Flags that depend on the arguments (variable_flags): SET with and without GET, BITFIELD reading or writing.
    for (const args of [
      ['set', 'k', 'v'],
      ['set', 'k', 'v', 'GET'],
      ['set', 'k', 'v', 'nx', 'get'],
      ['bitfield', 'k', 'get', 'u8', '0'],
      ['bitfield', 'k', 'get', 'u8', '0', 'overflow', 'sat'],
      ['bitfield', 'k', 'incrby', 'u8', '0', '1'],
      ['bitfield', 'k', 'get', 'u8'],
      ['bitfield', 'k'],
      ['getex', 'k', 'persist'],
      ['rename', 'a', 'b'],
      ['copy', 'a', 'b', 'replace'],
      ['bitop', 'and', 'd', 'a', 'b'],
      ['lpush', 'l', 'x'],
    ]) {
      await same('command', 'getkeysandflags', ...args);
    }
  });
});

describe('COMMAND DOCS', () => {
  it('documents commands in Redis 7 shape', async () => {
    for (const name of ['get', 'time', 'command|count', 'config|resetstat']) {
      const [mine, theirs] = (await Promise.all([oursClient.call('command', 'docs', name), realClient.call('command', 'docs', name)])) as unknown[][];
      expect(mine, name).toEqual(theirs);
    }
    expect(await oursClient.call('command', 'docs', 'nosuch')).toEqual([]);
    const all = (await oursClient.call('command', 'docs')) as unknown[];
    expect(all.length).toBe(ourNames.length * 2);
  });

  it('feeds redis-cli 7: its output for COMMAND DOCS and a typed command matches real Redis', async () => {
    const mine = await redisCli(ours.port, ['command', 'docs', 'get']);
    const theirs = await redisCli(real.port, ['command', 'docs', 'get']);
    expect(mine).toBe(theirs);
    // Interactive-style input through stdin: redis-cli loads its command table from the server first.
    const piped = await redisCli(ours.port, [], 'set cli-key hello\nget cli-key\n');
    expect(piped).toBe('OK\nhello\n');
  });
});
