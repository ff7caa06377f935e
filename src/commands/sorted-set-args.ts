import type { Database } from '../datastructures/database.js';
import { LEX_MINUS, LEX_PLUS, LEX_VALUE, type LexRange, type ScoreRange } from '../datastructures/zset-range.js';
import { SortedSet, type ZsetLimits } from '../datastructures/sorted-set.js';
import { CommandError, ERR_NOT_FLOAT, ERR_WRONGTYPE } from '../protocol/errors.js';
import type { Session } from '../server/session.js';
import { parseFloat64 } from './args.js';

// Argument parsing and key access shared by the sorted-set commands, with t_zset.c's exact rules.

export const ERR_MIN_MAX_NOT_FLOAT = 'ERR min or max is not a float';
export const ERR_LEX_RANGE = 'ERR min or max not valid string range item';

const INFINITY_TEXT = /^[+-]?inf(?:inity)?$/i;
const HEX_PREFIX = /^[+-]?0[xX]/;

/** Whether a text that parsed to 0 has a nonzero mantissa: strtod underflowed (ERANGE). */
function underflows(text: string): boolean {
  const hex = HEX_PREFIX.test(text);
  const body = text.replace(hex ? HEX_PREFIX : /^[+-]?/, '');
  const mantissa = body.split(hex ? /[pP]/ : /[eE]/)[0]!;
  return (hex ? /[1-9a-fA-F]/ : /[1-9]/).test(mantissa);
}

/**
 * Redis' getDoubleFromObject (ZADD scores, ZINCRBY, WEIGHTS): the whole text is one strtod
 * number, no leading space, not NaN, and no overflow or underflow to zero (strtod's ERANGE):
 * "1e400" and "1e-400" are refused, "inf" is fine.
 */
export function scoreArg(text: string, error: string = ERR_NOT_FLOAT): number {
  // The common case, a plain integer of up to 15 digits (leading zeros included, as strtod reads
  // them), parsed without the general grammar.
  const length = text.length;
  if (length > 0 && length <= 15) {
    let i = text.charCodeAt(0) === 45 ? 1 : 0;
    let integer = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      integer = integer * 10 + c;
    }
    if (i === length && length > (text.charCodeAt(0) === 45 ? 1 : 0)) return text.charCodeAt(0) === 45 ? -integer : integer;
  }
  const value = parseFloat64(text);
  if (value === undefined) throw new CommandError(error);
  if (value === Infinity || value === -Infinity) {
    if (!INFINITY_TEXT.test(text)) throw new CommandError(error);
  } else if (value === 0 && underflows(text)) {
    throw new CommandError(error);
  }
  return value;
}

/**
 * One end of a score range as Redis' zslParseRange reads it: '(' makes it exclusive, the rest is
 * strtod's (leading white space allowed, an empty text is 0, overflow is ±inf), never NaN.
 */
function scoreBound(text: string, exclusiveAllowed: boolean): number | undefined {
  let body = text;
  if (exclusiveAllowed && body.charCodeAt(0) === 40) body = body.slice(1);
  if (body.length === 0) return 0;
  let start = 0;
  while (start < body.length && isSpace(body.charCodeAt(start))) start++;
  if (start === body.length) return undefined;
  return parseFloat64(start === 0 ? body : body.slice(start));
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Redis' zslParseRange, "ERR min or max is not a float" otherwise. */
export function parseScoreRange(minText: string, maxText: string): ScoreRange {
  const min = scoreBound(minText, true);
  const max = scoreBound(maxText, true);
  if (min === undefined || max === undefined) throw new CommandError(ERR_MIN_MAX_NOT_FLOAT);
  return { min, max, minExclusive: minText.charCodeAt(0) === 40, maxExclusive: maxText.charCodeAt(0) === 40 };
}

/** Redis' zslParseLexRange: '[' inclusive, '(' exclusive, a lone '-' / '+' the open ends. */
export function parseLexRange(minText: string, maxText: string): LexRange {
  const range: LexRange = { min: '', minKind: LEX_VALUE, minExclusive: false, max: '', maxKind: LEX_VALUE, maxExclusive: false };
  if (!lexBound(minText, range, true) || !lexBound(maxText, range, false)) throw new CommandError(ERR_LEX_RANGE);
  return range;
}

function lexBound(text: string, range: LexRange, isMin: boolean): boolean {
  const first = text.charCodeAt(0);
  let kind = LEX_VALUE;
  let exclusive: boolean;
  let value = '';
  if (first === 43 || first === 45) {
    if (text.length !== 1) return false;
    kind = first === 43 ? LEX_PLUS : LEX_MINUS;
    exclusive = true;
  } else if (first === 40 || first === 91) {
    exclusive = first === 40;
    value = text.slice(1);
  } else {
    return false;
  }
  if (isMin) {
    range.min = value;
    range.minKind = kind;
    range.minExclusive = exclusive;
  } else {
    range.max = value;
    range.maxKind = kind;
    range.maxExclusive = exclusive;
  }
  return true;
}

/** The current zset-max-listpack-* settings (the server keeps them current on CONFIG SET). */
export function zsetLimits(session: Session): ZsetLimits {
  return session.server.encodingLimits.zset;
}

/** The zset in a slot found by the caller, WRONGTYPE when the key holds another type. */
export function zsetAt(db: Database, slot: number): SortedSet {
  const value = db.valueAt(slot);
  if (!(value instanceof SortedSet)) throw new CommandError(ERR_WRONGTYPE);
  return value;
}

/**
 * Counts `changes` in-place changes (Redis' server.dirty += changes) and deletes the key when the
 * zset is now empty; deleteAt counts one itself, which is one of the changes.
 */
export function finishWrite(db: Database, slot: number, zset: SortedSet, changes: number): void {
  if (zset.size === 0) {
    if (changes > 1) db.markChanged(changes - 1);
    db.deleteAt(slot);
  } else if (changes > 0) {
    db.markChanged(changes);
  }
}
