import '../resp/buffer-ext.js';
import { ChunkedInput } from './chunked-input.js';

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
  /** A command line: see tokens/tokenCount. */
  Line,
  /** The data block asked for with expectData: see data/blockTerminated. */
  Data,
  /** memcached closes the connection here (an over-long line that is not a multiget). */
  Close,
}

/** Longest run of bytes without a newline memcached accepts for anything but get/gets. */
const MAX_LINE_WITHOUT_NEWLINE = 2048;

export class MemcachedTextParser extends ChunkedInput {
  /** The last line's tokens (entries past tokenCount are stale). */
  readonly tokens: string[] = [];
  tokenCount = 0;
  /** The last data block without its two terminator bytes; blockTerminated says whether they were "\r\n". */
  data = '';

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
    const buffer = this.buffer;
    const start = this.position;
    const newline = buffer.indexOf(10, start);
    if (newline < 0) {
      if (buffer.length - start > MAX_LINE_WITHOUT_NEWLINE && !this.startsMultiget(buffer, start)) return TextFrame.Close;
      return TextFrame.Incomplete;
    }
    this.position = newline + 1;
    let end = newline;
    if (end - start > 1 && buffer[end - 1] === 13) end--;
    const nul = buffer.indexOf(0, start);
    if (nul >= 0 && nul < end) end = nul;
    this.tokenize(buffer, start, end);
    return TextFrame.Line;
  }

  /** memcached keeps reading a long line only if, after at most 100 spaces, it starts with "get " or "gets ". */
  private startsMultiget(buffer: Buffer, start: number): boolean {
    let i = start;
    while (buffer[i] === 32) i++;
    if (i - start > 100) return false;
    const word = buffer.latin1Slice(i, i + 5);
    return word.startsWith('get ') || word === 'gets ';
  }

  private tokenize(buffer: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    let count = 0;
    let tokenStart = start;
    for (let i = start; i <= end; i++) {
      if (i === end || buffer[i] === 32) {
        if (i > tokenStart) {
          if (count < tokens.length) tokens[count] = buffer.latin1Slice(tokenStart, i);
          else tokens.push(buffer.latin1Slice(tokenStart, i));
          count++;
        }
        tokenStart = i + 1;
      }
    }
    this.tokenCount = count;
  }
}
