import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestParser, splitInlineArgs } from '../../src/protocol/resp/request-parser.js';

const LIMITS = { protoMaxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 };

interface Outcome {
  commands: string[][];
  error: string | undefined;
}

/** Feeds the chunks one after the other, taking every complete command after each, like a session. */
function parseChunks(chunks: Buffer[], limits = LIMITS, authenticated = true): Outcome {
  const parser = new RequestParser(limits);
  parser.authenticated = authenticated;
  const commands: string[][] = [];
  for (const chunk of chunks) {
    parser.feed(chunk);
    for (let argv = parser.next(); argv !== null; argv = parser.next()) commands.push(argv);
    if (parser.error !== undefined) break;
  }
  return { commands, error: parser.error };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join('')}`;
}

function splitAt(input: Buffer, points: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.subarray(start, point));
    start = point;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

/** The outcome of the whole input must not depend on where the network splits it. */
function expectSplitInvariant(input: Buffer, expected: Outcome, points?: number[]): void {
  expect(parseChunks([input])).toEqual(expected);
  const candidates = points ?? Array.from({ length: input.length + 1 }, (_, i) => i);
  for (const point of candidates) {
    const outcome = parseChunks(splitAt(input, [point]));
    if (JSON.stringify(outcome) !== JSON.stringify(expected)) {
      expect({ point, ...outcome }).toEqual({ point, ...expected });
    }
  }
  if (input.length <= 4096) {
    const single = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
    expect(parseChunks(single)).toEqual(expected);
  }
}

const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

describe('request parser: every split point gives the same commands', () => {
  const cases: [string, string, string[][]][] = [
    ['one multibulk command', multibulk('SET', 'key', 'value'), [['SET', 'key', 'value']]],
    ['a pipeline', multibulk('PING') + multibulk('GET', 'k') + multibulk('SET', 'a', ''), [['PING'], ['GET', 'k'], ['SET', 'a', '']]],
    ['empty multibulks are skipped', `*0\r\n*-1\r\n${multibulk('PING')}*0\r\n`, [['PING']]],
    ['inline commands', 'PING\r\nSET a b\nGET   a  \r\n', [['PING'], ['SET', 'a', 'b'], ['GET', 'a']]],
    ['blank inline lines are skipped', '\r\n\n   \r\n\t\nPING\r\n', [['PING']]],
    ['inline double quotes and escapes', 'SET "a b" "\\x41\\x4g\\n\\r\\t\\b\\a\\"\\\\z"\r\n', [['SET', 'a b', 'Ax4g\n\r\t\b\x07"\\z']]],
    ['inline single quotes', "SET 'it\\'s' 'x\\ny'\r\n", [['SET', "it's", 'x\\ny']]],
    ['inline quotes inside a word', 'SET a"b c" x\r\n', [['SET', 'ab c', 'x']]],
    ['inline empty quoted arguments', 'SET "" \'\'\r\n', [['SET', '', '']]],
    ['\\v and \\f stay inside an inline word', 'GET a\x0bb\x0c\r\n', [['GET', 'a\x0bb\x0c']]],
    ['a lone CR inside an inline line separates words', 'GET a\rb\n', [['GET', 'a', 'b']]],
    ['mixed inline and multibulk', `PING\r\n${multibulk('ECHO', 'x')}PING\n`, [['PING'], ['ECHO', 'x'], ['PING']]],
    ['the two bytes after a bulk are skipped unchecked', '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n', [['PING'], ['PING']]],
    ['the byte after a count line CR is skipped unchecked', '*1\rx$4\r\nPING\r\n', [['PING']]],
    ['binary-safe bulks', multibulk('SET', ALL_BYTES, `\r\n\0${ALL_BYTES}`), [['SET', ALL_BYTES, `\r\n\0${ALL_BYTES}`]]],
  ];
  for (const [name, input, commands] of cases) {
    it(name, () => expectSplitInvariant(bytes(input), { commands, error: undefined }));
  }

  it('big bulks use their own buffer and still split anywhere', () => {
    const big = Buffer.alloc(40 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const bigText = big.toString('latin1');
    const input = bytes(multibulk('SET', bigText, 'small') + multibulk('APPEND', 'k', bigText + bigText) + multibulk('PING'));
    const expected = { commands: [['SET', bigText, 'small'], ['APPEND', 'k', bigText + bigText], ['PING']], error: undefined };
    const points = new Set<number>();
    for (let i = 0; i <= input.length; i += 997) points.add(i);
    // Around every header and payload boundary.
    for (let i = 0; i < input.length; i++) {
      if (input[i] === 13 && input[i + 1] === 10) for (let d = -3; d <= 3; d++) points.add(Math.max(0, Math.min(input.length, i + d)));
    }
    expectSplitInvariant(input, expected, [...points]);
    // Three chunks with the second inside the big payload.
    expect(parseChunks(splitAt(input, [20, 30000, 80000]))).toEqual(expected);
  });

  it('fast-check: random pipelines split at random points', () => {
    const arg = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
      fc.constantFrom('', '\r\n', '\0', '*1', '$3', '"'),
    );
    const command = fc.array(arg, { minLength: 1, maxLength: 6 });
    const inlineWord = fc.stringMatching(/^[a-zA-Z0-9:_-]{1,12}$/);
    const inline = fc.array(inlineWord, { minLength: 1, maxLength: 5 });
    const request = fc.oneof(
      command.map((argv) => ({ text: multibulk(...argv), argv: [argv] })),
      inline.map((words) => ({ text: `${words.join(' ')}\r\n`, argv: [words] })),
      fc.constantFrom({ text: '*0\r\n', argv: [] as string[][] }, { text: '*-1\r\n', argv: [] as string[][] }, { text: '\r\n', argv: [] as string[][] }),
    );
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), (requests, rawPoints) => {
        const input = bytes(requests.map((r) => r.text).join(''));
        const points = [...new Set(rawPoints.map((p) => p % (input.length + 1)))].sort((a, b) => a - b);
        const expected = requests.flatMap((r) => r.argv);
        expect(parseChunks(splitAt(input, points))).toEqual({ commands: expected, error: undefined });
      }),
      { numRuns: 500 },
    );
  });
});

describe('request parser: protocol errors as Redis 7.0 networking.c', () => {
  const errors: [string, string, string[][], string][] = [
    ['non-numeric multibulk count', '*x\r\n', [], 'invalid multibulk length'],
    ['multibulk count with a sign', '*+1\r\n$4\r\nPING\r\n', [], 'invalid multibulk length'],
    ['multibulk count -0', '*-0\r\n', [], 'invalid multibulk length'],
    ['multibulk count past INT_MAX', '*2147483648\r\n', [], 'invalid multibulk length'],
    ['multibulk count past 64 bits', '*-9223372036854775809\r\n', [], 'invalid multibulk length'],
    ['empty multibulk count', '*\r\n', [], 'invalid multibulk length'],
    ['commands before the bad one still run', `${multibulk('PING')}PING\r\n*1x\r\n`, [['PING'], ['PING']], 'invalid multibulk length'],
    ['not a bulk', '*1\r\n:1\r\n', [], "expected '$', got ':'"],
    ['not a bulk after a good argument', '*2\r\n$3\r\nGET\r\nkey\r\n', [], "expected '$', got 'k'"],
    ['negative bulk length', '*1\r\n$-1\r\n', [], 'invalid bulk length'],
    ['bulk length with a leading zero', '*1\r\n$04\r\nPING\r\n', [], 'invalid bulk length'],
    ['bulk length not a number', '*1\r\n$abc\r\n', [], 'invalid bulk length'],
    ['unbalanced double quote', 'SET "a b\r\n', [], 'unbalanced quotes in request'],
    ['unbalanced single quote', "SET 'a\r\n", [], 'unbalanced quotes in request'],
    ['closing quote followed by a letter', 'SET "a"b\r\n', [], 'unbalanced quotes in request'],
    ['trailing backslash inside quotes', 'SET "a\\\r\n', [], 'unbalanced quotes in request'],
  ];
  for (const [name, input, commands, detail] of errors) {
    it(name, () => expectSplitInvariant(bytes(input), { commands, error: `Protocol error: ${detail}` }));
  }

  it('too big requests without a line end', () => {
    const filler = 'x'.repeat(64 * 1024 + 1);
    expect(parseChunks([bytes(filler)]).error).toBe('Protocol error: too big inline request');
    expect(parseChunks([bytes(`*${'1'.repeat(64 * 1024)}`)]).error).toBe('Protocol error: too big mbulk count string');
    expect(parseChunks([bytes(`*1\r\n${filler}`)]).error).toBe('Protocol error: too big bulk count string');
    // Exactly 64KB still waits.
    expect(parseChunks([bytes('x'.repeat(64 * 1024))])).toEqual({ commands: [], error: undefined });
  });

  it('a NUL before the line end hides the line, as strchr() does in Redis', () => {
    expect(parseChunks([bytes('*1\0\r\n$4\r\nPING\r\n')])).toEqual({ commands: [], error: undefined });
    expect(parseChunks([bytes('PI\0NG\r\nPING\r\n')])).toEqual({ commands: [], error: undefined });
    expect(parseChunks([bytes('*1\r\n\0abc\r\n')])).toEqual({ commands: [], error: undefined });
    expect(parseChunks([bytes(`PI\0NG${'x'.repeat(64 * 1024)}\r\n`)]).error).toBe('Protocol error: too big inline request');
    // A NUL inside a bulk payload is data.
    expect(parseChunks([bytes(multibulk('SET', 'a\0b', '\0'))]).commands).toEqual([['SET', 'a\0b', '\0']]);
  });

  it('a wrong type byte waits for its line, like Redis', () => {
    expect(parseChunks([bytes('*1\r\nxyz')])).toEqual({ commands: [], error: undefined });
    expect(parseChunks([bytes('*1\r\nxyz\r')])).toEqual({ commands: [], error: undefined });
  });

  it('proto-max-bulk-len bounds a bulk length', () => {
    const limits = { ...LIMITS, protoMaxBulkLen: 1024 };
    expect(parseChunks([bytes('*1\r\n$1024\r\n')], limits)).toEqual({ commands: [], error: undefined });
    expect(parseChunks([bytes('*1\r\n$1025\r\n')], limits).error).toBe('Protocol error: invalid bulk length');
  });

  it('unauthenticated clients: at most 10 arguments of 16384 bytes', () => {
    expect(parseChunks([bytes('*10\r\n$16384\r\n')], LIMITS, false)).toEqual({ commands: [], error: undefined });
    expect(parseChunks([bytes('*11\r\n')], LIMITS, false).error).toBe('Protocol error: unauthenticated multibulk length');
    expect(parseChunks([bytes('*1\r\n$16385\r\n')], LIMITS, false).error).toBe('Protocol error: unauthenticated bulk length');
    expect(parseChunks([bytes('*11\r\n')], LIMITS, true).error).toBeUndefined();
  });

  it('the query buffer limit counts a command being assembled', () => {
    const limits = { ...LIMITS, queryBufferLimit: 100_000 };
    const parser = new RequestParser(limits);
    parser.feed(bytes('*2\r\n$3\r\nSET\r\n$200000\r\n'));
    expect(parser.next()).toBeNull();
    parser.feed(Buffer.alloc(60_000));
    expect(parser.overflow).toBe(false);
    expect(parser.pendingBytes).toBeGreaterThan(60_000);
    parser.feed(Buffer.alloc(60_000));
    expect(parser.overflow).toBe(true);
    expect(parser.next()).toBeNull();
  });

  it('feeding after an error is ignored', () => {
    const parser = new RequestParser(LIMITS);
    parser.feed(bytes('*x\r\n'));
    expect(parser.next()).toBeNull();
    parser.feed(bytes('PING\r\n'));
    expect(parser.next()).toBeNull();
    expect(parser.error).toBe('Protocol error: invalid multibulk length');
  });
});

describe('splitInlineArgs (sdssplitargs)', () => {
  it('splits like Redis', () => {
    expect(splitInlineArgs('')).toEqual([]);
    expect(splitInlineArgs('  a  b\tc ')).toEqual(['a', 'b', 'c']);
    expect(splitInlineArgs('\x0b\x0ca')).toEqual(['a']);
    expect(splitInlineArgs('"\\x4"')).toEqual(['x4']);
    expect(splitInlineArgs('"a"\x0bb')).toEqual(['a', 'b']);
    expect(splitInlineArgs("'a\\nb'")).toEqual(['a\\nb']);
    expect(splitInlineArgs("'a'x")).toBeNull();
    expect(splitInlineArgs('"\\xff\\x00"')).toEqual(['\xff\0']);
  });
});
