import './buffer-ext.js';
import {
  BoolReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NoReply,
  NullArrayReply,
  OK,
  PONG,
  PushReply,
  QUEUED,
  SetReply,
  SimpleString,
  VerbatimReply,
  type Reply,
} from '../reply.js';
import { formatDouble17g } from '../format.js';

export type ProtocolVersion = 2 | 3;

const INITIAL_SIZE = 4096;
/** Past this a buffer that grew for one big batch is dropped after the flush instead of kept. */
const RETAINED_SIZE = 64 * 1024;
/** Bulk payloads this large are handed to the socket as they are instead of copied. */
const DIRECT_WRITE_SIZE = 64 * 1024;

const CRLF = '\r\n';
const PRE_PONG = Buffer.from('+PONG\r\n');
const PRE_QUEUED = Buffer.from('+QUEUED\r\n');

/**
 * Where a batch goes: strings are latin1 (large bulk payloads handed over without a copy). write()
 * returns true when the sink kept the chunk (it was not sent at once), so it must not be reused.
 */
export interface ReplySink {
  write(chunk: Buffer | string): boolean;
}

/**
 * Encodes typed replies for one connection into a batch buffer; flush() hands the batch to the
 * socket in one write, straight from that buffer. The kernel almost always takes it at once and
 * the buffer is reused; when the socket keeps it, the writer moves on to a new one.
 */
export class ReplyWriter {
  protocol: ProtocolVersion = 2;
  /** Total bytes encoded, for INFO total_net_output_bytes and CLIENT LIST tot-net-out. */
  bytesWritten = 0;
  private out: Buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  private length = 0;
  private readonly spilled: (Buffer | string)[] = [];

  get pendingBytes(): number {
    let total = this.length;
    for (const chunk of this.spilled) total += chunk.length;
    return total;
  }

  write(reply: Reply): void {
    switch (typeof reply) {
      case 'string':
        this.bulk(reply);
        return;
      case 'number':
        this.integer(reply);
        return;
      case 'bigint':
        this.raw(`:${reply}\r\n`);
        return;
      case 'object':
        break;
      default:
        throw new Error(`not a reply: ${typeof reply}`);
    }
    if (reply === null) {
      this.nullBulk();
    } else if (reply === OK) {
      this.ok();
    } else if (Array.isArray(reply)) {
      this.header(42, reply.length);
      for (let i = 0; i < reply.length; i++) this.write(reply[i]!);
    } else if (reply instanceof ErrorReply) {
      this.error(reply.text);
    } else if (reply instanceof SimpleString) {
      if (reply === PONG) this.bytes(PRE_PONG);
      else if (reply === QUEUED) this.bytes(PRE_QUEUED);
      else this.raw(`+${reply.text}\r\n`);
    } else if (reply instanceof MapReply) {
      if (this.protocol === 3) this.header(37, reply.flat.length / 2);
      else this.header(42, reply.flat.length);
      for (const item of reply.flat) this.write(item);
    } else if (reply instanceof SetReply) {
      this.header(this.protocol === 3 ? 126 : 42, reply.items.length);
      for (const item of reply.items) this.write(item);
    } else if (reply instanceof DoubleReply) {
      const text = formatDouble17g(reply.value);
      if (this.protocol === 3) this.raw(`,${text}\r\n`);
      else this.bulk(text);
    } else if (reply instanceof BoolReply) {
      if (this.protocol === 3) this.raw(reply.value ? '#t\r\n' : '#f\r\n');
      else this.raw(reply.value ? ':1\r\n' : ':0\r\n');
    } else if (reply instanceof NullArrayReply) {
      this.raw(this.protocol === 3 ? '_\r\n' : '*-1\r\n');
    } else if (reply instanceof VerbatimReply) {
      if (this.protocol === 3) {
        this.raw(`=${reply.text.length + 4}\r\n${reply.format}:`);
        this.raw(reply.text);
        this.raw(CRLF);
      } else {
        this.bulk(reply.text);
      }
    } else if (reply instanceof PushReply) {
      this.header(this.protocol === 3 ? 62 : 42, reply.items.length);
      for (const item of reply.items) this.write(item);
    } else if (reply instanceof NoReply) {
      return;
    }
  }

  // The two most frequent constant replies, written byte by byte: cheaper than copying a Buffer.
  private nullBulk(): void {
    this.reserve(5);
    const out = this.out;
    if (this.protocol === 3) {
      out[this.length++] = 95;
    } else {
      out[this.length++] = 36;
      out[this.length++] = 45;
      out[this.length++] = 49;
    }
    out[this.length++] = 13;
    out[this.length++] = 10;
  }

  private ok(): void {
    this.reserve(5);
    const out = this.out;
    out[this.length++] = 43;
    out[this.length++] = 79;
    out[this.length++] = 75;
    out[this.length++] = 13;
    out[this.length++] = 10;
  }

  /** An error line; Redis turns CR and LF inside error texts into spaces to keep the framing. */
  error(text: string): void {
    const safe = text.includes('\r') || text.includes('\n') ? text.replace(/[\r\n]/g, ' ') : text;
    this.raw(`-${safe}\r\n`);
  }

  bulk(value: string): void {
    const length = value.length;
    if (length >= DIRECT_WRITE_SIZE) {
      this.header(36, length);
      this.spill();
      this.spilled.push(value);
      this.raw(CRLF);
      return;
    }
    this.reserve(length + 16);
    const out = this.out;
    out[this.length++] = 36;
    this.digits(length);
    out[this.length++] = 13;
    out[this.length++] = 10;
    this.length += out.latin1Write(value, this.length);
    out[this.length++] = 13;
    out[this.length++] = 10;
  }

  integer(value: number): void {
    if (!Number.isSafeInteger(value)) {
      // A whole number past 2^53 still prints all its digits (String() would say 1e+21).
      this.raw(Number.isInteger(value) ? `:${BigInt(value)}\r\n` : `:${value}\r\n`);
      return;
    }
    this.reserve(24);
    this.out[this.length++] = 58;
    this.digits(value);
    this.out[this.length++] = 13;
    this.out[this.length++] = 10;
  }

  /** An aggregate header: `type` is the RESP type byte, then the count and CRLF. */
  header(type: number, count: number): void {
    this.reserve(24);
    this.out[this.length++] = type;
    this.digits(count);
    this.out[this.length++] = 13;
    this.out[this.length++] = 10;
  }

  /** Already-encoded protocol text (latin1). */
  raw(text: string): void {
    this.reserve(text.length);
    this.length += this.out.latin1Write(text, this.length);
  }

  bytes(chunk: Buffer): void {
    this.reserve(chunk.length);
    this.length += chunk.copy(this.out, this.length);
  }

  /** Hands everything encoded since the last flush to the socket in one write (more only for big payloads). */
  flush(sink: ReplySink): void {
    if (this.spilled.length === 0) {
      if (this.length === 0) return;
      this.bytesWritten += this.length;
      const kept = sink.write(this.out.subarray(0, this.length));
      this.length = 0;
      if (kept || this.out.length > RETAINED_SIZE) this.out = Buffer.allocUnsafe(INITIAL_SIZE);
      return;
    }
    this.spill();
    for (const chunk of this.spilled) {
      this.bytesWritten += chunk.length;
      sink.write(chunk);
    }
    this.spilled.length = 0;
  }

  /** Drops whatever was not flushed (a client that is going away). */
  discard(): void {
    this.length = 0;
    this.spilled.length = 0;
  }

  private takeBuffer(): Buffer {
    const chunk = Buffer.allocUnsafe(this.length);
    this.out.copy(chunk, 0, 0, this.length);
    this.length = 0;
    if (this.out.length > RETAINED_SIZE) this.out = Buffer.allocUnsafe(INITIAL_SIZE);
    return chunk;
  }

  private spill(): void {
    if (this.length > 0) this.spilled.push(this.takeBuffer());
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.out.copy(grown, 0, 0, this.length);
    this.out = grown;
  }

  /** Writes a safe integer's decimal digits without making a string. */
  private digits(value: number): void {
    const out = this.out;
    if (value < 0) {
      out[this.length++] = 45;
      value = -value;
    }
    if (value < 10) {
      out[this.length++] = 48 + value;
      return;
    }
    let width = 1;
    for (let probe = value; probe >= 10; probe = Math.floor(probe / 10)) width++;
    let position = this.length + width - 1;
    while (value >= 10) {
      const next = Math.floor(value / 10);
      out[position--] = 48 + (value - next * 10);
      value = next;
    }
    out[position] = 48 + value;
    this.length += width;
  }
}
