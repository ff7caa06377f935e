import '../resp/buffer-ext.js';

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
  /** The data block asked for with expectData: see data/dataTerminated. */
  Data,
  /** memcached closes the connection here (an over-long line that is not a multiget). */
  Close,
}

/** Longest run of bytes without a newline memcached accepts for anything but get/gets. */
const MAX_LINE_WITHOUT_NEWLINE = 2048;
const EMPTY = Buffer.alloc(0);

export class MemcachedTextParser {
  /** The last line's tokens (entries past tokenCount are stale). */
  readonly tokens: string[] = [];
  tokenCount = 0;
  /** The last data block without its two terminator bytes, and whether they were "\r\n". */
  data = '';
  dataTerminated = false;
  private buffer: Buffer = EMPTY;
  private position = 0;
  /** Bytes of the data block still to read (expectData), or to drop (swallow). */
  private dataRemaining = 0;
  private dataWanted = false;
  private swallowRemaining = 0;
  private dataParts: string[] = [];

  /** Bytes received and not consumed yet. */
  get pendingBytes(): number {
    return this.buffer.length - this.position;
  }

  /** True while a data block is being read or swallowed. */
  get inDataBlock(): boolean {
    return this.dataWanted || this.swallowRemaining > 0;
  }

  /** Bytes arrived; `chunk` may be a view into a shared buffer, so call retainLeftover before it changes. */
  feed(chunk: Buffer): void {
    if (this.position < this.buffer.length) {
      this.buffer = Buffer.concat([this.buffer.subarray(this.position), chunk]);
    } else {
      this.buffer = chunk;
    }
    this.position = 0;
  }

  /** Copies the unconsumed tail out of the (shared) chunk. */
  retainLeftover(): void {
    if (this.position >= this.buffer.length) {
      this.buffer = EMPTY;
    } else {
      this.buffer = Buffer.from(this.buffer.subarray(this.position));
    }
    this.position = 0;
  }

  /** The next data block is `length` value bytes plus the two terminator bytes. */
  expectData(length: number): void {
    this.dataWanted = true;
    this.dataRemaining = length + 2;
    this.dataParts.length = 0;
  }

  /** Drops the next `bytes` bytes unread (memcached's conn_swallow after a refused storage command). */
  swallow(bytes: number): void {
    this.swallowRemaining = bytes;
  }

  next(): TextFrame {
    const buffer = this.buffer;
    if (this.swallowRemaining > 0) {
      const taken = Math.min(this.swallowRemaining, buffer.length - this.position);
      this.position += taken;
      this.swallowRemaining -= taken;
      if (this.swallowRemaining > 0) return TextFrame.Incomplete;
    }
    if (this.dataWanted) return this.readData(buffer);
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

  private readData(buffer: Buffer): TextFrame {
    const available = buffer.length - this.position;
    const taken = Math.min(available, this.dataRemaining);
    if (taken === this.dataRemaining && this.dataParts.length === 0) {
      // The whole block is here: one copy, straight from the read buffer.
      const end = this.position + taken;
      this.data = buffer.latin1Slice(this.position, end - 2);
      this.dataTerminated = buffer[end - 2] === 13 && buffer[end - 1] === 10;
      this.position = end;
      this.dataWanted = false;
      this.dataRemaining = 0;
      return TextFrame.Data;
    }
    if (taken > 0) this.dataParts.push(buffer.latin1Slice(this.position, this.position + taken));
    this.position += taken;
    this.dataRemaining -= taken;
    if (this.dataRemaining > 0) return TextFrame.Incomplete;
    const whole = this.dataParts.join('');
    this.dataParts.length = 0;
    this.data = whole.slice(0, whole.length - 2);
    this.dataTerminated = whole.charCodeAt(whole.length - 2) === 13 && whole.charCodeAt(whole.length - 1) === 10;
    this.dataWanted = false;
    return TextFrame.Data;
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
