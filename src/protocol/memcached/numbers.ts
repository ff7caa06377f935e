// memcached reads every number of a command line through util.c's safe_strto* wrappers around the
// C library's strtol/strtoul/strtoull: leading whitespace and a sign are accepted, the number must
// end the token or be followed by whitespace, out-of-range values fail (ERANGE), and a negative
// number is refused by the unsigned forms only when its wrapped value looks negative as a signed
// one. These functions reproduce those rules so every reply matches memcached's. They return
// undefined where memcached's function returns false.

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;
const TWO_32 = 1n << 32n;
const TWO_31 = 1n << 31n;

/** C isspace: space, \t, \n, \v, \f, \r. */
export function isCSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

// The last scan's result, kept in module state so the common short numbers allocate nothing.
let scannedNegative = false;
let scannedDigits = '';

/** strtoull's scan: false when no digit was read or the token goes on after the number. */
function scan(text: string): boolean {
  let i = 0;
  const length = text.length;
  while (i < length && isCSpace(text.charCodeAt(i))) i++;
  scannedNegative = false;
  const sign = text.charCodeAt(i);
  if (sign === 45 || sign === 43) {
    scannedNegative = sign === 45;
    i++;
  }
  const start = i;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) break;
    i++;
  }
  if (i === start) return false;
  // Anything after the digits must be whitespace (endptr points at a space or the token's end).
  if (i < length && !isCSpace(text.charCodeAt(i))) return false;
  scannedDigits = start === 0 && i === length ? text : text.slice(start, i);
  return true;
}

/** safe_strtoull: a 64-bit unsigned value (as a bigint). */
export function strtoull(text: string): bigint | undefined {
  if (!scan(text)) return undefined;
  const magnitude = BigInt(scannedDigits);
  if (magnitude >= TWO_64) return undefined;
  if (!scannedNegative) return magnitude;
  const wrapped = (TWO_64 - magnitude) % TWO_64;
  // strtoull negates in unsigned arithmetic; safe_strtoull refuses it only when it looks negative signed.
  return wrapped >= TWO_63 ? undefined : wrapped;
}

/** safe_strtoul into a uint32_t (flags): the unsigned long is truncated to 32 bits. */
export function strtoul32(text: string): number | undefined {
  if (!scan(text)) return undefined;
  if (!scannedNegative && scannedDigits.length <= 15) return Number(scannedDigits) % 4294967296;
  const value = strtoull(text);
  return value === undefined ? undefined : Number(value % TWO_32);
}

/** safe_strtol into an int32_t (exptimes, lengths): strtol's long range, then truncated to 32 bits. */
export function strtol32(text: string): number | undefined {
  if (!scan(text)) return undefined;
  if (scannedDigits.length <= 15) {
    const value = scannedNegative ? -Number(scannedDigits) : Number(scannedDigits);
    return value | 0;
  }
  const magnitude = BigInt(scannedDigits);
  const signed = scannedNegative ? -magnitude : magnitude;
  if (signed >= TWO_63 || signed < -TWO_63) return undefined;
  let low = ((signed % TWO_32) + TWO_32) % TWO_32;
  if (low >= TWO_31) low -= TWO_32;
  return Number(low);
}
