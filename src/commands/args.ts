import { CommandError, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_SYNTAX } from '../protocol/errors.js';

// Argument parsing shared by every command, with Redis' exact acceptance rules.

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Redis' string2ll: an optional '-', then digits with no leading zero ("0" alone is fine),
 * nothing else (no '+', no spaces), within the signed 64-bit range. Returns a number when it is
 * exactly representable, a bigint beyond 2^53, undefined when the text is not such an integer.
 */
export function parseInt64(text: string): number | bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  let i = 0;
  const negative = text.charCodeAt(0) === 45;
  if (negative) {
    if (length === 1) return undefined;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return length === 1 ? 0 : undefined;
  if (first < 49 || first > 57) return undefined;
  let value = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    value = value * 10 + (c - 48);
  }
  if (value <= Number.MAX_SAFE_INTEGER) return negative ? -value : value;
  const big = BigInt(text);
  return big > INT64_MAX || big < INT64_MIN ? undefined : big;
}

/** An integer argument; beyond 2^53 it is approximated, which only matters to range clamps. */
export function intArg(text: string, error: string = ERR_NOT_INTEGER): number {
  const value = parseInt64(text);
  if (value === undefined) throw new CommandError(error);
  return typeof value === 'number' ? value : Number(value);
}

/** An integer argument that must be exact over the whole signed 64-bit range. */
export function int64Arg(text: string, error: string = ERR_NOT_INTEGER): number | bigint {
  const value = parseInt64(text);
  if (value === undefined) throw new CommandError(error);
  return value;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?$/;

/**
 * Redis' string2d / strtod rules: the whole text must be a number (decimal, hex float, inf or
 * infinity), no leading space, and never NaN. Returns undefined when it is not.
 */
export function parseFloat64(text: string): number | undefined {
  if (text.length === 0) return undefined;
  if (DECIMAL.test(text)) return Number(text);
  if (INFINITY.test(text)) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (HEX.test(text)) return parseHexFloat(text);
  return undefined;
}

function parseHexFloat(text: string): number {
  const negative = text.charCodeAt(0) === 45;
  const body = text.replace(/^[+-]?0[xX]/, '');
  const [mantissaText, exponentText] = body.split(/[pP]/) as [string, string | undefined];
  const [whole, fraction = ''] = mantissaText.split('.') as [string, string | undefined];
  let value = 0;
  for (const digit of (whole ?? '') + fraction) value = value * 16 + parseInt(digit, 16);
  value *= Math.pow(2, (exponentText ? Number(exponentText) : 0) - 4 * fraction.length);
  return negative ? -value : value;
}

export function floatArg(text: string, error: string = ERR_NOT_FLOAT): number {
  const value = parseFloat64(text);
  if (value === undefined) throw new CommandError(error);
  return value;
}

/** Case-insensitive match of an option token (NX, WITHSCORES…); `upper` is given in upper case. */
export function isToken(text: string, upper: string): boolean {
  return text.length === upper.length && (text === upper || text.toUpperCase() === upper);
}

export function syntaxError(): never {
  throw new CommandError(ERR_SYNTAX);
}

/**
 * A cursor over argv for commands with options. Errors are thrown as CommandError, so a handler
 * reads its arguments straight through and dispatch reports the first problem.
 */
export class ArgReader {
  private index: number;

  constructor(private readonly argv: readonly string[], start: number) {
    this.index = start;
  }

  get remaining(): number {
    return this.argv.length - this.index;
  }

  hasMore(): boolean {
    return this.index < this.argv.length;
  }

  /** The next argument; a missing one is a syntax error, as Redis reports for a dangling option. */
  next(): string {
    if (this.index >= this.argv.length) syntaxError();
    return this.argv[this.index++]!;
  }

  nextInt(error?: string): number {
    return intArg(this.next(), error);
  }

  nextFloat(error?: string): number {
    return floatArg(this.next(), error);
  }

  /** Consumes the next argument when it is the token, case-insensitively. */
  accept(upper: string): boolean {
    if (this.index < this.argv.length && isToken(this.argv[this.index]!, upper)) {
      this.index++;
      return true;
    }
    return false;
  }

  /** The next argument upper-cased, for option loops; consumes it. */
  nextToken(): string {
    return this.next().toUpperCase();
  }
}
