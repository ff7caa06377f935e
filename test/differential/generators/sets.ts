import fc from 'fast-check';
import type { DiffCommand } from '../../helpers/differential.js';
import { command, compared, optional, options, token, ttlSeconds, value, weighted, type Weighted } from './common.js';

// Set commands. Servers run with a small set-max-intset-entries (SET_MAX_INTSET_ENTRIES) so the
// intset → hashtable conversion by size happens often; members are mostly small integers (intset
// material) with the spellings Redis does not take as integers mixed in.
//
// SPOP and SRANDMEMBER pick at random: they carry `random`, and the sets differential test checks
// them by membership and count against a snapshot of the set, then puts our server back in step.

export const SET_MAX_INTSET_ENTRIES = 6;

export interface SetDiffCommand extends DiffCommand {
  random?: 'spop' | 'srandmember';
}

const UNORDERED = { kind: 'unordered' } as const;

/** Few keys, so commands meet the same sets often; one binary-safe name among them. */
const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 1, arbitrary: fc.constant('bin\0\r\n\xff') });
const keys = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(key, { minLength: min, maxLength: max });

const member = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -4, max: 14 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('a', 'b', 'c', 'hello') },
  { weight: 1, arbitrary: fc.constantFrom('', '01', '-0', '+1', ' 1', '1.0', '9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x\0\r\n\xff', 'v'.repeat(50)) },
);
const members = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(member, { minLength: min, maxLength: max });
/** Integers only, few enough distinct ones that a set often stays an intset. */
const intMembers = fc.array(fc.integer({ min: -3, max: 8 }).map(String), { minLength: 1, maxLength: 4 });

const count = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -12, max: 25 }).map(String) },
  // Not -9223372036854775807: SRANDMEMBER would make Redis build 2^63 replies and die.
  { weight: 1, arbitrary: fc.constantFrom('0', '-0', 'x', '', '1.5', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '+3', '03') },
);

const pattern = fc.constantFrom('*', '1*', '?', '-*', '[ab]*', 'a', '*\0*', '[1-3]', 'nomatch', '');

/** numkeys for SINTERCARD: mostly right, sometimes too big, zero, negative or not a number. */
const sintercard = fc
  .tuple(keys(1, 4), fc.integer({ min: -1, max: 2 }), fc.constantFrom('', '', '', 'x', '0', '-1'), optional(fc.tuple(token('LIMIT'), count)))
  .map(([names, skew, broken, limit]) => ({ argv: ['SINTERCARD', broken !== '' ? broken : String(names.length + (skew === 2 ? 0 : skew)), ...names, ...limit] }));

export const setCommands: Weighted[] = [
  weighted(6, command('SADD', key, members(1, 6))),
  weighted(6, command('SADD', key, intMembers)),
  weighted(3, command('SREM', key, members(1, 4))),
  weighted(2, command('SREM', key, intMembers)),
  weighted(2, command('SISMEMBER', key, member)),
  weighted(2, command('SMISMEMBER', key, members(1, 4))),
  weighted(2, command('SCARD', key)),
  weighted(3, compared(UNORDERED, command('SMEMBERS', key))),
  weighted(3, command('SPOP', key, optional(count.map((n) => [n]))).map((cmd): SetDiffCommand => ({ ...cmd, random: 'spop' }))),
  // Counts near a small set's size: Redis then keeps a few members and rebuilds the set.
  weighted(2, command('SPOP', key, fc.integer({ min: 3, max: 9 }).map(String)).map((cmd): SetDiffCommand => ({ ...cmd, random: 'spop' }))),
  weighted(1, command('SPOP', key, count, count)),
  weighted(3, command('SRANDMEMBER', key, optional(count.map((n) => [n]))).map((cmd): SetDiffCommand => ({ ...cmd, random: 'srandmember' }))),
  weighted(1, command('SRANDMEMBER', key, count, count)),
  weighted(3, command('SMOVE', key, key, member)),
  weighted(2, compared(UNORDERED, command('SINTER', keys(1, 3)))),
  weighted(2, sintercard),
  weighted(2, compared(UNORDERED, command('SUNION', keys(1, 3)))),
  weighted(2, compared(UNORDERED, command('SDIFF', keys(1, 4)))),
  weighted(2, command('SINTERSTORE', key, keys(1, 3))),
  weighted(2, command('SUNIONSTORE', key, keys(1, 3))),
  weighted(2, command('SDIFFSTORE', key, keys(1, 4))),
  // Always a COUNT above the set's size: with less, where Redis' dict scan stops depends on its hashing.
  weighted(2, compared({ kind: 'scan' }, command('SSCAN', key, fc.constant('0'), options([fc.tuple(token('MATCH'), pattern)], 2), fc.tuple(token('COUNT'), fc.constantFrom('100', '1000')), optional(fc.tuple(token('MATCH'), pattern))))),
  weighted(1, command('SSCAN', key, fc.constantFrom('x', ' 1', '1x', '18446744073709551616', '-1x'), fc.constant([]))),
  weighted(1, command('SSCAN', key, fc.constant('0'), fc.oneof(fc.tuple(token('COUNT'), fc.constantFrom('0', '-1', 'x')), fc.constant(['MATCH']), fc.constant(['TYPE', 'set']), fc.constant(['NOVALUES'])))),
  weighted(6, command('OBJECT', fc.constant('ENCODING'), key)),
  weighted(1, command('TYPE', key)),
  weighted(1, command('EXISTS', key)),
  weighted(1, command('DEL', key)),
  weighted(1, command('SET', key, value)),
  weighted(1, command('EXPIRE', key, ttlSeconds)),
  weighted(1, compared({ kind: 'tolerance', tolerance: 1 }, command('TTL', key))),
  weighted(1, command('SINTERCARD', fc.constantFrom('1', '2'), fc.constant([]))),
];

/**
 * A fresh set of 6 to 14 members, then an SPOP that leaves one or two: Redis' "case 3", which
 * rebuilds the set from the members kept (an intset again when they are all integers).
 */
export const spopMostOfASet: fc.Arbitrary<SetDiffCommand[]> = fc
  .tuple(key, fc.uniqueArray(fc.oneof(fc.integer({ min: -20, max: 40 }).map(String), fc.constantFrom('a', 'b', 'c', 'd')), { minLength: 6, maxLength: 14 }), fc.integer({ min: 1, max: 2 }))
  .map(([name, fresh, kept]) => [
    { argv: ['DEL', name] },
    { argv: ['SADD', name, ...fresh] },
    { argv: ['SPOP', name, String(fresh.length - kept)], random: 'spop' },
  ]);

/** Wrong argument counts: the arity error, checked before anything else. */
export const setArityErrors: Weighted[] = [
  weighted(1, command('SADD', key)),
  weighted(1, command('SREM', key)),
  weighted(1, command('SISMEMBER', key, fc.constant([]))),
  weighted(1, command('SISMEMBER', key, member, member)),
  weighted(1, command('SMISMEMBER', key)),
  weighted(1, command('SCARD', fc.constant([]))),
  weighted(1, command('SMEMBERS', key, key)),
  weighted(1, command('SPOP', fc.constant([]))),
  weighted(1, command('SRANDMEMBER', fc.constant([]))),
  weighted(1, command('SMOVE', key, key)),
  weighted(1, command('SINTER', fc.constant([]))),
  weighted(1, command('SINTERSTORE', key)),
  weighted(1, command('SSCAN', key)),
  weighted(1, command('SINTERCARD', fc.constant([]))),
];
