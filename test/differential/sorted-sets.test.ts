import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Differential, repliesAgree, type Comparison } from '../helpers/differential.js';
import type { RespValue } from '../helpers/resp-connection.js';
import { sequence } from './generators/common.js';
import { sortedSetArityErrors, sortedSetCommands, ZSET_MAX_LISTPACK_ENTRIES, type SortedSetDiffCommand } from './generators/sorted-sets.js';

// Random sequences of sorted-set commands (with a few set, string and keyspace commands on the
// same keys) against our server and redis-server 7.0, half of them in RESP3, every reply compared.
// ZRANDMEMBER chooses at random: the runner snapshots the zset (ZRANGE … WITHSCORES, itself
// compared) just before it and checks each server's reply against that snapshot — how many,
// distinct or not, members and scores of the zset — instead of comparing the two.
// DIFFERENTIAL_RUNS overrides the count.

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 5000);
const GENERATORS = [...sortedSetCommands, ...sortedSetArityErrors];
const EXACT: Comparison = { kind: 'exact' };

let differential: Differential;

beforeAll(async () => {
  differential = await Differential.start(['--zset-max-listpack-entries', String(ZSET_MAX_LISTPACK_ENTRIES)]);
});

afterAll(async () => {
  await differential?.stop();
});

/** [member, score] pairs of a ZRANGE … WITHSCORES reply in either protocol (scores as RESP text). */
function pairsOf(reply: RespValue, protocol: number): [string, string][] | undefined {
  if (!Array.isArray(reply)) return undefined;
  const pairs: [string, string][] = [];
  if (protocol === 3) {
    for (const pair of reply) {
      if (!Array.isArray(pair) || pair.length !== 2) return undefined;
      pairs.push([pair[0] as string, pair[1] as string]);
    }
  } else {
    for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i] as string, reply[i + 1] as string]);
  }
  return pairs;
}

/** Checks one server's ZRANDMEMBER reply against the zset's snapshot; a complaint or null. */
function checkRandom(argv: string[], reply: RespValue, snapshot: [string, string][], protocol: number): string | null {
  const scores = new Map(snapshot);
  if (argv.length === 2) return typeof reply === 'string' && scores.has(reply) ? null : 'not a member';
  const count = BigInt(argv[2]!);
  const withScores = argv.length === 4;
  const size = BigInt(snapshot.length);
  const expected = count < 0n ? -count : count < size ? count : size;
  let picked: [string, string | undefined][];
  if (withScores) {
    const pairs = pairsOf(reply, protocol);
    if (pairs === undefined) return 'not pairs';
    picked = pairs;
  } else {
    if (!Array.isArray(reply)) return 'not an array';
    picked = reply.map((item) => [item as string, undefined]);
  }
  if (BigInt(picked.length) !== expected) return `expected ${expected} members, got ${picked.length}`;
  for (const [member, score] of picked) {
    if (!scores.has(member)) return `${member} is not a member`;
    if (score !== undefined && scores.get(member) !== score) return `${member} has score ${scores.get(member)}, not ${score}`;
  }
  if (count > 0n && new Set(picked.map(([member]) => member)).size !== picked.length) return 'repeated members';
  return null;
}

function show(argv: string[]): string {
  return argv.map((arg) => JSON.stringify(arg)).join(' ');
}

/** Runs one sequence on both servers; a description of the first disagreement, or null. */
async function runSequence(commands: SortedSetDiffCommand[], protocol: number): Promise<string | null> {
  const script: string[][] = [['FLUSHALL'], ['SELECT', '0'], ['HELLO', String(protocol)]];
  const positions: number[] = [];
  for (const command of commands) {
    if (command.random === true) script.push(['ZRANGE', command.argv[1]!, '0', '-1', 'WITHSCORES']);
    positions.push(script.length);
    script.push(command.argv);
  }
  const [ours, redis] = await differential.both(script);
  const context = (index: number): string =>
    `RESP${protocol}, at command ${index}\n${commands.slice(0, index + 1).map((command, i) => `${i === index ? '>>' : '  '} ${show(command.argv)}`).join('\n')}`;
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!;
    const at = positions[i]!;
    const mine = ours[at]!;
    const theirs = redis[at]!;
    if (command.random === true) {
      const snapshotOurs = ours[at - 1]!;
      const snapshotRedis = redis[at - 1]!;
      if (!repliesAgree(EXACT, snapshotOurs, snapshotRedis)) return `zset snapshots differ before ZRANDMEMBER: ${context(i)}`;
      const snapshot = pairsOf(snapshotRedis, protocol);
      const deterministic =
        snapshot === undefined || snapshot.length === 0 || (Array.isArray(theirs) && theirs.length === 0) || (typeof theirs === 'string' && theirs.startsWith('-'));
      if (deterministic) {
        if (!repliesAgree(EXACT, mine, theirs)) return `ours ${JSON.stringify(mine)} redis ${JSON.stringify(theirs)}: ${context(i)}`;
        continue;
      }
      const complaint = checkRandom(command.argv, mine, snapshot, protocol) ?? checkRandom(command.argv, theirs, snapshot, protocol);
      if (complaint !== null) return `${complaint} (ours ${JSON.stringify(mine)}, redis ${JSON.stringify(theirs)}): ${context(i)}`;
      continue;
    }
    if (!repliesAgree(command.compare ?? EXACT, mine, theirs)) {
      return `ours ${JSON.stringify(mine)}\nredis ${JSON.stringify(theirs)}\n${context(i)}`;
    }
  }
  return null;
}

describe('differential: sorted sets against redis-server', () => {
  it('the runner notices a disagreement', async () => {
    const complaint = await runSequence([{ argv: ['ZADD', 'z', '1', 'a'] }, { argv: ['DEBUG', 'JMAP'] }], 2);
    expect(complaint).toContain('DEBUG');
  });

  it(`${RUNS} random sequences agree (RESP2 and RESP3)`, async () => {
    await fc.assert(
      fc.asyncProperty(sequence(GENERATORS), fc.constantFrom(2, 3), async (commands: SortedSetDiffCommand[], protocol: number) => {
        const complaint = await runSequence(commands, protocol);
        if (complaint !== null) throw new Error(complaint);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
