import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDouble17g } from '../../src/protocol/format.js';

/**
 * An exact reference for C's printf("%.17g"): the double's exact binary value as a fraction,
 * rounded to 17 significant digits half-to-even (glibc's rounding), then %g's layout rules.
 */
function reference17g(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent2 = (biased === 0 ? 1 : biased) - 1075;
  let numerator = exponent2 >= 0 ? mantissa << BigInt(exponent2) : mantissa;
  let denominator = exponent2 >= 0 ? 1n : 1n << BigInt(-exponent2);
  let exponent10 = Math.floor(Math.log10(Math.abs(value)));
  const pow = (n: number): bigint => 10n ** BigInt(n);
  // Correct the log10 estimate.
  const atLeast = (e: number): boolean => (e >= 0 ? numerator >= pow(e) * denominator : numerator * pow(-e) >= denominator);
  while (!atLeast(exponent10)) exponent10--;
  while (atLeast(exponent10 + 1)) exponent10++;
  const shift = 16 - exponent10;
  if (shift >= 0) numerator *= pow(shift);
  else denominator *= pow(-shift);
  let digits = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && digits % 2n === 1n)) digits++;
  if (digits === pow(17)) {
    digits /= 10n;
    exponent10++;
  }
  const text = digits.toString();
  if (exponent10 < -4 || exponent10 >= 17) {
    const mantissaText = `${text[0]}.${text.slice(1)}`.replace(/\.?0+$/, '');
    const e = Math.abs(exponent10);
    return `${sign}${mantissaText}e${exponent10 < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  let fixed: string;
  if (exponent10 === 16) return sign + text;
  if (exponent10 >= 0) fixed = `${text.slice(0, exponent10 + 1)}.${text.slice(exponent10 + 1)}`;
  else fixed = `0.${'0'.repeat(-exponent10 - 1)}${text}`;
  return sign + fixed.replace(/\.?0+$/, '');
}

describe('formatDouble17g (%.17g)', () => {
  it('matches glibc printf output for known values', () => {
    // Expected strings produced by Python's '%.17g' (glibc-compatible, correctly rounded).
    const table: [number, string][] = [
      [0.1, '0.10000000000000001'], [1 / 3, '0.33333333333333331'], [1e17, '1e+17'], [1e16, '10000000000000000'],
      [123456789012345678, '1.2345678901234568e+17'], [1e-5, '1.0000000000000001e-05'], [1e-4, '0.0001'],
      [0.0001234, '0.00012339999999999999'], [2.5, '2.5'], [100, '100'], [1e300, '1.0000000000000001e+300'],
      [5e-324, '4.9406564584124654e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-0, '-0'], [3, '3'],
      [12345678901234567890, '1.2345678901234567e+19'], [0.30000000000000004, '0.30000000000000004'], [1e21, '1e+21'],
      [99999999999999999, '1e+17'], [1e-7, '9.9999999999999995e-08'], [123.456, '123.456'], [-1.5, '-1.5'],
      [Infinity, 'inf'], [-Infinity, '-inf'], [0, '0'],
    ];
    for (const [value, expected] of table) {
      expect(formatDouble17g(value)).toBe(expected);
      expect(reference17g(value)).toBe(expected);
    }
  });

  it('fast-check: equals the exact reference and round-trips', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (value) => {
        const text = formatDouble17g(value);
        expect(text).toBe(reference17g(value));
        if (Number.isFinite(value)) expect(Object.is(Number(text), value)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('fast-check: values with few significant bits (ties at the 17th digit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: -80, max: 80 }), (mantissa, exponent) => {
        const value = mantissa * 2 ** exponent;
        expect(formatDouble17g(value)).toBe(reference17g(value));
      }),
      { numRuns: 20_000 },
    );
  });
});
