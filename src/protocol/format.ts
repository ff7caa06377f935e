// Number formatting as Redis prints numbers.

/** C's "%.17g", which Redis 7.0 uses for double replies (ZSCORE, INCRBYFLOAT in RESP3 …). */
export function formatDouble17g(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponential = value.toExponential(16);
  const ePosition = exponential.indexOf('e');
  const exponent = Number(exponential.slice(ePosition + 1));
  if (exponent < -4 || exponent >= 17) {
    let mantissa = exponential.slice(0, ePosition);
    if (mantissa.includes('.')) mantissa = mantissa.replace(/\.?0+$/, '');
    const sign = exponent < 0 ? '-' : '+';
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${mantissa}e${sign}${digits}`;
  }
  let fixed = value.toFixed(Math.max(0, 16 - exponent));
  if (fixed.includes('.')) fixed = fixed.replace(/\.?0+$/, '');
  return fixed;
}
