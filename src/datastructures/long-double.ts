/**
 * Exact emulation of the x87 80-bit `long double` that Redis' INCRBYFLOAT computes in on x86-64:
 * glibc's strtold (correctly rounded, round-half-even), one correctly rounded addition, and
 * printf("%.17Lf") (the exact decimal expansion, rounded half-even to 17 places). JS doubles give
 * different text (0.1 + 0.2 is 0.3 here, as in Redis), so everything is done on BigInt.
 *
 * A finite value is sign × mantissa × 2^exponent, mantissa < 2^64 (the format's explicit 64-bit
 * significand). The exponent of the last mantissa bit ranges from -16445 (the smallest
 * subnormal, 2^-16445) to 16320 (the largest finite value is (2^64 - 1) × 2^16320).
 */
export interface LongDouble {
  readonly negative: boolean;
  /** Only `infinite` or a finite mantissa/exponent pair: NaN is never produced or accepted. */
  readonly infinite: boolean;
  readonly mantissa: bigint;
  readonly exponent: number;
}

const MANTISSA_BITS = 64;
const MIN_LSB_EXPONENT = -16445;
const MAX_LSB_EXPONENT = 16320;
/** Redis' MAX_LONG_DOUBLE_CHARS: string2ld refuses a text this long or longer. */
const MAX_TEXT_LENGTH = 5 * 1024;

const ZERO: LongDouble = { negative: false, infinite: false, mantissa: 0n, exponent: 0 };
const PLUS_INFINITY: LongDouble = { negative: false, infinite: true, mantissa: 0n, exponent: 0 };
const MINUS_INFINITY: LongDouble = { negative: true, infinite: true, mantissa: 0n, exponent: 0 };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY_TEXT = /^([+-]?)inf(?:inity)?$/i;

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return hex.length * 4 - Math.clz32(parseInt(hex[0]!, 16)) + 28;
}

/**
 * Rounds sign × (n + ε) × 2^e to the format, round-half-even; `sticky` says the true value is a
 * little above n (an inexact division), which breaks ties upwards. Overflow gives infinity,
 * underflow zero.
 */
function round(negative: boolean, n: bigint, e: number, sticky: boolean): LongDouble {
  if (n === 0n) return negative ? { ...ZERO, negative } : ZERO;
  let lsb = Math.max(e + bitLength(n) - MANTISSA_BITS, MIN_LSB_EXPONENT);
  let mantissa: bigint;
  const shift = lsb - e;
  if (shift <= 0) {
    mantissa = n << BigInt(-shift);
  } else {
    const bigShift = BigInt(shift);
    mantissa = n >> bigShift;
    const remainder = n - (mantissa << bigShift);
    const half = 1n << (bigShift - 1n);
    if (remainder > half || (remainder === half && (sticky || (mantissa & 1n) === 1n))) mantissa++;
    if (mantissa >> BigInt(MANTISSA_BITS) !== 0n) {
      mantissa >>= 1n;
      lsb++;
    }
  }
  if (mantissa === 0n) return negative ? { ...ZERO, negative } : ZERO;
  if (lsb > MAX_LSB_EXPONENT) return negative ? MINUS_INFINITY : PLUS_INFINITY;
  return { negative, infinite: false, mantissa, exponent: lsb };
}

function parseDecimal(negative: boolean, whole: string, fraction: string, exponentText: string | undefined): LongDouble | undefined {
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return negative ? { ...ZERO, negative } : ZERO;
  // A huge exponent text is clamped: anything beyond these bounds is decided by the checks below.
  const exponent = exponentText === undefined ? 0 : Math.max(-1e6, Math.min(1e6, Number(exponentText)));
  const scale = exponent - fraction.length;
  // The value lies in [10^(magnitude-1), 10^magnitude): far outside the format's range there is
  // no need to compute (and strtold reports ERANGE, which Redis rejects).
  const magnitude = digits.length + scale;
  if (magnitude > 4934) return undefined;
  if (magnitude < -4952) return undefined;
  const d = BigInt(digits);
  if (scale >= 0) return round(negative, d * 10n ** BigInt(scale), 0, false);
  const divisor = 10n ** BigInt(-scale);
  // Enough quotient bits for the 64-bit mantissa plus the rounding bit; the rest is sticky.
  const extra = Math.max(0, MANTISSA_BITS + 2 + bitLength(divisor) - bitLength(d));
  const numerator = d << BigInt(extra);
  const quotient = numerator / divisor;
  return round(negative, quotient, -extra, quotient * divisor !== numerator);
}

function parseHex(negative: boolean, whole: string, fraction: string, exponentText: string | undefined): LongDouble | undefined {
  const digits = whole + fraction;
  const n = BigInt('0x' + digits);
  if (n === 0n) return negative ? { ...ZERO, negative } : ZERO;
  const exponent = exponentText === undefined ? 0 : Math.max(-1e6, Math.min(1e6, Number(exponentText)));
  const e = exponent - 4 * fraction.length;
  const top = bitLength(n) + e;
  if (top > 16385 || top < -16500) return undefined;
  return round(negative, n, e, false);
}

/**
 * Redis' string2ld: the whole text must be what strtold reads (decimal, hex float, inf/infinity;
 * no leading space, no NaN), shorter than 5120 bytes, and must not overflow or underflow to zero
 * (strtold's ERANGE). Returns undefined when Redis would answer "value is not a valid float".
 */
export function parseLongDouble(text: string): LongDouble | undefined {
  if (text.length === 0 || text.length >= MAX_TEXT_LENGTH) return undefined;
  let match = DECIMAL.exec(text);
  if (match !== null) {
    const whole = match[2]!;
    const fraction = match[3] ?? '';
    if (whole === '' && fraction === '') return undefined;
    const value = parseDecimal(match[1] === '-', whole, fraction, match[4]);
    return value === undefined || value.infinite || (value.mantissa === 0n && /[1-9]/.test(whole + fraction)) ? undefined : value;
  }
  match = HEX.exec(text);
  if (match !== null) {
    const whole = match[2]!;
    const fraction = match[3] ?? '';
    if (whole === '' && fraction === '') return undefined;
    const value = parseHex(match[1] === '-', whole, fraction, match[4]);
    return value === undefined || value.infinite || (value.mantissa === 0n && /[1-9a-fA-F]/.test(whole + fraction)) ? undefined : value;
  }
  match = INFINITY_TEXT.exec(text);
  if (match !== null) return match[1] === '-' ? MINUS_INFINITY : PLUS_INFINITY;
  return undefined;
}

/** a + b correctly rounded, as one x87 FADD; undefined when the sum is NaN or infinite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.infinite || b.infinite) return undefined;
  if (a.mantissa === 0n) return b.mantissa === 0n ? { ...ZERO, negative: a.negative && b.negative } : b;
  if (b.mantissa === 0n) return a;
  const e = Math.min(a.exponent, b.exponent);
  const na = a.mantissa << BigInt(a.exponent - e);
  const nb = b.mantissa << BigInt(b.exponent - e);
  const sum = (a.negative ? -na : na) + (b.negative ? -nb : nb);
  // An exact zero is +0 in round-to-nearest.
  if (sum === 0n) return ZERO;
  const result = round(sum < 0n, sum < 0n ? -sum : sum, e, false);
  return result.infinite ? undefined : result;
}

const FRACTION_DIGITS = 17;
const FRACTION_SCALE = 10n ** BigInt(FRACTION_DIGITS);

/**
 * Redis' ld2string in LD_STR_HUMAN mode: printf("%.17Lf"), then trailing zeros and a trailing
 * '.' removed, and "-0" written "0".
 */
export function formatLongDouble(value: LongDouble): string {
  if (value.infinite) return value.negative ? '-inf' : 'inf';
  let integerPart: bigint;
  let fractionPart: bigint;
  if (value.exponent >= 0) {
    integerPart = value.mantissa << BigInt(value.exponent);
    fractionPart = 0n;
  } else {
    const shift = BigInt(-value.exponent);
    const scaled = value.mantissa * FRACTION_SCALE;
    let rounded = scaled >> shift;
    const remainder = scaled - (rounded << shift);
    const half = 1n << (shift - 1n);
    if (remainder > half || (remainder === half && (rounded & 1n) === 1n)) rounded++;
    integerPart = rounded / FRACTION_SCALE;
    fractionPart = rounded % FRACTION_SCALE;
  }
  let text = integerPart.toString();
  if (fractionPart !== 0n) text += '.' + fractionPart.toString().padStart(FRACTION_DIGITS, '0').replace(/0+$/, '');
  if (value.negative && text !== '0') text = '-' + text;
  return text;
}

/** Adds and formats as INCRBYFLOAT does; undefined when the sum is NaN or infinite. */
export function incrementLongDouble(current: LongDouble, increment: LongDouble): string | undefined {
  const sum = addLongDouble(current, increment);
  return sum === undefined ? undefined : formatLongDouble(sum);
}
