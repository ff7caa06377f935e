import fc from 'fast-check';
import { command, integer, key, keys, optional, options, token, value, weighted, type Weighted } from './common.js';

// List commands (the non-blocking ones) with every option and the argument errors, over a small
// key space shared with strings so WRONGTYPE and key deletion on emptying are exercised.
// Elements come mostly from a tiny alphabet so LPOS, LREM and LINSERT find matches.

const element = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', '1', '-1', '') },
  { weight: 1, arbitrary: value },
);
const elements = (max: number): fc.Arbitrary<string[]> => fc.array(element, { minLength: 1, maxLength: max });

/** Indexes: mostly inside a short list, from either end, plus the limits and invalid spellings. */
const index = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -12, max: 12 }).map(String) }, { weight: 1, arbitrary: integer });
const popCount = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 8 }).map(String) }, { weight: 1, arbitrary: integer });
const end = fc.oneof({ weight: 8, arbitrary: token('LEFT', 'RIGHT') }, { weight: 1, arbitrary: fc.constantFrom('MIDDLE', '', 'LEFTX') });

const lposOptions = options([
  fc.tuple(token('RANK'), fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -4, max: 4 }).map(String) }, { weight: 1, arbitrary: integer })),
  fc.tuple(token('COUNT'), fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 4 }).map(String) }, { weight: 1, arbitrary: integer })),
  fc.tuple(token('MAXLEN'), fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 6 }).map(String) }, { weight: 1, arbitrary: integer })),
  fc.constantFrom(['RANK'], ['BOGUS'], ['COUNT']),
], 3);

/** LMPOP: a numkeys mostly matching the keys given, sometimes not; then LEFT|RIGHT and COUNT. */
const lmpopArguments = fc
  .tuple(
    keys(1, 3),
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: -2, max: 2 }) },
      { weight: 1, arbitrary: fc.constantFrom('abc', '9223372036854775807', '-9223372036854775808', '01') },
    ),
    end,
    options([
      fc.tuple(token('COUNT'), fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 6 }).map(String) }, { weight: 1, arbitrary: integer })),
      fc.constantFrom(['COUNT'], ['BOGUS']),
    ], 2),
  )
  .map(([chosen, skew, where, rest]) => [typeof skew === 'string' ? skew : String(chosen.length + skew), ...chosen, where, ...rest]);

export const listCommands: Weighted[] = [
  weighted(6, command('RPUSH', key, elements(5))),
  weighted(6, command('LPUSH', key, elements(5))),
  weighted(2, command('LPUSHX', key, elements(3))),
  weighted(2, command('RPUSHX', key, elements(3))),
  weighted(3, command('LPOP', key, optional(popCount.map((c) => [c])))),
  weighted(3, command('RPOP', key, optional(popCount.map((c) => [c])))),
  weighted(1, command('LPOP', key, popCount, popCount)),
  weighted(3, command('LLEN', key)),
  weighted(4, command('LRANGE', key, index, index)),
  weighted(2, command('LINDEX', key, index)),
  weighted(2, command('LSET', key, index, element)),
  weighted(2, command('LINSERT', key, fc.oneof({ weight: 8, arbitrary: token('BEFORE', 'AFTER') }, { weight: 1, arbitrary: fc.constant('AROUND') }), element, element)),
  weighted(2, command('LREM', key, fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -3, max: 3 }).map(String) }, { weight: 1, arbitrary: integer }), element)),
  weighted(2, command('LTRIM', key, index, index)),
  weighted(3, command('LPOS', key, element, lposOptions)),
  weighted(2, command('LMOVE', key, key, end, end)),
  weighted(2, command('RPOPLPUSH', key, key)),
  weighted(2, command('LMPOP', lmpopArguments)),
];

/** Other types' commands on the same keys: WRONGTYPE both ways, and keys replaced by strings. */
export const listNeighbours: Weighted[] = [
  weighted(2, command('SET', key, value)),
  weighted(1, command('GET', key)),
  weighted(1, command('APPEND', key, value)),
];

/** The arity edge cases, rarely. */
export const listArityErrors: Weighted[] = [
  weighted(1, fc.constantFrom(['LPUSH', 'a'], ['RPUSH'], ['LPOP'], ['RPOP', 'a', '1', '2'], ['LRANGE', 'a', '0'], ['LINSERT', 'a', 'BEFORE', 'x'], ['LMOVE', 'a', 'b', 'LEFT'], ['LMPOP', '1', 'a'], ['LPOS', 'a'], ['RPOPLPUSH', 'a']).map((argv) => ({ argv }))),
];
