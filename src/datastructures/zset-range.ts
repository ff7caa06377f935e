// Score and lex ranges of the sorted set commands (Redis' zrangespec / zlexrangespec) and the
// tests Redis applies to them (zslValueGteMin, zslLexValueGteMin…), shared by the zset index and
// the command modules.

/** A score interval; exclusive ends are Redis' '(' prefix. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** A bound of a lex range: a member string, or '-' / '+' (below / above every member). */
export const LEX_MINUS = -1;
export const LEX_PLUS = 1;
export const LEX_VALUE = 0;

export interface LexRange {
  min: string;
  minKind: number;
  minExclusive: boolean;
  max: string;
  maxKind: number;
  maxExclusive: boolean;
}

/** Redis' sdscmplex: compares a member (or a bound) with a bound, '-' and '+' being infinities. */
function compareLex(a: string, aKind: number, b: string, bKind: number): number {
  if (aKind !== LEX_VALUE || bKind !== LEX_VALUE) {
    if (aKind === bKind) return 0;
    if (aKind === LEX_MINUS || bKind === LEX_PLUS) return -1;
    return 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lexGteMin(member: string, range: LexRange): boolean {
  const cmp = compareLex(member, LEX_VALUE, range.min, range.minKind);
  return range.minExclusive ? cmp > 0 : cmp >= 0;
}

export function lexLteMax(member: string, range: LexRange): boolean {
  const cmp = compareLex(member, LEX_VALUE, range.max, range.maxKind);
  return range.maxExclusive ? cmp < 0 : cmp <= 0;
}

/** Redis' zslIsInLexRange first test: a range that cannot hold anything. */
export function lexRangeEmpty(range: LexRange): boolean {
  const cmp = compareLex(range.min, range.minKind, range.max, range.maxKind);
  return cmp > 0 || (cmp === 0 && (range.minExclusive || range.maxExclusive));
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

export function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}
