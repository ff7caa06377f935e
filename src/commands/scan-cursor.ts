import { stringMatch } from '../datastructures/glob.js';
import { CommandError, ERR_INVALID_CURSOR, ERR_SYNTAX } from '../protocol/errors.js';
import { intArg, isToken } from './args.js';

// The cursor and options of SCAN and the collection scans (SSCAN, HSCAN, ZSCAN), as Redis'
// parseScanCursorOrReply and scanGenericCommand read them.

const SCAN_DEFAULT_COUNT = 10;

/**
 * Redis' parseScanCursorOrReply: strtoul in base 10 — leading '+' or '-' accepted (a negative
 * wraps around, so it is past any position), an empty string is 0, a leading space, trailing
 * junk or more than 64 bits is "invalid cursor".
 */
export function parseScanCursor(text: string): number {
  const length = text.length;
  const first = length > 0 ? text.charCodeAt(0) : 0;
  if (first === 32 || (first >= 9 && first <= 13)) throw new CommandError(ERR_INVALID_CURSOR);
  let i = first === 43 || first === 45 ? 1 : 0;
  const digitsStart = i;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i < length && text.charCodeAt(i) !== 0) throw new CommandError(ERR_INVALID_CURSOR);
  if (i === digitsStart) {
    if (length > 0 && first !== 0) throw new CommandError(ERR_INVALID_CURSOR);
    return 0;
  }
  const digits = text.slice(digitsStart, i);
  if (digits.length >= 20 && BigInt(digits) > 18446744073709551615n) throw new CommandError(ERR_INVALID_CURSOR);
  const magnitude = Number(digits);
  if (first === 45 && magnitude !== 0) return Number.MAX_SAFE_INTEGER;
  return magnitude;
}

/** MATCH, COUNT (and for SCAN, TYPE) of a scan; `pattern` is undefined when everything matches. */
export class CollectionScanOptions {
  count = SCAN_DEFAULT_COUNT;
  pattern: string | undefined = undefined;
  /** SCAN's TYPE filter, lower case. */
  typeName: string | undefined = undefined;

  /**
   * Reads the options from argv[start…] as scanGenericCommand does: a COUNT below 1 is a syntax
   * error, a non-integer COUNT is "not an integer", TYPE only where `acceptsType` (SCAN), anything
   * else a syntax error.
   */
  constructor(argv: readonly string[], start: number, acceptsType = false) {
    for (let i = start; i < argv.length; i += 2) {
      const option = argv[i]!;
      const hasValue = i + 1 < argv.length;
      if (hasValue && isToken(option, 'COUNT')) {
        this.count = intArg(argv[i + 1]!);
        if (this.count < 1) throw new CommandError(ERR_SYNTAX);
      } else if (hasValue && isToken(option, 'MATCH')) {
        const pattern = argv[i + 1]!;
        this.pattern = pattern === '*' ? undefined : pattern;
      } else if (acceptsType && hasValue && isToken(option, 'TYPE')) {
        this.typeName = argv[i + 1]!.toLowerCase();
      } else {
        throw new CommandError(ERR_SYNTAX);
      }
    }
  }

  /** The items that pass MATCH, in place order. */
  filter(items: string[]): string[] {
    const pattern = this.pattern;
    if (pattern === undefined) return items;
    return items.filter((item) => stringMatch(pattern, item));
  }
}
