import '../resp/buffer-ext.js';
import { ChunkedInput } from './chunked-input.js';
import { sameBytes } from '../bytes.js';

// The memcached text and meta protocols' request decoder: a socket-free incremental state machine.
// Bytes go in (feed), frames come out (next): a command line split into tokens, or the data block a
// storage command announced. Which lines carry a data block is the command's business (memcached
// decides it while running the command: a line with a bad length reads none), so the command layer
// asks for one with expectData() or discards one with swallow() after seeing the line.
//
// Framing follows memcached's try_read_command_ascii: a line ends at \n (a \r before it is dropped
// when the line has more than one byte); tokens are separated by spaces only; a NUL ends the line
// as strlen does; without a \n in the first 2048 bytes the connection is closed unless the line
// starts with "get " or "gets " (multigets are unbounded).

export const enum TextFrame {
  /** More bytes are needed. */
  Incomplete,
  /** A command line: see its TextTokens. */
  Line,
  /** The data block asked for with expectData: see data/blockTerminated. */
  Data,
  /** memcached closes the connection here (an over-long line that is not a multiget). */
  Close,
}

/** Longest run of bytes without a newline memcached accepts for anything but get/gets. */
const MAX_LINE_WITHOUT_NEWLINE = 2048;
/**
 * Token positions whose previous string is kept and handed out again when the bytes repeat: the
 * command name and a storage command's key, flags, exptime and length are mostly the same from
 * one line to the next.
 */
const REMEMBERED_TOKENS = 5;

/**
 * A command line's tokens as the command handlers read them: strings are made only for the tokens
 * a handler asks for, and only while the line is being run.
 */
export interface TextTokens {
  readonly count: number;
  token(index: number): string;
  /** The token's length in bytes, without making a string of it. */
  length(index: number): number;
  /** Whether the token spells `text`, without making a string of it. */
  is(index: number, text: string): boolean;
}

export class MemcachedTextParser extends ChunkedInput implements TextTokens {
  /** The last line's token count. */
  count = 0;
  /** The last data block without its two terminator bytes; blockTerminated says whether they were "\r\n". */
  data = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly remembered: string[] = new Array<string>(REMEMBERED_TOKENS).fill('');

  /** The next data block is `length` value bytes plus the two terminator bytes. */
  expectData(length: number): void {
    this.startBlock(length, 2);
  }

  next(): TextFrame {
    if (this.swallowing()) return TextFrame.Incomplete;
    if (this.blockPending) {
      const data = this.readBlock();
      if (data === undefined) return TextFrame.Incomplete;
      this.data = data;
      return TextFrame.Data;
    }
    const buffer = this.input;
    const start = this.position;
    const newline = buffer.indexOf(10, start);
    if (newline < 0) {
      if (buffer.length - start > MAX_LINE_WITHOUT_NEWLINE && !this.startsMultiget(buffer, start)) return TextFrame.Close;
      return TextFrame.Incomplete;
    }
    this.position = newline + 1;
    let end = newline;
    if (end - start > 1 && buffer[end - 1] === 13) end--;
    this.tokenize(buffer, start, end);
    return TextFrame.Line;
  }

  token(index: number): string {
    const buffer = this.input;
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    if (index >= REMEMBERED_TOKENS) return buffer.latin1Slice(start, end);
    const last = this.remembered[index]!;
    if (sameBytes(buffer, start, end - start, last)) return last;
    const text = buffer.latin1Slice(start, end);
    this.remembered[index] = text;
    return text;
  }

  length(index: number): number {
    return this.ends[index]! - this.starts[index]!;
  }

  is(index: number, text: string): boolean {
    const start = this.starts[index]!;
    return sameBytes(this.input, start, this.ends[index]! - start, text);
  }

  /** memcached keeps reading a long line only if, after at most 100 spaces, it starts with "get " or "gets ". */
  private startsMultiget(buffer: Buffer, start: number): boolean {
    let i = start;
    while (buffer[i] === 32) i++;
    if (i - start > 100) return false;
    const word = buffer.latin1Slice(i, i + 5);
    return word.startsWith('get ') || word === 'gets ';
  }

  /** Splits the line at spaces; a NUL ends it, as strlen does in memcached. */
  private tokenize(buffer: Buffer, start: number, end: number): void {
    const starts = this.starts;
    const ends = this.ends;
    let count = 0;
    let tokenStart = start;
    for (let i = start; ; i++) {
      const byte = i === end ? 0 : buffer[i]!;
      if (byte === 32 || byte === 0) {
        if (i > tokenStart) {
          starts[count] = tokenStart;
          ends[count] = i;
          count++;
        }
        if (byte === 0) break;
        tokenStart = i + 1;
      }
    }
    this.count = count;
  }
}
