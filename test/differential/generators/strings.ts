import fc from 'fast-check';
import {
  command, float, integer, key, keys, optional, options, smallNatural, token, ttlMilliseconds, ttlSeconds,
  unixMilliseconds, unixSeconds, value, weighted, type Weighted,
} from './common.js';

// String commands, including the bit operations, with every option of SET/GETEX/LCS/BITFIELD.
// Offsets stay clear of the 512MB limit's valid side: Redis would allocate the whole string.

const expiry = fc.oneof(
  fc.tuple(token('EX'), ttlSeconds),
  fc.tuple(token('PX'), ttlMilliseconds),
  fc.tuple(token('EXAT'), unixSeconds),
  fc.tuple(token('PXAT'), unixMilliseconds),
);

const setOptions = options([
  token('NX', 'XX').map((t) => [t]),
  token('GET').map((t) => [t]),
  token('KEEPTTL').map((t) => [t]),
  expiry,
], 3);

const getexOptions = options([expiry, token('PERSIST').map((t) => [t])], 2);

const offset = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 64 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('-1', '536870912', '4294967296', 'abc') });
const bitOffset = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 200 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('-1', '4294967296', 'abc', '1.0') });
const range = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -12, max: 12 }).map(String) }, { weight: 1, arbitrary: integer });
const bit = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('0', '1') }, { weight: 1, arbitrary: fc.constantFrom('2', '-1', 'a', '') });
const unit = optional(token('BYTE', 'BIT').map((t) => [t]));

const bitfieldType = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('i8', 'u8', 'i16', 'u16', 'i5', 'u1', 'i1', 'i64', 'u63', 'u3', 'i32') }, { weight: 1, arbitrary: fc.constantFrom('u64', 'i65', 'x8', 'i0', 'u', '') });
const bitfieldOffset = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 100 }).map(String) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => `#${n}`) }, { weight: 1, arbitrary: fc.constantFrom('-1', '#-1', 'abc', '4294967296') });
const bitfieldOperation = fc.oneof(
  fc.tuple(token('GET'), bitfieldType, bitfieldOffset),
  fc.tuple(token('SET'), bitfieldType, bitfieldOffset, integer),
  fc.tuple(token('INCRBY'), bitfieldType, bitfieldOffset, integer),
  fc.tuple(token('OVERFLOW'), fc.oneof(token('WRAP', 'SAT', 'FAIL'), fc.constant('BAD'))),
);

export const stringCommands: Weighted[] = [
  weighted(6, command('SET', key, value, setOptions)),
  weighted(3, command('GET', key)),
  weighted(1, command('SETNX', key, value)),
  weighted(1, command('SETEX', key, ttlSeconds, value)),
  weighted(1, command('PSETEX', key, ttlMilliseconds, value)),
  weighted(1, command('GETSET', key, value)),
  weighted(1, command('GETDEL', key)),
  weighted(2, command('GETEX', key, getexOptions)),
  weighted(1, command('MGET', keys(1, 4))),
  weighted(1, command('MSET', fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((pairs) => pairs.flat()))),
  weighted(1, command('MSETNX', fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((pairs) => pairs.flat()))),
  weighted(2, command('APPEND', key, value)),
  weighted(1, command('STRLEN', key)),
  weighted(1, command('GETRANGE', key, range, range)),
  weighted(1, command('SUBSTR', key, range, range)),
  weighted(1, command('SETRANGE', key, offset, value)),
  weighted(2, command('INCR', key)),
  weighted(1, command('DECR', key)),
  weighted(2, command('INCRBY', key, integer)),
  weighted(1, command('DECRBY', key, integer)),
  weighted(2, command('INCRBYFLOAT', key, float)),
  weighted(1, command('LCS', key, key, options([
    token('LEN').map((t) => [t]),
    token('IDX').map((t) => [t]),
    fc.tuple(token('MINMATCHLEN'), fc.oneof(smallNatural, integer)),
    token('WITHMATCHLEN').map((t) => [t]),
  ], 3))),
  weighted(2, command('SETBIT', key, bitOffset, bit)),
  weighted(1, command('GETBIT', key, bitOffset)),
  weighted(1, command('BITCOUNT', key, optional(fc.tuple(range, range, unit).map(([a, b, u]) => [a, b, ...u])))),
  weighted(1, command('BITPOS', key, bit, optional(fc.tuple(range, optional(fc.tuple(range, unit).map(([b, u]) => [b, ...u]))).map(([a, rest]) => [a, ...rest])))),
  weighted(1, command('BITOP', fc.oneof(token('AND', 'OR', 'XOR', 'NOT'), fc.constant('NAND')), key, keys(1, 3))),
  weighted(1, command('BITFIELD', key, fc.array(bitfieldOperation, { maxLength: 4 }).map((ops) => ops.flat()))),
  weighted(1, command('BITFIELD_RO', key, fc.array(fc.tuple(token('GET'), bitfieldType, bitfieldOffset), { maxLength: 3 }).map((ops) => ops.flat()))),
];

/** Only the arity edge cases, rarely: a command name with too few arguments. */
export const stringArityErrors: Weighted[] = [
  weighted(1, fc.constantFrom(['GET'], ['SET', 'a'], ['SETEX', 'a', '100'], ['INCRBY', 'a'], ['GETRANGE', 'a', '0'], ['BITOP', 'AND', 'd'], ['LCS', 'a'], ['MSET', 'a'], ['MSET', 'a', '1', 'b']).map((argv) => ({ argv }))),
];
