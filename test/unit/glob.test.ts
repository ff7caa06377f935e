import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Redis from 'ioredis';
import { stringMatch } from '../../src/datastructures/glob.js';
import { startRedis, type RunningServer } from '../helpers/servers.js';

// The reference below is written independently of src/datastructures/glob.ts: it first parses
// the pattern into tokens by Redis' rules, then matches with dynamic programming over
// (token, position) instead of recursion. Where the two agree on random inputs, both read
// stringmatchlen the same way; the differential test against real Redis checks that reading.

type Token =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'literal'; code: number }
  | { kind: 'class'; negate: boolean; items: ClassItem[] };
type ClassItem = { kind: 'exact'; code: number } | { kind: 'char'; code: number } | { kind: 'range'; from: number; to: number };

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const codes = [...pattern].map((c) => c.charCodeAt(0));
  let i = 0;
  while (i < codes.length) {
    const c = codes[i]!;
    if (c === 0x2a) {
      tokens.push({ kind: 'star' });
      i++;
    } else if (c === 0x3f) {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === 0x5c) {
      // A trailing backslash stands for itself.
      if (i + 1 < codes.length) {
        tokens.push({ kind: 'literal', code: codes[i + 1]! });
        i += 2;
      } else {
        tokens.push({ kind: 'literal', code: c });
        i++;
      }
    } else if (c === 0x5b) {
      i++;
      const negate = codes[i] === 0x5e;
      if (negate) i++;
      const items: ClassItem[] = [];
      // A class runs to the first ']' not consumed as an escape or a range end, or to the end.
      for (;;) {
        const left = codes.length - i;
        if (left === 0) break;
        const d = codes[i]!;
        if (d === 0x5c && left >= 2) {
          items.push({ kind: 'exact', code: codes[i + 1]! });
          i += 2;
        } else if (d === 0x5d) {
          i++;
          break;
        } else if (left >= 3 && codes[i + 1] === 0x2d) {
          items.push({ kind: 'range', from: d, to: codes[i + 2]! });
          i += 3;
        } else {
          items.push({ kind: 'char', code: d });
          i++;
        }
      }
      tokens.push({ kind: 'class', negate, items });
    } else {
      tokens.push({ kind: 'literal', code: c });
      i++;
    }
  }
  return tokens;
}

const toLower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
const asSignedChar = (c: number): number => (c > 127 ? c - 256 : c);

function classMatches(items: ClassItem[], code: number, nocase: boolean): boolean {
  return items.some((item) => {
    if (item.kind === 'exact') return item.code === code;
    if (item.kind === 'char') return nocase ? toLower(item.code) === toLower(code) : item.code === code;
    // Ends compare as signed chars, swapped if reversed, then lower-cased (in that order).
    let low = Math.min(asSignedChar(item.from), asSignedChar(item.to));
    let high = Math.max(asSignedChar(item.from), asSignedChar(item.to));
    let c = asSignedChar(code);
    if (nocase) [low, high, c] = [toLower(low), toLower(high), toLower(c)];
    return c >= low && c <= high;
  });
}

function tokenMatches(token: Token, code: number, nocase: boolean): boolean {
  if (token.kind === 'any') return true;
  if (token.kind === 'literal') return nocase ? toLower(token.code) === toLower(code) : token.code === code;
  if (token.kind === 'class') return classMatches(token.items, code, nocase) !== token.negate;
  return false;
}

function referenceMatch(pattern: string, subject: string, nocase = false): boolean {
  // Redis never enters its loop for an empty subject: only the empty pattern matches it.
  if (subject.length === 0) return pattern.length === 0;
  const tokens = tokenize(pattern);
  const n = subject.length;
  // reach[j]: the tokens consumed so far can match exactly the first j bytes.
  let reach = new Array<boolean>(n + 1).fill(false);
  reach[0] = true;
  for (const token of tokens) {
    const next = new Array<boolean>(n + 1).fill(false);
    if (token.kind === 'star') {
      let any = false;
      for (let j = 0; j <= n; j++) {
        any = any || reach[j]!;
        next[j] = any;
      }
    } else {
      for (let j = 0; j < n; j++) if (reach[j] && tokenMatches(token, subject.charCodeAt(j), nocase)) next[j + 1] = true;
    }
    reach = next;
  }
  return reach[n]!;
}

describe('stringMatch (Redis stringmatchlen)', () => {
  const cases: [string, string, boolean, boolean?][] = [
    ['*', 'anything', true],
    ['*', '', false],
    ['', '', true],
    ['**', '', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'hllo', true],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hallo', true],
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['a\\', 'a\\', true],
    ['[', 'x', false],
    ['[^', 'x', true],
    ['[abc', 'b', true],
    ['[a-]x', ']', true],
    ['[a\\]]', ']', true],
    ['HELLO', 'hello', false],
    ['HELLO', 'hello', true, true],
    ['[A-Z]', 'q', true, true],
    ['[Z-a]', '_', false, true],
    ['[Z-a]', '_', true, false],
    ['[a-\xff]', '\xff', true],
    ['[a-\xff]', '\x80', false],
    ['[a-\xff]', '\x10', true],
    ['a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*q*r*s*t*u*v*w*x*y*z*!', 'abcdefghijklmnopqrstuvwxyz'.repeat(3), false],
  ];
  for (const [pattern, subject, expected, nocase] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(subject)}${nocase ? ' (nocase)' : ''}`, () => {
      expect(stringMatch(pattern, subject, nocase ?? false)).toBe(expected);
      expect(referenceMatch(pattern, subject, nocase ?? false)).toBe(expected);
    });
  }

  // Small alphabets make matches likely; the specials and a high byte exercise every branch.
  const patternChars = fc.constantFrom('a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\xe9', 'z');
  const subjectChars = fc.constantFrom('a', 'b', 'A', 'B', '*', '[', ']', '-', '\\', '\xe9', 'z', '_');
  const patterns = fc.array(patternChars, { maxLength: 10 }).map((chars) => chars.join(''));
  const subjects = fc.array(subjectChars, { maxLength: 10 }).map((chars) => chars.join(''));

  it('agrees with the token/DP reference on random patterns (both cases)', () => {
    fc.assert(
      fc.property(patterns, subjects, fc.boolean(), (pattern, subject, nocase) => {
        expect(stringMatch(pattern, subject, nocase)).toBe(referenceMatch(pattern, subject, nocase));
      }),
      { numRuns: 20000 },
    );
  });

  it('stays fast on patterns that are exponential for naive backtracking', () => {
    const started = performance.now();
    expect(stringMatch('*a'.repeat(30) + 'b', 'a'.repeat(60))).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('stringMatch against real Redis KEYS', () => {
  let redis: RunningServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis({ port: redis.port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('returns the same keys as KEYS for random patterns', async () => {
    const keyChars = fc.constantFrom('a', 'b', 'A', '*', '[', ']', '-', '\\', '^', '\xe9', '\xff', 'z');
    const keys = fc.sample(fc.array(keyChars, { minLength: 1, maxLength: 6 }).map((c) => c.join('')), 300);
    const unique = [...new Set(keys)];
    const pipeline = client.pipeline();
    for (const key of unique) pipeline.set(Buffer.from(key, 'latin1'), '1');
    await pipeline.exec();
    const samples = fc.sample(fc.array(fc.constantFrom('a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\xe9', '\xff', 'z'), { maxLength: 7 }).map((c) => c.join('')), 400);
    const check = client.pipeline();
    for (const pattern of samples) check.keysBuffer(Buffer.from(pattern, 'latin1'));
    const replies = (await check.exec())!;
    let nonEmpty = 0;
    samples.forEach((pattern, index) => {
      const [error, value] = replies[index]!;
      if ((value as Buffer[]).length > 0) nonEmpty++;
      expect(error).toBeNull();
      const fromRedis = (value as Buffer[]).map((key) => key.toString('latin1')).sort();
      const ours = unique.filter((key) => pattern === '*' || stringMatch(pattern, key)).sort();
      expect(ours, `pattern ${JSON.stringify(pattern)}`).toEqual(fromRedis);
    });
    // The comparison means something only if many patterns match some keys.
    expect(nonEmpty).toBeGreaterThan(samples.length / 4);
  });
});
