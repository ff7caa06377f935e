import fc from 'fast-check';
import type { Comparison, DiffCommand } from '../../helpers/differential.js';
import { command, compared, integer, key, keys, options, token, ttlSeconds, value, weighted, type Weighted } from './common.js';

// Hash commands with every option and argument error, over the small key space shared with
// strings and lists (WRONGTYPE, deletion of an emptied hash, TTLs kept by in-place writes).
//
// Two families. "listpack" sequences keep the default hash-max-listpack-* and only short fields
// and values, so every hash stays listpack and Redis' order (insertion order) is compared exactly.
// "mixed" sequences start with small limits (or the defaults plus HSETs of ~500 fields), so hashes
// convert to hashtable; there HGETALL/HKEYS/HVALS/HSCAN are compared as sets, as Redis' dict
// order is its own.

/** HRANDFIELD picks at random: the hashes test checks it against a snapshot instead of Redis' reply. */
export interface HashDiffCommand extends DiffCommand {
  random?: boolean;
}

const UNORDERED: Comparison = { kind: 'unordered' };
const SCAN: Comparison = { kind: 'scan' };

const fieldName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('f', 'g', 'h', 'a', '1', '', 'field:1', 'x\0y', 'num') },
  { weight: 1, arbitrary: value },
);
const shortField = fieldName.filter((text) => text.length <= 64);
const shortValue = value.filter((text) => text.length <= 64);

/** Increments: modest sizes in the listpack family, so a sum never outgrows 64 bytes there. */
const floatIncrement = (wide: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('0', '1', '-1', '0.1', '1.5', '-2.5', '1e3', '1e-3', '5.0e3', '3.0', '10.50', '.5', '5.', '0x10', 'inf', '-inf', '+inf', 'nan', 'abc', '', ' 1', '1 ', '1e20', '-0') },
    { weight: 2, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => String(d)) },
    { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
    { weight: wide ? 1 : 0, arbitrary: fc.constantFrom('1e308', '-1e308', '1e400', '1e4931', '1.5e-300') },
  );

/** Counts of HRANDFIELD: around the sizes of the hashes, plus the range limits Redis checks. */
const randomCount = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -12, max: 12 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '600') });
const pattern = fc.constantFrom('*', 'f', '?', 'f*', '[fg]', '[^f]*', '*:*', 'x*', '', 'nomatch');

function pairs(field: fc.Arbitrary<string>, val: fc.Arbitrary<string>, max: number): fc.Arbitrary<string[]> {
  return fc.array(fc.tuple(field, val), { minLength: 1, maxLength: max }).map((list) => list.flat());
}

function hashGenerators(mixed: boolean): Weighted[] {
  const field = mixed ? fieldName : shortField;
  const val = mixed ? value : shortValue;
  const fields = (max: number): fc.Arbitrary<string[]> => fc.array(field, { minLength: 1, maxLength: max });
  const order = (cmd: fc.Arbitrary<DiffCommand>): fc.Arbitrary<DiffCommand> => (mixed ? compared(UNORDERED, cmd) : cmd);
  const scanCount = mixed ? fc.constantFrom('10000') : fc.constantFrom('1', '2', '10', '1000');
  const generators: Weighted[] = [
    weighted(8, command('HSET', key, pairs(field, val, 4))),
    weighted(2, command('HMSET', key, pairs(field, val, 3))),
    weighted(3, command('HSETNX', key, field, val)),
    weighted(4, command('HGET', key, field)),
    weighted(2, command('HMGET', key, fields(4))),
    weighted(4, command('HDEL', key, fields(3))),
    weighted(2, command('HEXISTS', key, field)),
    weighted(2, command('HLEN', key)),
    weighted(2, command('HSTRLEN', key, field)),
    weighted(3, order(command('HGETALL', key))),
    weighted(2, order(command('HKEYS', key))),
    weighted(2, order(command('HVALS', key))),
    weighted(4, command('HINCRBY', key, field, integer)),
    weighted(4, command('HINCRBYFLOAT', key, field, floatIncrement(mixed))),
    weighted(3, command('HRANDFIELD', key).map((cmd): HashDiffCommand => ({ ...cmd, random: true }))),
    weighted(4, command('HRANDFIELD', key, randomCount, fc.oneof(fc.constant([]), token('WITHVALUES').map((t) => [t]))).map((cmd): HashDiffCommand => ({ ...cmd, random: true }))),
    // A hashtable is walked in Redis' bucket order: only a COUNT that covers it is comparable.
    weighted(3, mixed
      ? compared(SCAN, command('HSCAN', key, fc.constant('0'), options([fc.tuple(token('MATCH'), pattern)], 1), fc.tuple(token('COUNT'), scanCount)))
      : command('HSCAN', key, fc.constant('0'), options([fc.tuple(token('MATCH'), pattern), fc.tuple(token('COUNT'), scanCount)], 2))),
    weighted(3, command('OBJECT', token('ENCODING'), key)),
    weighted(1, command('TYPE', key)),
    weighted(2, command('DEL', keys(1, 2))),
    weighted(1, command('EXISTS', keys(1, 3))),
    weighted(2, command('EXPIRE', key, ttlSeconds)),
    weighted(1, compared({ kind: 'tolerance', tolerance: 1 }, command('TTL', key))),
    weighted(1, command('PERSIST', key)),
    weighted(1, command('RENAME', key, key)),
    weighted(1, command('COPY', key, key)),
    weighted(1, command('SET', key, val)),
    weighted(1, command('GET', key)),
    weighted(1, command('RPUSH', key, val)),
  ];
  if (mixed) {
    // Around the default 512 entries, in one HSET (run with the default limits).
    generators.push(weighted(1, command('HSET', key, fc.integer({ min: 500, max: 520 }).map((n) => Array.from({ length: n }, (_, i) => [`f${i}`, String(i)]).flat()))));
  }
  return generators;
}

/** Argument and option errors, checked before or after the key lookup exactly as Redis does. */
export const hashErrors: Weighted[] = [
  weighted(1, command('HSET', key, fc.constantFrom(['f'], ['f', 'v', 'g'], ['f', 'v', 'g', 'w', 'h']))),
  weighted(1, command('HMSET', key, fc.constantFrom(['f'], ['f', 'v', 'g']))),
  weighted(1, command('HGET', key)),
  weighted(1, command('HGET', key, fc.constant(['f', 'g']))),
  weighted(1, command('HSETNX', key, fc.constant('f'))),
  weighted(1, command('HDEL', key)),
  weighted(1, command('HLEN', fc.constant([]))),
  weighted(1, command('HGETALL', key, fc.constant('x'))),
  weighted(1, command('HINCRBY', key, fc.constant('f'))),
  weighted(1, command('HINCRBY', key, fc.constant('f'), fc.constantFrom('1.5', 'x', '', '9223372036854775808'))),
  weighted(1, command('HINCRBYFLOAT', key, fc.constant('f'), fc.constantFrom('x', '1e5000', 'nan', 'inf', ''))),
  weighted(1, command('HRANDFIELD', key, fc.constantFrom(['x'], ['1', 'x'], ['1', 'WITHVALUES', 'x'], ['-9223372036854775808'], ['9223372036854775807', 'WITHVALUES'], ['-4611686018427387904', 'WITHVALUES'], ['4611686018427387904', 'withvalues'], ['', 'WITHVALUES'], ['1.5']))),
  weighted(1, command('HSCAN', key, fc.constantFrom(['abc'], [' 1'], ['0', 'COUNT', '0'], ['0', 'COUNT', 'x'], ['0', 'TYPE', 'hash'], ['0', 'MATCH'], ['0', 'BOGUS', '1'], ['18446744073709551616']))),
  weighted(1, command('HSCAN', key)),
];

export const listpackHashCommands = hashGenerators(false);
export const mixedHashCommands = hashGenerators(true);

/** The CONFIG SET that starts a sequence of each family. */
export const listpackPrologue: fc.Arbitrary<string[]> = fc.constant(['CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'hash-max-listpack-value', '64']);
export const mixedPrologue: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 12 })).map(([entries, length]) => ['CONFIG', 'SET', 'hash-max-listpack-entries', String(entries), 'hash-max-listpack-value', String(length)]) },
  { weight: 1, arbitrary: listpackPrologue },
);
