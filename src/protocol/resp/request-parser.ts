import './buffer-ext.js';
import { sameBytes } from '../bytes.js';

// Redis' limits on the request framing (server.h, networking.c).
const INLINE_MAX_SIZE = 64 * 1024;
const MULTIBULK_MAX = 2147483647;
/** Bulk arguments at least this long are assembled in their own buffer instead of by concatenation. */
const BIG_ARGUMENT = 32 * 1024;
const UNAUTHENTICATED_MULTIBULK_MAX = 10;
const UNAUTHENTICATED_BULK_MAX = 16384;
/** Argument positions whose previous string is kept for reuse: the name, the key, two more (a field and its value). */
const REMEMBERED_ARGS = 4;
/** Only arguments this short are compared with the kept ones, so a mismatch costs less than a copy. */
const REMEMBERED_MAX_LENGTH = 64;

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const EMPTY = Buffer.alloc(0);

export interface ParserLimits {
  protoMaxBulkLen: number;
  queryBufferLimit: number;
}

/**
 * An incremental RESP request parser: feed it socket chunks in any split, take complete commands
 * out one at a time as argv arrays of latin1 strings (so nothing keeps a view into a chunk).
 * Handles multibulk requests and inline (telnet) commands exactly as Redis frames them.
 *
 * next() returns null when it needs more bytes or has failed; after a failure `error` holds the
 * protocol error, and `overflow` is set when the client passed the query buffer limit.
 */
export class RequestParser {
  error: string | undefined = undefined;
  overflow = false;
  /** Cleared once the client authenticates; before that Redis caps request sizes. */
  authenticated = true;

  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;
  private argv: string[] | null = null;
  private expectedArgs = 0;
  private bulkLength = -1;
  private argvBytes = 0;
  private bigBulk: Buffer | null = null;
  private bigBulkFilled = 0;
  /**
   * The previous command's first arguments, reused when the next one has the same bytes there.
   * Pipelines repeat command names, and often keys and small values (a counter, a queue): a reused
   * string costs no copy and no garbage, and keeps its hash for the command and key lookups.
   */
  private readonly lastArgs: string[] = new Array<string>(REMEMBERED_ARGS).fill('');

  constructor(private readonly limits: ParserLimits) {}

  /** Bytes received and not yet turned into a complete command. */
  get pendingBytes(): number {
    return this.buffer.length - this.position + this.bigBulkFilled + this.argvBytes;
  }

  feed(chunk: Buffer): void {
    if (this.error !== undefined) return;
    if (this.bigBulk !== null) {
      const wanted = this.bigBulk.length - this.bigBulkFilled;
      const taken = Math.min(wanted, chunk.length);
      chunk.copy(this.bigBulk, this.bigBulkFilled, 0, taken);
      this.bigBulkFilled += taken;
      chunk = chunk.subarray(taken);
    }
    if (this.position < this.buffer.length) {
      this.buffer = Buffer.concat([this.buffer.subarray(this.position), chunk]);
    } else {
      this.buffer = chunk;
    }
    this.position = 0;
    if (this.pendingBytes > this.limits.queryBufferLimit) {
      this.overflow = true;
      this.error = 'query buffer limit';
    }
  }

  /**
   * Called when the caller is done with the chunk it fed: copies the unparsed rest, because the
   * chunk may be a buffer that the next read overwrites.
   */
  retainLeftover(): void {
    if (this.position >= this.buffer.length) {
      this.buffer = EMPTY;
      this.position = 0;
    } else {
      this.buffer = Buffer.from(this.buffer.subarray(this.position));
      this.position = 0;
    }
  }

  next(): string[] | null {
    if (this.error !== undefined) return null;
    if (this.bigBulk !== null && !this.finishBigBulk()) return null;
    const buffer = this.buffer;
    const end = buffer.length;
    let position = this.position;
    for (;;) {
      if (this.argv === null) {
        if (position >= end) break;
        if (buffer[position] !== STAR) {
          const inline = this.parseInline(position);
          if (inline === null) return null;
          position = this.position;
          if (inline.length === 0) continue;
          return inline;
        }
        let count = quickLength(buffer, position + 1, end);
        let cr = quickLineEnd;
        if (count < 0) {
          cr = findLineEnd(buffer, position, end, CR);
          if (cr < 0) {
            if (end - position > INLINE_MAX_SIZE) return this.fail('too big mbulk count string');
            break;
          }
          // Redis wants one byte after the CR (and skips it unchecked) before it reads the count.
          if (cr + 1 >= end) break;
          count = parseLength(buffer, position + 1, cr) ?? NaN;
        }
        if (Number.isNaN(count) || count > MULTIBULK_MAX) return this.fail('invalid multibulk length');
        if (!this.authenticated && count > UNAUTHENTICATED_MULTIBULK_MAX) {
          return this.fail('unauthenticated multibulk length');
        }
        position = cr + 2;
        if (count <= 0) continue;
        this.argv = [];
        this.expectedArgs = count;
        this.bulkLength = -1;
      }
      const argv = this.argv;
      while (argv.length < this.expectedArgs) {
        if (this.bulkLength < 0) {
          if (position >= end) {
            this.position = position;
            return null;
          }
          let length = buffer[position] === DOLLAR ? quickLength(buffer, position + 1, end) : -1;
          let cr = quickLineEnd;
          if (length < 0) {
            // Redis finds the line first and only then looks at its type byte, so a bad byte
            // waits for a CR like any other line.
            cr = findLineEnd(buffer, position, end, CR);
            if (cr < 0) {
              if (end - position > INLINE_MAX_SIZE) return this.fail('too big bulk count string');
              this.position = position;
              return null;
            }
            if (cr + 1 >= end) {
              this.position = position;
              return null;
            }
            if (buffer[position] !== DOLLAR) {
              return this.fail(`expected '$', got '${String.fromCharCode(buffer[position]!)}'`);
            }
            length = parseLength(buffer, position + 1, cr) ?? -1;
          }
          if (length < 0 || length > this.limits.protoMaxBulkLen) {
            return this.fail('invalid bulk length');
          }
          if (!this.authenticated && length > UNAUTHENTICATED_BULK_MAX) {
            return this.fail('unauthenticated bulk length');
          }
          position = cr + 2;
          this.bulkLength = length;
          if (length >= BIG_ARGUMENT && end - position < length + 2) {
            this.startBigBulk(buffer, position, length);
            return null;
          }
        }
        const length = this.bulkLength;
        if (end - position < length + 2) {
          this.position = position;
          return null;
        }
        // Like Redis, the two bytes after the payload are skipped, not checked.
        const index = argv.length;
        if (index < REMEMBERED_ARGS && length <= REMEMBERED_MAX_LENGTH) {
          const last = this.lastArgs[index]!;
          if (sameBytes(buffer, position, length, last)) {
            argv.push(last);
          } else {
            const arg = buffer.latin1Slice(position, position + length);
            this.lastArgs[index] = arg;
            argv.push(arg);
          }
        } else {
          argv.push(buffer.latin1Slice(position, position + length));
        }
        this.argvBytes += length;
        position += length + 2;
        this.bulkLength = -1;
      }
      this.position = position;
      return this.completeCommand();
    }
    this.position = position;
    return null;
  }

  private completeCommand(): string[] {
    const argv = this.argv!;
    this.argv = null;
    this.argvBytes = 0;
    return argv;
  }

  private startBigBulk(buffer: Buffer, position: number, length: number): void {
    this.bigBulk = Buffer.allocUnsafe(length + 2);
    this.bigBulkFilled = buffer.copy(this.bigBulk, 0, position, buffer.length);
    this.buffer = Buffer.alloc(0);
    this.position = 0;
  }

  private finishBigBulk(): boolean {
    const big = this.bigBulk!;
    if (this.bigBulkFilled < big.length) return false;
    this.argv!.push(big.latin1Slice(0, big.length - 2));
    this.argvBytes += big.length - 2;
    this.bigBulk = null;
    this.bigBulkFilled = 0;
    this.bulkLength = -1;
    return true;
  }

  /** Parses one inline line starting at `position`; null when incomplete or failed. */
  private parseInline(position: number): string[] | null {
    const buffer = this.buffer;
    const lf = findLineEnd(buffer, position, buffer.length, LF);
    if (lf < 0) {
      if (buffer.length - position > INLINE_MAX_SIZE) return this.fail('too big inline request');
      this.position = position;
      return null;
    }
    let lineEnd = lf;
    if (lineEnd > position && buffer[lineEnd - 1] === CR) lineEnd--;
    const args = splitInlineArgs(buffer.latin1Slice(position, lineEnd));
    if (args === null) return this.fail('unbalanced quotes in request');
    this.position = lf + 1;
    return args;
  }

  private fail(detail: string): null {
    this.error = `Protocol error: ${detail}`;
    return null;
  }
}

/** Where quickLength found the CR of the line it read. */
let quickLineEnd = -1;

/**
 * The common header line read in one pass: a positive decimal without a leading zero, under 16
 * digits, then CR and at least one more byte. Returns -1 for anything else (zero, signs, junk, an
 * incomplete line), which the caller then reads with Redis' full rules.
 */
function quickLength(buffer: Buffer, start: number, end: number): number {
  const first = buffer[start];
  if (first === undefined || first < 49 || first > 57) return -1;
  let value = first - 48;
  const limit = Math.min(end, start + 16);
  for (let i = start + 1; i < limit; i++) {
    const c = buffer[i]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
    } else {
      if (c !== CR || i + 1 >= end) return -1;
      quickLineEnd = i;
      return value;
    }
  }
  return -1;
}

/**
 * Redis looks for the end of a line with strchr() on its NUL-terminated query buffer, so a NUL
 * byte before the terminator hides the line: the request waits for more input (and, past 64KB,
 * fails as too big). Returns the terminator's index, or -1 when not (visibly) there.
 */
function findLineEnd(buffer: Buffer, start: number, end: number, terminator: number): number {
  const found = buffer.indexOf(terminator, start);
  if (found < 0 || found >= end) return -1;
  for (let i = start; i < found; i++) if (buffer[i] === 0) return -1;
  return found;
}

const LLONG_MAX_DIGITS = '9223372036854775807';
const LLONG_MIN_DIGITS = '9223372036854775808';

/**
 * Redis' string2ll over a byte range: an optional '-', then digits without a leading zero
 * ("0" alone is fine, "-0" is not), within the signed 64-bit range. undefined when invalid.
 */
function parseLength(buffer: Buffer, start: number, end: number): number | undefined {
  if (start >= end || end - start > 20) return undefined;
  if (end - start === 1 && buffer[start] === 48) return 0;
  let i = start;
  const negative = buffer[i] === 45;
  if (negative) i++;
  if (i === end || buffer[i]! < 49 || buffer[i]! > 57) return undefined;
  let value = 0;
  for (let j = i; j < end; j++) {
    const c = buffer[j]!;
    if (c < 48 || c > 57) return undefined;
    value = value * 10 + (c - 48);
  }
  const digits = end - i;
  if (digits > 19) return undefined;
  if (digits === 19 && buffer.latin1Slice(i, end) > (negative ? LLONG_MIN_DIGITS : LLONG_MAX_DIGITS)) return undefined;
  return negative ? -value : value;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Redis' sdssplitargs: space-separated arguments, "double quotes" with \n \r \t \b \a \xHH
 * escapes, 'single quotes' with \' only. A closing quote must be followed by a space or the end.
 * Returns null on unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] | null {
  const args: string[] = [];
  const length = line.length;
  let i = 0;
  for (;;) {
    while (i < length && isSpace(line.charCodeAt(i))) i++;
    if (i >= length) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      if (inDouble) {
        if (i >= length) return null;
        const c = line.charCodeAt(i);
        if (c === 92 && i + 3 < length && line.charCodeAt(i + 1) === 120 && isHexDigit(line.charCodeAt(i + 2)) && isHexDigit(line.charCodeAt(i + 3))) {
          current += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === 92 && i + 1 < length) {
          i++;
          const escaped = line[i]!;
          current += escaped === 'n' ? '\n' : escaped === 'r' ? '\r' : escaped === 't' ? '\t' : escaped === 'b' ? '\b' : escaped === 'a' ? '\x07' : escaped;
        } else if (c === 34) {
          if (i + 1 < length && !isSpace(line.charCodeAt(i + 1))) return null;
          i++;
          break;
        } else {
          current += line[i];
        }
      } else if (inSingle) {
        if (i >= length) return null;
        const c = line.charCodeAt(i);
        if (c === 92 && i + 1 < length && line.charCodeAt(i + 1) === 39) {
          i++;
          current += "'";
        } else if (c === 39) {
          if (i + 1 < length && !isSpace(line.charCodeAt(i + 1))) return null;
          i++;
          break;
        } else {
          current += line[i];
        }
      } else {
        if (i >= length) break;
        const c = line.charCodeAt(i);
        // Only these end an unquoted argument; \v and \f are skipped between arguments but kept
        // inside one (sdssplitargs).
        if (c === 32 || c === 10 || c === 13 || c === 9) break;
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else current += line[i];
      }
      i++;
    }
    args.push(current);
  }
}
