import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Differential, describeMismatch, type DiffCommand, type Mismatch } from '../helpers/differential.js';
import { sequence } from './generators/common.js';
import { expireCommands, keyspaceCommands } from './generators/keyspace.js';
import { listArityErrors, listCommands, listNeighbours } from './generators/lists.js';

// Random sequences of list commands (with a few keyspace, TTL and string commands on the same
// keys) against our server and redis-server 7.0, every reply compared (test/helpers/differential.ts).
// DIFFERENTIAL_RUNS overrides the count; DIFFERENTIAL_REPORT=1 collects every distinct disagreement.

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 5000);
const REPORT = process.env.DIFFERENTIAL_REPORT === '1';
const KEYSPACE = keyspaceCommands.filter((generator) => ['DEL', 'EXISTS', 'TYPE', 'RENAME', 'COPY', 'OBJECT', 'MOVE'].includes(fc.sample(generator.arbitrary, 1)[0]!.argv[0]!.toUpperCase()));
const EXPIRY = expireCommands.filter((generator) => ['EXPIRE', 'TTL', 'PERSIST'].includes(fc.sample(generator.arbitrary, 1)[0]!.argv[0]!.toUpperCase()));
const GENERATORS = [...listCommands, ...listCommands, ...listNeighbours, ...listArityErrors, ...KEYSPACE, ...EXPIRY];

let differential: Differential;

beforeAll(async () => {
  differential = await Differential.start();
});

afterAll(async () => {
  await differential?.stop();
});

describe('differential: lists against redis-server', () => {
  it('the generators reach every list command', () => {
    const names = new Set(fc.sample(sequence(GENERATORS, 40), 300).flat().map((command) => command.argv[0]!.toUpperCase()));
    for (const name of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LPOP', 'RPOP', 'LLEN', 'LRANGE', 'LINDEX', 'LSET', 'LINSERT', 'LREM', 'LTRIM', 'LPOS', 'LMOVE', 'RPOPLPUSH', 'LMPOP']) {
      expect(names.has(name), name).toBe(true);
    }
  });

  it.skipIf(REPORT)(`${RUNS} random sequences agree`, async () => {
    await fc.assert(
      fc.asyncProperty(sequence(GENERATORS, 40), async (commands: DiffCommand[]) => {
        await differential.check(commands);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);

  it('the same sequences agree in RESP3 (null shapes of LPOP, LMPOP, LPOS)', async () => {
    await differential.both([['HELLO', '3']]);
    try {
      await fc.assert(
        fc.asyncProperty(sequence(listCommands, 25), async (commands: DiffCommand[]) => {
          await differential.check(commands);
        }),
        { numRuns: Math.ceil(RUNS / 5), endOnFailure: true },
      );
    } finally {
      await differential.both([['HELLO', '2']]);
    }
  }, 600_000);

  it.runIf(REPORT)('report every distinct disagreement', async () => {
    const found = new Map<string, { sequence: DiffCommand[]; mismatch: Mismatch }>();
    for (const commands of fc.sample(sequence(GENERATORS, 40), RUNS)) {
      const mismatch = await differential.run(commands);
      if (mismatch === null) continue;
      const name = mismatch.index < 0 ? 'connection' : mismatch.command[0]!.toUpperCase();
      const known = found.get(name);
      if (known !== undefined && known.sequence.length <= 3) continue;
      const minimal = await differential.minimise(commands, mismatch);
      if (known === undefined || minimal.sequence.length < known.sequence.length) found.set(name, minimal);
    }
    for (const [name, { sequence: minimal, mismatch }] of found) console.log(`=== ${name}\n${describeMismatch(minimal, mismatch)}\n`);
    console.log(`${found.size} commands disagree: ${[...found.keys()].join(', ')}`);
  }, 1_800_000);
});
