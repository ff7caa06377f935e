import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Differential, repliesAgree, type Comparison } from '../helpers/differential.js';
import type { RespValue } from '../helpers/resp-connection.js';
import { KEYS, sequence } from './generators/common.js';
import { hashErrors, listpackHashCommands, listpackPrologue, mixedHashCommands, mixedPrologue, type HashDiffCommand } from './generators/hashes.js';

// Random sequences of hash commands (with keyspace, TTL, string and list commands on the same
// keys) against our server and redis-server 7.0, in RESP2 and RESP3, every reply compared.
// Each sequence starts with a CONFIG SET of hash-max-listpack-*: the defaults with short values
// (listpack throughout, order compared exactly) or small limits (both encodings, orders compared
// as sets where Redis' dict decides them).
//
// HRANDFIELD picks at random, so the runner takes a snapshot of the hash (HGETALL on both, itself
// compared) before each and checks each server's reply against it: count, distinctness, fields
// and values from the hash, the reply's shape; and where the whole hash is returned, its order.
// DIFFERENTIAL_RUNS overrides the number of sequences.

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 2500);
const EXACT: Comparison = { kind: 'exact' };
const UNORDERED: Comparison = { kind: 'unordered' };

let differential: Differential;

beforeAll(async () => {
  differential = await Differential.start();
});

afterAll(async () => {
  await differential?.stop();
});

class Disagreement extends Error {}

const reached = { listpack: 0, hashtable: 0, randomChecked: 0, sequences: 0 };

function fail(done: HashDiffCommand[], message: string, ours: RespValue, redis: RespValue): never {
  const lines = done.map((command, i) => `${i === done.length - 1 ? '>>' : '  '} ${command.argv.map((arg) => JSON.stringify(arg)).join(' ')}`);
  throw new Disagreement([message, `  ours:  ${JSON.stringify(ours)}`, `  redis: ${JSON.stringify(redis)}`, 'sequence:', ...lines].join('\n'));
}

/** Field → value of an HGETALL reply (RESP2 flat array or RESP3 map); undefined for an error. */
function hashOf(reply: RespValue): Map<string, string> | undefined {
  if (!Array.isArray(reply)) return undefined;
  const items = reply[0] === '%' ? reply.slice(1) : reply;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < items.length; i += 2) map.set((items[i] as string).slice(1), (items[i + 1] as string).slice(1));
  return map;
}

function isBulk(reply: RespValue): reply is string {
  return typeof reply === 'string' && reply.startsWith('$');
}

/** Checks one server's HRANDFIELD reply against the hash before it; a complaint or null. */
function checkRandomReply(argv: string[], reply: RespValue, hash: Map<string, string>, protocol: string): string | null {
  if (argv.length === 2) {
    if (hash.size === 0) return reply === null || reply === '_' ? null : 'a missing hash gives null';
    return isBulk(reply) && hash.has(reply.slice(1)) ? null : 'not a field';
  }
  if (!Array.isArray(reply)) return 'not an array';
  const count = BigInt(argv[2]!);
  const withValues = argv.length === 4;
  const size = BigInt(hash.size);
  const expected = size === 0n ? 0n : count < 0n ? -count : count < size ? count : size;
  const entries: [string, string | undefined][] = [];
  if (withValues && protocol === '3') {
    for (const pair of reply) {
      if (!Array.isArray(pair) || pair.length !== 2 || !isBulk(pair[0]!) || !isBulk(pair[1]!)) return 'RESP3 pairs are two-element arrays';
      entries.push([pair[0].slice(1), pair[1].slice(1)]);
    }
  } else if (withValues) {
    if (reply.length % 2 !== 0) return 'RESP2 pairs are flat';
    for (let i = 0; i < reply.length; i += 2) {
      if (!isBulk(reply[i]!) || !isBulk(reply[i + 1]!)) return 'not bulk strings';
      entries.push([(reply[i] as string).slice(1), (reply[i + 1] as string).slice(1)]);
    }
  } else {
    for (const item of reply) {
      if (!isBulk(item)) return 'not bulk strings';
      entries.push([item.slice(1), undefined]);
    }
  }
  if (BigInt(entries.length) !== expected) return `expected ${expected} fields, got ${entries.length}`;
  for (const [field, value] of entries) {
    if (!hash.has(field)) return `${JSON.stringify(field)} is not a field`;
    if (value !== undefined && hash.get(field) !== value) return `wrong value for ${JSON.stringify(field)}`;
  }
  if (count > 0n && new Set(entries.map(([field]) => field)).size !== entries.length) return 'fields repeat';
  return null;
}

async function runSequence(protocol: string, prologue: string[], commands: HashDiffCommand[], ordered: boolean): Promise<void> {
  await differential.both([['FLUSHALL'], ['SELECT', '0'], ['HELLO', protocol], prologue]);
  reached.sequences++;
  const done: HashDiffCommand[] = [{ argv: prologue }];
  let batch: HashDiffCommand[] = [];
  const compareBatch = (ours: RespValue[], redis: RespValue[]): void => {
    for (let i = 0; i < batch.length; i++) {
      done.push(batch[i]!);
      if (redis[i] === '$listpack') reached.listpack++;
      if (redis[i] === '$hashtable') reached.hashtable++;
      if (!repliesAgree(batch[i]!.compare ?? EXACT, ours[i]!, redis[i]!)) fail(done, 'replies differ', ours[i]!, redis[i]!);
    }
    batch = [];
  };
  for (const command of commands) {
    if (command.random !== true) {
      batch.push(command);
      continue;
    }
    const key = command.argv[1]!;
    const [ours, redis] = await differential.both([...batch.map((c) => c.argv), ['HGETALL', key], command.argv, ['OBJECT', 'ENCODING', key]]);
    const at = batch.length;
    compareBatch(ours, redis);
    done.push({ argv: ['HGETALL', key] });
    if (!repliesAgree(ordered ? EXACT : UNORDERED, ours[at]!, redis[at]!)) fail(done, 'snapshots differ', ours[at]!, redis[at]!);
    done.push(command);
    const [ourReply, redisReply] = [ours[at + 1]!, redis[at + 1]!];
    const isError = (reply: RespValue): boolean => typeof reply === 'string' && reply.startsWith('-');
    if (isError(ourReply) || isError(redisReply)) {
      if (ourReply !== redisReply) fail(done, 'errors differ', ourReply, redisReply);
      continue;
    }
    const snapshot = hashOf(redis[at]!);
    if (snapshot === undefined) fail(done, 'no snapshot', ours[at]!, redis[at]!);
    for (const [reply, side] of [[ourReply, 'ours'], [redisReply, 'redis']] as const) {
      const complaint = checkRandomReply(command.argv, reply, snapshot, protocol);
      if (complaint !== null) fail(done, `${side}: ${complaint}`, ourReply, redisReply);
    }
    // Asked for at least the whole hash, Redis returns it in its own order: a listpack's is known.
    const count = command.argv.length > 2 ? BigInt(command.argv[2]!) : 0n;
    const listpack = redis[at + 2] === '$listpack';
    if (count >= BigInt(snapshot.size) && count > 1n && !repliesAgree(listpack ? EXACT : UNORDERED, ourReply, redisReply)) {
      fail(done, 'the whole hash differs', ourReply, redisReply);
    }
    reached.randomChecked++;
  }
  // The final state of every key: encoding, then contents, in order where Redis' is known (listpack).
  const at = batch.length;
  const final = KEYS.flatMap((key) => [['OBJECT', 'ENCODING', key], ['HGETALL', key]]);
  const [ours, redis] = await differential.both([...batch.map((c) => c.argv), ...final]);
  compareBatch(ours, redis);
  for (let i = 0; i < final.length; i += 2) {
    done.push({ argv: final[i]! });
    if (redis[at + i] === '$listpack') reached.listpack++;
    if (redis[at + i] === '$hashtable') reached.hashtable++;
    if (!repliesAgree(EXACT, ours[at + i]!, redis[at + i]!)) fail(done, 'final encodings differ', ours[at + i]!, redis[at + i]!);
    done.push({ argv: final[i + 1]! });
    const comparison = redis[at + i] === '$hashtable' ? UNORDERED : EXACT;
    if (!repliesAgree(comparison, ours[at + i + 1]!, redis[at + i + 1]!)) fail(done, 'final contents differ', ours[at + i + 1]!, redis[at + i + 1]!);
  }
}

describe('differential: hashes against redis-server', () => {
  it('the generators reach every hash command', () => {
    const names = new Set(fc.sample(sequence([...listpackHashCommands, ...hashErrors], 30), 300).flat().map((command) => command.argv[0]!.toUpperCase()));
    for (const name of ['HSET', 'HSETNX', 'HGET', 'HMGET', 'HMSET', 'HGETALL', 'HDEL', 'HEXISTS', 'HLEN', 'HSTRLEN', 'HKEYS', 'HVALS', 'HINCRBY', 'HINCRBYFLOAT', 'HRANDFIELD', 'HSCAN']) {
      expect(names.has(name), name).toBe(true);
    }
  });

  it('the runner notices a wrong random reply', () => {
    const hash = new Map([['a', '1'], ['b', '2'], ['c', '3']]);
    expect(checkRandomReply(['HRANDFIELD', 'k', '2'], ['$a', '$a'], hash, '2')).toBe('fields repeat');
    expect(checkRandomReply(['HRANDFIELD', 'k', '2'], ['$a', '$z'], hash, '2')).toContain('is not a field');
    expect(checkRandomReply(['HRANDFIELD', 'k', '-5'], ['$a'], hash, '2')).toContain('expected 5');
    expect(checkRandomReply(['HRANDFIELD', 'k', '1', 'WITHVALUES'], ['$a', '$2'], hash, '2')).toContain('wrong value');
    expect(checkRandomReply(['HRANDFIELD', 'k', '1', 'WITHVALUES'], ['$a', '$1'], hash, '3')).toContain('two-element');
    expect(checkRandomReply(['HRANDFIELD', 'k'], null, new Map(), '2')).toBeNull();
  });

  it(`${RUNS} random listpack sequences agree, order included (RESP2 and RESP3)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('2', '3'), listpackPrologue, sequence([...listpackHashCommands, ...hashErrors], 30) as fc.Arbitrary<HashDiffCommand[]>, async (protocol, prologue, commands) => {
        await runSequence(protocol, prologue, commands, true);
      }),
      { numRuns: RUNS },
    );
    expect(reached.listpack).toBeGreaterThan(RUNS / 10);
  }, 600_000);

  it(`${RUNS} random sequences with small listpack limits agree (both encodings)`, async () => {
    const before = { ...reached };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('2', '3'), mixedPrologue, sequence([...mixedHashCommands, ...hashErrors], 30) as fc.Arbitrary<HashDiffCommand[]>, async (protocol, prologue, commands) => {
        await runSequence(protocol, prologue, commands, false);
      }),
      { numRuns: RUNS },
    );
    expect(reached.hashtable - before.hashtable).toBeGreaterThan(RUNS / 10);
    expect(reached.listpack - before.listpack).toBeGreaterThan(RUNS / 20);
    expect(reached.randomChecked).toBeGreaterThan(RUNS / 2);
    console.log(`reached: ${JSON.stringify(reached)}`);
  }, 600_000);
});
