// Number formatting as Redis prints numbers.

/** C's "%.17g", which Redis 7.0 uses for double replies (ZSCORE, INCRBYFLOAT in RESP3 …). */
export function formatDouble17g(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // Integers below 2^53 print exactly in both (all their digits, fewer than 17): the common case
  // of scores, and far cheaper than the general path.
  if (Number.isSafeInteger(value)) return String(value);
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  // "d.dddddddddddddddde±X": the 17 significant digits, correctly rounded except on exact ties.
  const exponential = magnitude.toExponential(16);
  const ePosition = exponential.indexOf('e');
  let digits = exponential[0]! + exponential.slice(2, ePosition);
  const exponent = Number(exponential.slice(ePosition + 1));
  if (exponential.charCodeAt(ePosition - 1) & 1 && isHalfwayTie(magnitude, digits)) {
    // On an exact tie JavaScript rounds up, glibc's printf to even: the even neighbour is below.
    digits = digits.slice(0, 16) + String.fromCharCode(digits.charCodeAt(16) - 1);
  }
  let text: string;
  if (exponent < -4 || exponent >= 17) {
    const fraction = stripZeros(digits.slice(1));
    const absolute = exponent < 0 ? -exponent : exponent;
    text = `${digits[0]}${fraction === '' ? '' : `.${fraction}`}e${exponent < 0 ? '-' : '+'}${absolute < 10 ? '0' : ''}${absolute}`;
  } else if (exponent >= 0) {
    const fraction = stripZeros(digits.slice(exponent + 1));
    text = fraction === '' ? digits.slice(0, exponent + 1) : `${digits.slice(0, exponent + 1)}.${fraction}`;
  } else {
    text = `0.${'0'.repeat(-exponent - 1)}${stripZeros(digits)}`;
  }
  return negative ? `-${text}` : text;
}

/**
 * Whether `magnitude` lies exactly halfway between the 17-digit value below `digits` (which ends
 * in an odd digit) and `digits`: its exact decimal expansion is those 16 digits, the even digit
 * below, then a single 5.
 */
function isHalfwayTie(magnitude: number, digits: string): boolean {
  const eighteen = magnitude.toExponential(17);
  if (eighteen.charCodeAt(18) !== 53) return false;
  const lower = digits.slice(0, 16) + String.fromCharCode(digits.charCodeAt(16) - 1);
  if (eighteen[0]! + eighteen.slice(2, 18) !== lower) return false;
  const long = magnitude.toExponential(100);
  for (let i = 19; i < 102; i++) if (long.charCodeAt(i) !== 48) return false;
  return true;
}

function stripZeros(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 48) end--;
  return text.slice(0, end);
}
