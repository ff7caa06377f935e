import '../resp/buffer-ext.js';

const EMPTY = Buffer.alloc(0);

/**
 * What memcached's text and binary request decoders share: the unconsumed bytes of the socket
 * chunks fed so far, the bytes memcached drops unread (conn_swallow), and a block of announced
 * length (a value) that may arrive over several chunks.
 */
export abstract class ChunkedInput {
  protected input: Buffer = EMPTY;
  protected position = 0;
  /** Whether the last block's trailer was "\r\n" (a text data block must end so). */
  blockTerminated = false;
  private blockWanted = false;
  private blockRemaining = 0;
  private blockTrailer = 0;
  private swallowRemaining = 0;
  private readonly blockParts: string[] = [];

  /** Bytes arrived; `chunk` may be a view into a shared buffer, so call retainLeftover before it changes. */
  feed(chunk: Buffer): void {
    this.input = this.position < this.input.length ? Buffer.concat([this.input.subarray(this.position), chunk]) : chunk;
    this.position = 0;
  }

  /** Copies the unconsumed tail out of the (shared) chunk. */
  retainLeftover(): void {
    this.input = this.position >= this.input.length ? EMPTY : Buffer.from(this.input.subarray(this.position));
    this.position = 0;
  }

  /** Drops the next `bytes` bytes unread (memcached's conn_swallow). */
  swallow(bytes: number): void {
    this.swallowRemaining = bytes;
  }

  /** A block of `length` content bytes and `trailer` bytes after them comes next. */
  protected startBlock(length: number, trailer: number): void {
    this.blockWanted = true;
    this.blockRemaining = length + trailer;
    this.blockTrailer = trailer;
    this.blockParts.length = 0;
  }

  protected get blockPending(): boolean {
    return this.blockWanted;
  }

  /** Consumes swallowed bytes; true while more are still to come. */
  protected swallowing(): boolean {
    if (this.swallowRemaining === 0) return false;
    const taken = Math.min(this.swallowRemaining, this.input.length - this.position);
    this.position += taken;
    this.swallowRemaining -= taken;
    return this.swallowRemaining > 0;
  }

  /** The block's content (latin1) once all of it is here, else undefined. */
  protected readBlock(): string | undefined {
    const buffer = this.input;
    const trailer = this.blockTrailer;
    const taken = Math.min(buffer.length - this.position, this.blockRemaining);
    if (taken === this.blockRemaining && this.blockParts.length === 0) {
      // The whole block is here: one copy, straight from the read buffer.
      const end = this.position + taken;
      const content = taken === trailer ? '' : buffer.latin1Slice(this.position, end - trailer);
      this.blockTerminated = trailer === 2 && buffer[end - 2] === 13 && buffer[end - 1] === 10;
      this.position = end;
      this.blockWanted = false;
      this.blockRemaining = 0;
      return content;
    }
    if (taken > 0) this.blockParts.push(buffer.latin1Slice(this.position, this.position + taken));
    this.position += taken;
    this.blockRemaining -= taken;
    if (this.blockRemaining > 0) return undefined;
    const whole = this.blockParts.join('');
    this.blockParts.length = 0;
    this.blockWanted = false;
    const length = whole.length;
    this.blockTerminated = trailer === 2 && whole.charCodeAt(length - 2) === 13 && whole.charCodeAt(length - 1) === 10;
    return trailer === 0 ? whole : whole.slice(0, length - trailer);
  }
}
