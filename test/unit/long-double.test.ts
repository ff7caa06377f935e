import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../../src/datastructures/long-double.js';

// The x87 long double emulation behind INCRBYFLOAT. The expected texts come from glibc itself
// (strtold, an 80-bit addition and printf "%.17Lf" with Redis' trimming) on x86-64, the same
// computation real Redis does; test/integration/strings.test.ts compares with redis-server.

/** What INCRBYFLOAT stores: ERRFLOAT for "not a valid float", ERRNAN for a NaN/Infinity sum. */
function incrbyfloat(current: string | undefined, increment: string): string {
  const a = parseLongDouble(current ?? '0');
  const b = parseLongDouble(increment);
  if (a === undefined || b === undefined) return 'ERRFLOAT';
  const sum = addLongDouble(a, b);
  return sum === undefined ? 'ERRNAN' : formatLongDouble(sum);
}

const GLIBC_VECTORS: [string | undefined, string, string][] = [
  [undefined, '0.1', '0.1'],
  ['0.1', '0.2', '0.3'],
  ['10.5', '0.1', '10.6'],
  ['1000.1', '0', '1000.09999999999999998'],
  ['5.0e3', '2.0e2', '5200'],
  [undefined, '-5', '-5'],
  ['1e4932', '1e4932', 'ERRNAN'],
  ['1.18973149535723176502e+4932', '1e4913', 'ERRNAN'],
  [undefined, '1e4933', 'ERRFLOAT'],
  [undefined, '1e-4960', 'ERRFLOAT'],
  [undefined, '3.6e-4951', '0'],
  [undefined, '2e-18', '0'],
  // 2^-18 and 2^-23 end exactly half-way at the 17th decimal: printf rounds half to even.
  [undefined, '3.814697265625e-6', '0.00000381469726562'],
  [undefined, '1.1920928955078125e-7', '0.00000011920928955'],
  [undefined, '-0.000000000000000001', '0'],
  [undefined, '0x1p-3', '0.125'],
  [undefined, '0X1.8P1', '3'],
  [undefined, '0x.8', '0.5'],
  [undefined, '.5', '0.5'],
  [undefined, '5.', '5'],
  [undefined, '+5', '5'],
  [undefined, '-0', '0'],
  [undefined, 'inf', 'ERRNAN'],
  [undefined, '-Infinity', 'ERRNAN'],
  [undefined, 'nan', 'ERRFLOAT'],
  [undefined, '1e', 'ERRFLOAT'],
  [undefined, '0x', 'ERRFLOAT'],
  ['9007199254740993', '0.5', '9007199254740993.5'],
  ['18446744073709551615', '0', '18446744073709551615'],
  ['18446744073709551617', '0', '18446744073709551616'],
  ['36893488147419103231', '0', '36893488147419103232'],
  ['12345678901234567890.123', '0.001', '12345678901234567890'],
  ['-3.5', '3.5', '0'],
  ['0.30000000000000000001', '1', '1.3'],
  ['1e19', '1', '10000000000000000001'],
  ['3.14159265358979323846264338327950288', '0', '3.14159265358979324'],
  ['-1.0000000000000000000000000001', '1', '0'],
  ['0.00000000000000000500000000000000001', '0', '0.00000000000000001'],
  ['0.000000000000000005', '0', '0'],
  ['0.000000000000000015', '0', '0.00000000000000002'],
  ['0.000000000000000025', '0', '0.00000000000000002'],
  [
    undefined,
    '1e300',
    '1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144',
  ],
];

describe('long double emulation', () => {
  it.each(GLIBC_VECTORS)('%s + %s gives %s as glibc does', (current, increment, expected) => {
    expect(incrbyfloat(current, increment)).toBe(expected);
  });

  it('refuses what strtold does not read entirely, and texts of 5120 bytes or more', () => {
    for (const text of ['', ' 1', '1 ', '1\0', '.', 'e5', '+', '-', '1e+', '0x1p', 'infinit', 'nan(1)', '1,5', '１']) {
      expect(parseLongDouble(text)).toBeUndefined();
    }
    expect(parseLongDouble('0'.repeat(5118) + '1')).toBeDefined();
    expect(parseLongDouble('0'.repeat(5119) + '1')).toBeUndefined();
    expect(parseLongDouble('1'.repeat(5000))).toBeUndefined();
  });

  it('holds exact binary values exactly', () => {
    expect(parseLongDouble('0.5')).toEqual({ negative: false, infinite: false, mantissa: 1n << 63n, exponent: -64 });
    expect(parseLongDouble('18446744073709551615')).toEqual({ negative: false, infinite: false, mantissa: 2n ** 64n - 1n, exponent: 0 });
    expect(formatLongDouble(parseLongDouble('-1234.5')!)).toBe('-1234.5');
  });

  const decimal = fc
    .tuple(fc.boolean(), fc.stringMatching(/^\d{1,25}$/), fc.stringMatching(/^\d{0,25}$/), fc.integer({ min: -60, max: 60 }))
    .map(([negative, whole, fraction, exponent]) => `${negative ? '-' : ''}${whole}.${fraction}e${exponent}`);

  it('formats a text that parses back to the same text (what INCRBYFLOAT stores is reusable)', () => {
    fc.assert(
      fc.property(decimal, (text) => {
        const printed = formatLongDouble(parseLongDouble(text)!);
        expect(formatLongDouble(parseLongDouble(printed)!)).toBe(printed);
      }),
      { numRuns: 2000 },
    );
  });

  it('adds commutatively, with zero as identity and x + -x = 0', () => {
    fc.assert(
      fc.property(decimal, decimal, (x, y) => {
        const a = parseLongDouble(x)!;
        const b = parseLongDouble(y)!;
        expect(addLongDouble(a, b)).toEqual(addLongDouble(b, a));
        expect(formatLongDouble(addLongDouble(a, parseLongDouble('0')!)!)).toBe(formatLongDouble(a));
        expect(formatLongDouble(addLongDouble(a, { ...a, negative: !a.negative })!)).toBe('0');
      }),
      { numRuns: 2000 },
    );
  });

  /** p / 2^shift written out exactly (p × 5^shift / 10^shift): String() of a double may round. */
  function exactDecimal(p: number, shift: number): string {
    const digits = (BigInt(Math.abs(p)) * 5n ** BigInt(shift)).toString().padStart(shift + 1, '0');
    return `${p < 0 ? '-' : ''}${digits.slice(0, digits.length - shift)}.${digits.slice(digits.length - shift)}`;
  }

  it('agrees with double arithmetic where doubles are exact (small dyadic values)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 0, max: 16 }), (p, q, shift) => {
        const sum = addLongDouble(parseLongDouble(exactDecimal(p, shift))!, parseLongDouble(exactDecimal(q, shift))!)!;
        expect(Number(formatLongDouble(sum))).toBe(p / 2 ** shift + q / 2 ** shift);
      }),
      { numRuns: 1000 },
    );
  });
});
