import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Differential, describeMismatch, type DiffCommand, type Mismatch } from '../helpers/differential.js';
import { sequence } from './generators/common.js';
import { stringArityErrors, stringCommands } from './generators/strings.js';
import { expireCommands, keyspaceCommands } from './generators/keyspace.js';

// Random sequences of string, keyspace and TTL commands against our server and redis-server 7.0,
// every reply compared (see test/helpers/differential.ts). DIFFERENTIAL_RUNS overrides the count;
// DIFFERENTIAL_REPORT=1 instead collects every distinct disagreement and prints it;
// DIFFERENTIAL_EXCLUDE=SCAN,OBJECT leaves commands out (to see what a known disagreement hides).

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 5000);
const REPORT = process.env.DIFFERENTIAL_REPORT === '1';
const EXCLUDED = new Set((process.env.DIFFERENTIAL_EXCLUDE ?? '').toUpperCase().split(',').filter((name) => name !== ''));
// Each generator makes one command, so excluding drops whole generators (filtering their output would never end).
const GENERATORS = [...stringCommands, ...stringArityErrors, ...keyspaceCommands, ...expireCommands].filter(
  (generator) => !EXCLUDED.has(fc.sample(generator.arbitrary, 1)[0]!.argv[0]!.toUpperCase()),
);

let differential: Differential;

beforeAll(async () => {
  differential = await Differential.start();
});

afterAll(async () => {
  await differential?.stop();
});

describe('differential: strings, keyspace and TTL against redis-server', () => {
  it('the harness itself notices a disagreement', async () => {
    // A command only one side knows makes the replies differ; the harness must say so.
    const mismatch = await differential.run([{ argv: ['SET', 'a', '1'] }, { argv: ['GET', 'a'] }, { argv: ['DEBUG', 'JMAP'] }]);
    expect(mismatch?.index).toBe(2);
    expect(describeMismatch([{ argv: ['DEBUG', 'JMAP'] }], mismatch!)).toContain('redis:');
  });

  it.skipIf(REPORT)(`${RUNS} random sequences agree`, async () => {
    await fc.assert(
      fc.asyncProperty(sequence(GENERATORS), async (commands: DiffCommand[]) => {
        await differential.check(commands);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);

  it.runIf(REPORT)('report every distinct disagreement', async () => {
    const found = new Map<string, { sequence: DiffCommand[]; mismatch: Mismatch }>();
    const samples = fc.sample(sequence(GENERATORS), RUNS);
    for (const commands of samples) {
      const mismatch = await differential.run(commands);
      if (mismatch === null) continue;
      const name = mismatch.index < 0 ? 'connection' : mismatch.command.slice(0, 1).join(' ').toUpperCase();
      const known = found.get(name);
      if (known !== undefined && known.sequence.length <= 3) continue;
      const minimal = await differential.minimise(commands, mismatch);
      if (known === undefined || minimal.sequence.length < known.sequence.length) found.set(name, minimal);
    }
    for (const [name, { sequence: minimal, mismatch }] of found) {
      console.log(`=== ${name}\n${describeMismatch(minimal, mismatch)}\n`);
    }
    console.log(`${found.size} commands disagree: ${[...found.keys()].join(', ')}`);
  }, 1_800_000);
});
