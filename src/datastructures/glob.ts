// Redis' glob-style matcher (util.c stringmatchlen), used by KEYS, SCAN MATCH, CONFIG GET and
// pattern subscriptions. Strings are latin1 (one char per byte), so char codes are the bytes.
//
// Quirks kept on purpose, because clients see them:
// - an empty subject never matches a non-empty pattern, not even "*";
// - a bracket class left open runs to the end of the pattern; "[" alone matches nothing and
//   "[^" matches any one byte;
// - a backslash inside a class escapes exactly (even with nocase), and "x-y" is a range even when
//   y is "]" ("[a-]" does not close there);
// - range ends are C `char`, signed on the platforms Redis runs on: bytes >= 0x80 compare as
//   negative numbers, and reversed ranges are swapped before nocase lower-casing.

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const BACKSLASH = 92; // \
const DASH = 45; // -

/** Glob-style match of `subject` against `pattern`, as Redis' stringmatchlen. */
export function stringMatch(pattern: string, subject: string, nocase = false): boolean {
  const state = { skipLongerMatches: false };
  return matchFrom(pattern, 0, subject, 0, nocase, state);
}

/** C tolower in the "C" locale: only A-Z change. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a signed C char. */
function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

function matchFrom(
  pattern: string,
  p: number,
  subject: string,
  s: number,
  nocase: boolean,
  state: { skipLongerMatches: boolean },
): boolean {
  const patternEnd = pattern.length;
  const subjectEnd = subject.length;
  while (p < patternEnd && s < subjectEnd) {
    const pc = pattern.charCodeAt(p);
    if (pc === STAR) {
      while (p + 1 < patternEnd && pattern.charCodeAt(p + 1) === STAR) p++;
      if (p + 1 === patternEnd) return true;
      while (s < subjectEnd) {
        if (matchFrom(pattern, p + 1, subject, s, nocase, state)) return true;
        // Once the rest of the pattern failed from every later position, a longer match for
        // an earlier star cannot help (Redis' fix for exponential patterns, CVE-2022-36021).
        if (state.skipLongerMatches) return false;
        s++;
      }
      state.skipLongerMatches = true;
      return false;
    } else if (pc === QUESTION) {
      s++;
    } else if (pc === OPEN) {
      p++;
      const negate = p < patternEnd && pattern.charCodeAt(p) === CARET;
      if (negate) p++;
      const c = subject.charCodeAt(s);
      let match = false;
      for (;;) {
        const remaining = patternEnd - p;
        const item = pattern.charCodeAt(p);
        if (item === BACKSLASH && remaining >= 2) {
          p++;
          if (pattern.charCodeAt(p) === c) match = true;
        } else if (remaining > 0 && item === CLOSE) {
          break;
        } else if (remaining === 0) {
          // Unterminated class: step back so the common advance below lands on the end.
          p--;
          break;
        } else if (remaining >= 3 && pattern.charCodeAt(p + 1) === DASH) {
          let start = signedChar(item);
          let end = signedChar(pattern.charCodeAt(p + 2));
          let subjectChar = signedChar(c);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            subjectChar = lower(subjectChar);
          }
          p += 2;
          if (subjectChar >= start && subjectChar <= end) match = true;
        } else if (nocase ? lower(item) === lower(c) : item === c) {
          match = true;
        }
        p++;
      }
      if (negate) match = !match;
      if (!match) return false;
      s++;
    } else {
      if (pc === BACKSLASH && patternEnd - p >= 2) p++;
      const literal = pattern.charCodeAt(p);
      const c = subject.charCodeAt(s);
      if (nocase ? lower(literal) !== lower(c) : literal !== c) return false;
      s++;
    }
    p++;
    if (s === subjectEnd) {
      while (p < patternEnd && pattern.charCodeAt(p) === STAR) p++;
      break;
    }
  }
  return p === patternEnd && s === subjectEnd;
}
