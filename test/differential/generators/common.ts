import fc from 'fast-check';
import type { Comparison, DiffCommand } from '../../helpers/differential.js';

// Building blocks shared by every command group's generators: a small key space so commands
// collide, values and numbers chosen to hit Redis' parsing and encoding edges.

export type Weighted = { arbitrary: fc.Arbitrary<DiffCommand>; weight: number };

export const KEYS = ['a', 'b', 'c', 'key:1', 'bin\0\r\n\xff'];
export const key = fc.constantFrom(...KEYS);
export const keys = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(key, { minLength: min, maxLength: max });

const byte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));

/** Values: numbers in every spelling Redis treats differently, short/long/binary text. */
export const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', '0', '1', '-1', '10', '123', '007', ' 1', '1 ', '+1', '-0', '1.5', '-2.25', '3e2', '0x1f', 'inf', '-inf', 'nan', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '4294967296', 'hello', 'Hello World', 'foo\0bar', '\r\n', 'abcabcabc') },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', '1'), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: byte, maxLength: 20 }) },
  // Around the embstr/raw boundary (44 bytes) and a little beyond.
  { weight: 1, arbitrary: fc.integer({ min: 40, max: 70 }).map((n) => 'v'.repeat(n)) },
);

/** Integer arguments: small numbers mostly, plus the limits and the invalid spellings. */
export const integer = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -20, max: 20 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '4294967296', '1.5', 'abc', '', ' 1', '01', '-0', '+1', '0x10', '1e3') },
);

export const smallNatural = fc.integer({ min: 0, max: 40 }).map(String);

/** Float arguments for INCRBYFLOAT and friends. */
export const float = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('0', '1', '-1', '0.1', '1.5', '-2.5', '1e3', '1e-3', '5.0e3', '3.0', '10.50', '.5', '5.', '0x10', 'inf', '-inf', '+inf', 'nan', 'abc', '', ' 1', '1 ', '1e308', '-1e308', '1e400', '17179869184', '1.7976931348623157e308') },
  { weight: 2, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => String(d)) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
);

/** Relative TTLs: far enough that nothing expires during a run, or invalid / zero / negative. */
export const ttlSeconds = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1000, max: 1_000_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('0', '-1', '-100', 'abc', '1.5', '', '9223372036854775807', '9223372036854776', '-9223372036854775808', '4611686018427387904') },
);

export const ttlMilliseconds = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1_000_000, max: 1_000_000_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('0', '-1', 'abc', '9223372036854775807', '-9223372036854775808') },
);

const nowSeconds = Math.floor(Date.now() / 1000);

/** Absolute unix times: well in the future, in the past (expires at once), or invalid. */
export const unixSeconds = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: nowSeconds + 1000, max: nowSeconds + 1_000_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('1', '0', '-1', String(nowSeconds - 1000), 'abc', '9223372036854775807') },
);

export const unixMilliseconds = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: (nowSeconds + 1000) * 1000, max: (nowSeconds + 1_000_000) * 1000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('1', '0', '-1', String((nowSeconds - 1000) * 1000), 'abc', '9223372036854775807') },
);

/** Randomly upper/lower-cases an option token: Redis matches options case-insensitively. */
export function token(...names: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...names), fc.boolean()).map(([name, lower]) => (lower ? name.toLowerCase() : name));
}

/** A command from a name and argument arbitraries (each yields one argument or a list of them). */
export function command(name: string, ...args: fc.Arbitrary<string | string[]>[]): fc.Arbitrary<DiffCommand> {
  return fc.tuple(...args).map((values) => ({ argv: [name, ...values.flat()] }));
}

export function compared(comparison: Comparison, arbitrary: fc.Arbitrary<DiffCommand>): fc.Arbitrary<DiffCommand> {
  return arbitrary.map((cmd) => ({ ...cmd, compare: comparison }));
}

/** An optional group of arguments. */
export function optional(arbitrary: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> {
  return fc.option(arbitrary, { nil: undefined }).map((value) => value ?? []);
}

/** Option groups in random order and number (duplicates and conflicts included, as errors to compare). */
export function options(groups: fc.Arbitrary<string[]>[], maxLength = 3): fc.Arbitrary<string[]> {
  return fc.array(fc.oneof(...groups), { maxLength }).map((chosen) => chosen.flat());
}

export function weighted(weight: number, arbitrary: fc.Arbitrary<DiffCommand>): Weighted {
  return { arbitrary, weight };
}

/** A sequence of commands drawn from the given weighted generators. */
export function sequence(generators: Weighted[], maxLength = 25): fc.Arbitrary<DiffCommand[]> {
  return fc.array(fc.oneof(...generators), { minLength: 1, maxLength });
}
