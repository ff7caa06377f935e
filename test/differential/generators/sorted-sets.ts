import fc from 'fast-check';
import type { DiffCommand } from '../../helpers/differential.js';
import { command, compared, integer, optional, options, token, weighted, type Weighted } from './common.js';

// Sorted-set commands with every option, on a few keys that collide: zsets, a plain set (a valid
// input to ZUNION/ZINTER/ZDIFF) and a string (WRONGTYPE). Members are short so lex ranges meet,
// sometimes long (past zset-max-listpack-value) and sometimes many at once (past the entries
// limit, set low for the run) so both encodings are exercised.

/** zset-max-listpack-entries for the differential run: low, so skiplist zsets are frequent. */
export const ZSET_MAX_LISTPACK_ENTRIES = 16;

const zkey = fc.constantFrom('z', 'y', 'x', 'w');
/**
 * Lex ranges assume equal scores; with mixed scores Redis' answer for a skiplist depends on its
 * random levels. The lex commands therefore work on 'l', which only ever gets score 0 (and on
 * 'none'/'str' for the missing-key and WRONGTYPE answers).
 */
const lexKey = fc.oneof({ weight: 6, arbitrary: fc.constant('l') }, { weight: 1, arbitrary: fc.constantFrom('str', 'none') });
const anyKey = fc.oneof({ weight: 6, arbitrary: zkey }, { weight: 1, arbitrary: fc.constantFrom('set', 'str', 'none') });

const member = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'aa', 'ab', 'b\0', '', '\xff', 'B') },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => 'm'.repeat(n)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }).map((n) => `n${n}`) },
);
const members = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(member, { minLength: min, maxLength: max });

const score = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -5, max: 5 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom('0.5', '-1.5', '0.1', '0.2', '0.3', '1e3', '2.5e-3', 'inf', '-inf', '+inf', '-0', '3.0', '0x10', '1e308', '-1e308', '123456789.123456789') },
  { weight: 1, arbitrary: fc.constantFrom('nan', 'abc', '', ' 1', '1 ', '1e400', '1e-400', '(1', 'inFinity', '4.9e-324') },
  { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => String(d)) },
);

const scorePairs = (min: number, max: number): fc.Arbitrary<string[]> =>
  fc.array(fc.tuple(score, member), { minLength: min, maxLength: max }).map((pairs) => pairs.flat());

/** A ZADD of many members at once, past the listpack entry limit. */
const manyPairs = fc.integer({ min: 10, max: 30 }).chain((n) =>
  fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }).map((scores) => scores.flatMap((s, i) => [String(s), `n${i}`])),
);

const scoreBound = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('', '', '('), fc.integer({ min: -6, max: 6 })).map(([p, n]) => `${p}${n}`) },
  { weight: 3, arbitrary: fc.constantFrom('-inf', '+inf', 'inf', '(-inf', '(+inf', '(inf', '0.5', '(0.5', '-0', '1e400') },
  { weight: 1, arbitrary: fc.constantFrom('', '(', 'nan', 'abc', ' 1', '1 ', '[1', '((1', '0x2') },
);

const lexBound = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('[', '('), fc.constantFrom('a', 'b', 'c', 'd', 'aa', '', 'b\0', 'z', 'n1')).map(([p, m]) => p + m) },
  { weight: 3, arbitrary: fc.constantFrom('-', '+') },
  { weight: 1, arbitrary: fc.constantFrom('a', '--', '++', '', '{a') },
);

const rank = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -8, max: 8 }).map(String) }, { weight: 1, arbitrary: integer });
const count = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -3, max: 8 }).map(String) }, { weight: 1, arbitrary: integer });
const limit = fc.tuple(token('LIMIT'), fc.oneof(fc.integer({ min: -2, max: 6 }).map(String), integer), fc.oneof(fc.integer({ min: -2, max: 6 }).map(String), integer));
const weight = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('1', '2', '0', '-1', '0.5', 'inf', '-inf') }, { weight: 1, arbitrary: fc.constantFrom('abc', 'nan', '') });

const zaddOptions = options([token('NX', 'XX', 'GT', 'LT', 'CH', 'INCR').map((t) => [t])], 3);

const rangeOptions = options([
  token('WITHSCORES').map((t) => [t]),
  token('REV').map((t) => [t]),
  token('BYSCORE', 'BYLEX').map((t) => [t]),
  limit,
], 3);

/** ZRANGE's three forms (source key and range), with bounds that suit each (and sometimes not). */
const zrangeArguments = fc.oneof(
  fc.tuple(anyKey, rank, rank, options([token('WITHSCORES').map((t) => [t]), token('REV').map((t) => [t]), limit], 2)).map(([k, a, b, o]) => [k, a, b, ...o]),
  fc.tuple(anyKey, scoreBound, scoreBound, token('BYSCORE'), rangeOptions).map(([k, a, b, t, o]) => [k, a, b, t, ...o]),
  fc.tuple(lexKey, lexBound, lexBound, token('BYLEX'), rangeOptions).map(([k, a, b, t, o]) => [k, a, b, t, ...o]),
);

/** numkeys, the keys, then the set-operation options. */
function setOperation(withScores: boolean, weights: boolean): fc.Arbitrary<string[]> {
  return fc.array(anyKey, { minLength: 1, maxLength: 3 }).chain((keys) =>
    fc.tuple(
      fc.oneof({ weight: 8, arbitrary: fc.constant(String(keys.length)) }, { weight: 1, arbitrary: fc.constantFrom('0', '-1', '4', 'x') }),
      options([
        ...(weights ? [fc.tuple(token('WEIGHTS'), fc.array(weight, { minLength: keys.length, maxLength: keys.length })).map(([t, w]) => [t, ...w])] : []),
        ...(weights ? [fc.tuple(token('AGGREGATE'), fc.oneof(token('SUM', 'MIN', 'MAX'), fc.constant('AVG'))).map((p) => [...p])] : []),
        ...(withScores ? [token('WITHSCORES').map((t) => [t])] : []),
        fc.constant(['FOO']),
      ], 2),
    ).map(([numkeys, opts]) => [numkeys, ...keys, ...opts]),
  );
}

export interface SortedSetDiffCommand extends DiffCommand {
  /** ZRANDMEMBER: checked against the zset's contents rather than compared. */
  random?: boolean;
}

const zrandmember: fc.Arbitrary<SortedSetDiffCommand> = fc
  .tuple(anyKey, optional(fc.tuple(count, optional(token('WITHSCORES').map((t) => [t]))).map(([c, w]) => [c, ...w])))
  .map(([key, rest]) => ({ argv: ['ZRANDMEMBER', key, ...rest], random: true }));

export const sortedSetCommands: Weighted[] = [
  weighted(10, command('ZADD', anyKey, zaddOptions, scorePairs(1, 4))),
  weighted(2, command('ZADD', zkey, manyPairs)),
  weighted(4, command('ZADD', fc.constant('l'), fc.array(member, { minLength: 1, maxLength: 6 }).map((ms) => ms.flatMap((m) => ['0', m])))),
  weighted(1, command('ZADD', fc.constant('l'), fc.integer({ min: 10, max: 30 }).map((n) => Array.from({ length: n }, (_, i) => ['0', `n${i}`]).flat()))),
  weighted(1, command('ZREM', fc.constant('l'), members(1, 4))),
  weighted(1, command('ZPOPMIN', fc.constant('l'), optional(count.map((c) => [c])))),
  weighted(1, command('ZADD', anyKey, zaddOptions, fc.array(fc.oneof(score, member), { maxLength: 3 }))),
  weighted(3, command('ZINCRBY', anyKey, score, member)),
  weighted(2, command('ZSCORE', anyKey, member)),
  weighted(1, command('ZMSCORE', anyKey, members(1, 4))),
  weighted(2, command('ZCARD', anyKey)),
  weighted(2, command('ZCOUNT', anyKey, scoreBound, scoreBound)),
  weighted(2, command('ZLEXCOUNT', lexKey, lexBound, lexBound)),
  weighted(2, command('ZRANK', anyKey, member)),
  weighted(1, command('ZREVRANK', anyKey, member)),
  weighted(6, command('ZRANGE', zrangeArguments)),
  weighted(2, command('ZRANGEBYSCORE', anyKey, scoreBound, scoreBound, options([token('WITHSCORES').map((t) => [t]), limit], 2))),
  weighted(2, command('ZREVRANGEBYSCORE', anyKey, scoreBound, scoreBound, options([token('WITHSCORES').map((t) => [t]), limit], 2))),
  weighted(2, command('ZRANGEBYLEX', lexKey, lexBound, lexBound, optional(limit.map((l) => [...l])))),
  weighted(2, command('ZREVRANGEBYLEX', lexKey, lexBound, lexBound, optional(limit.map((l) => [...l])))),
  weighted(2, command('ZREVRANGE', anyKey, rank, rank, optional(token('WITHSCORES').map((t) => [t])))),
  weighted(2, command('ZRANGESTORE', anyKey, zrangeArguments)),
  weighted(3, command('ZREM', anyKey, members(1, 4))),
  weighted(1, command('ZREMRANGEBYRANK', anyKey, rank, rank)),
  weighted(1, command('ZREMRANGEBYSCORE', anyKey, scoreBound, scoreBound)),
  weighted(1, command('ZREMRANGEBYLEX', lexKey, lexBound, lexBound)),
  weighted(2, command('ZPOPMIN', anyKey, optional(count.map((c) => [c])))),
  weighted(2, command('ZPOPMAX', anyKey, optional(count.map((c) => [c])))),
  weighted(2, command('ZMPOP', fc.array(anyKey, { minLength: 1, maxLength: 3 }).chain((keys) =>
    fc.tuple(
      fc.oneof({ weight: 8, arbitrary: fc.constant(String(keys.length)) }, { weight: 1, arbitrary: fc.constantFrom('0', '5', 'x') }),
      fc.oneof({ weight: 8, arbitrary: token('MIN', 'MAX') }, { weight: 1, arbitrary: fc.constant('LEFT') }),
      optional(fc.tuple(token('COUNT'), count).map((c) => [...c])),
    ).map(([n, where, c]) => [n, ...keys, where, ...c]),
  ))),
  weighted(2, zrandmember),
  weighted(2, command('ZUNION', setOperation(true, true))),
  weighted(2, command('ZINTER', setOperation(true, true))),
  weighted(2, command('ZDIFF', setOperation(true, false))),
  weighted(2, command('ZUNIONSTORE', anyKey, setOperation(false, true))),
  weighted(2, command('ZINTERSTORE', anyKey, setOperation(false, true))),
  weighted(1, command('ZDIFFSTORE', anyKey, setOperation(false, false))),
  weighted(1, command('ZINTERCARD', fc.array(anyKey, { minLength: 1, maxLength: 3 }).chain((keys) =>
    fc.tuple(fc.constant(String(keys.length)), optional(fc.tuple(token('LIMIT'), count).map((l) => [...l]))).map(([n, l]) => [n, ...keys, ...l]),
  ))),
  // COUNT large enough that Redis finishes a skiplist zset in one call too, so cursors agree.
  weighted(1, compared({ kind: 'scan' }, command('ZSCAN', anyKey, fc.constant('0'), optional(fc.tuple(token('MATCH'), fc.constantFrom('*', 'a*', '[a-c]', 'n1*')).map((m) => [...m])), fc.constant(['COUNT', '1000'])))),
  weighted(3, command('OBJECT', fc.constant('ENCODING'), anyKey)),
  weighted(1, command('SADD', fc.constant('set'), members(1, 3))),
  weighted(1, command('SET', fc.constant('str'), fc.constant('v'))),
  weighted(1, command('EXPIRE', anyKey, fc.constant('1000'))),
  weighted(1, compared({ kind: 'tolerance', tolerance: 1 }, command('TTL', anyKey))),
  weighted(1, command('DEL', anyKey)),
  weighted(1, command('TYPE', anyKey)),
];

/** Arity errors, rarely. */
export const sortedSetArityErrors: Weighted[] = [
  weighted(1, fc.constantFrom(['ZADD', 'z'], ['ZINCRBY', 'z', '1'], ['ZRANGE', 'z', '0'], ['ZPOPMIN'], ['ZMPOP', '1'], ['ZUNION', '1'], ['ZRANDMEMBER'], ['ZSCAN', 'z']).map((argv) => ({ argv }))),
];
