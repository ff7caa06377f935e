import '../resp/buffer-ext.js';
import { ChunkedInput } from './chunked-input.js';
import { PrefixViews } from '../bytes.js';

// memcached's binary protocol (protocol_binary.h), codec only: a socket-free incremental request
// decoder and a response encoder into one reused buffer. What a request means is the command
// layer's business (src/memcached/binary-commands.ts).
//
// Every packet starts with a 24-byte header: magic, opcode, key length (16 bits), extras length,
// data type, vbucket (requests) or status (responses), total body length (32 bits), opaque (echoed
// back as is) and CAS (64 bits), all big-endian. The body is extras, then key, then value.
//
// Framing follows memcached's try_read_command_binary: nothing happens until the whole header has
// arrived; then a wrong magic byte closes the connection; then the request waits for its extras
// and key, and only those are consumed before the command runs. The value (body minus extras and
// key) is read or skipped when the command asks for it (expectValue / swallow), as memcached's
// conn_nread and conn_swallow do: a command that does not ask leaves those bytes to be read as
// the next header, exactly as memcached would.

export const REQUEST_MAGIC = 0x80;
export const RESPONSE_MAGIC = 0x81;
export const HEADER_LENGTH = 24;
/** Extras longer than this are consumed but not kept (memcached's BIN_MAX_EXTLEN). */
const MAX_EXTRAS_KEPT = 20;

export const enum Opcode {
  Get = 0x00,
  Set = 0x01,
  Add = 0x02,
  Replace = 0x03,
  Delete = 0x04,
  Increment = 0x05,
  Decrement = 0x06,
  Quit = 0x07,
  Flush = 0x08,
  GetQ = 0x09,
  Noop = 0x0a,
  Version = 0x0b,
  GetK = 0x0c,
  GetKQ = 0x0d,
  Append = 0x0e,
  Prepend = 0x0f,
  Stat = 0x10,
  SetQ = 0x11,
  AddQ = 0x12,
  ReplaceQ = 0x13,
  DeleteQ = 0x14,
  IncrementQ = 0x15,
  DecrementQ = 0x16,
  QuitQ = 0x17,
  FlushQ = 0x18,
  AppendQ = 0x19,
  PrependQ = 0x1a,
  Touch = 0x1c,
  Gat = 0x1d,
  GatQ = 0x1e,
  SaslListMechs = 0x20,
  SaslAuth = 0x21,
  SaslStep = 0x22,
  GatK = 0x23,
  GatKQ = 0x24,
  /** ElastiCache's addition: the cluster configuration (Auto Discovery), key "cluster". */
  ConfigGet = 0x60,
}

export const enum Status {
  Success = 0x00,
  KeyNotFound = 0x01,
  KeyExists = 0x02,
  TooLarge = 0x03,
  InvalidArguments = 0x04,
  NotStored = 0x05,
  NonNumeric = 0x06,
  AuthError = 0x20,
  AuthContinue = 0x21,
  UnknownCommand = 0x81,
  OutOfMemory = 0x82,
}

/** write_bin_error's texts for each status (the body of an error response). */
export function statusText(status: Status): string {
  switch (status) {
    case Status.OutOfMemory:
      return 'Out of memory';
    case Status.UnknownCommand:
      return 'Unknown command';
    case Status.KeyNotFound:
      return 'Not found';
    case Status.InvalidArguments:
      return 'Invalid arguments';
    case Status.KeyExists:
      return 'Data exists for key.';
    case Status.TooLarge:
      return 'Too large.';
    case Status.NonNumeric:
      return 'Non-numeric server-side value for incr or decr';
    case Status.NotStored:
      return 'Not stored.';
    case Status.AuthError:
      return 'Auth failure.';
    default:
      return 'UNHANDLED ERROR';
  }
}

export const enum BinaryFrame {
  /** More bytes are needed. */
  Incomplete,
  /** A request header with its extras and key: see the parser's fields. */
  Request,
  /** The value asked for with expectValue: see `value`. */
  Value,
  /** The header's first byte is not the request magic: memcached closes the connection. */
  BadMagic,
}

const TWO_32 = 4294967296;

// Big-endian 32-bit fields by hand: Buffer's readUInt32BE/writeUInt32BE validate their arguments
// on every call, which costs more than the four byte moves on a header we have already bounded.
function getUint32(buffer: Buffer, at: number): number {
  return ((buffer[at]! << 24) | (buffer[at + 1]! << 16) | (buffer[at + 2]! << 8) | buffer[at + 3]!) >>> 0;
}

function putUint32(buffer: Buffer, at: number, value: number): void {
  buffer[at] = value >>> 24;
  buffer[at + 1] = (value >>> 16) & 0xff;
  buffer[at + 2] = (value >>> 8) & 0xff;
  buffer[at + 3] = value & 0xff;
}

export class BinaryRequestParser extends ChunkedInput {
  opcode = 0;
  keyLength = 0;
  extrasLength = 0;
  bodyLength = 0;
  /** Echoed back untouched in every response to this request. */
  opaque = 0;
  /** The request's CAS (0 = none); exact up to 2^53, far beyond any CAS the store hands out. */
  cas = 0;
  /** The request's key (latin1, a copy). */
  key = '';
  /** The first extras bytes (up to 20), copied out of the read buffer. */
  readonly extras = Buffer.alloc(MAX_EXTRAS_KEPT + 4);
  /** The value asked for with expectValue (latin1, a copy). */
  value = '';

  /** The request's value (`length` bytes) comes next. */
  expectValue(length: number): void {
    this.startBlock(length, 0);
  }

  next(): BinaryFrame {
    if (this.swallowing()) return BinaryFrame.Incomplete;
    if (this.blockPending) {
      const value = this.readBlock();
      if (value === undefined) return BinaryFrame.Incomplete;
      this.value = value;
      return BinaryFrame.Value;
    }
    const buffer = this.input;
    const start = this.position;
    const available = buffer.length - start;
    if (available < HEADER_LENGTH) return BinaryFrame.Incomplete;
    if (buffer[start] !== REQUEST_MAGIC) return BinaryFrame.BadMagic;
    const keyLength = (buffer[start + 2]! << 8) | buffer[start + 3]!;
    const extrasLength = buffer[start + 4]!;
    if (available < HEADER_LENGTH + extrasLength + keyLength) return BinaryFrame.Incomplete;
    this.opcode = buffer[start + 1]!;
    this.keyLength = keyLength;
    this.extrasLength = extrasLength;
    this.bodyLength = getUint32(buffer, start + 8);
    this.opaque = getUint32(buffer, start + 12);
    this.cas = getUint32(buffer, start + 16) * TWO_32 + getUint32(buffer, start + 20);
    const extrasStart = start + HEADER_LENGTH;
    if (extrasLength > 0) buffer.copy(this.extras, 0, extrasStart, extrasStart + Math.min(extrasLength, MAX_EXTRAS_KEPT));
    const keyStart = extrasStart + extrasLength;
    this.key = keyLength === 0 ? '' : buffer.latin1Slice(keyStart, keyStart + keyLength);
    this.position = keyStart + keyLength;
    return BinaryFrame.Request;
  }
}

/**
 * Responses of one read batch, encoded into one growing buffer and handed to the socket in one
 * write. The buffer is reused for the next batch unless the kernel did not take the last write at
 * once (then the socket still holds it, and `detach` starts a new one).
 */
export class BinaryResponseWriter {
  length = 0;
  /**
   * How much of the batch memcached would already have sent: it transmits its pending responses
   * at certain points (an error that skips nothing, a noop), and a connection it then closes for
   * a bad header loses only what came after. See `commit` and `dropUncommitted`.
   */
  private committed = 0;
  private buffer = Buffer.allocUnsafe(16 * 1024);
  private views = new PrefixViews(this.buffer);

  /** A response header; the body (`bodyLength` bytes: extras, key, value) must follow. */
  header(opcode: number, status: number, extrasLength: number, keyLength: number, bodyLength: number, opaque: number, cas: number): void {
    this.reserve(HEADER_LENGTH + bodyLength);
    const buffer = this.buffer;
    const at = this.length;
    buffer[at] = RESPONSE_MAGIC;
    buffer[at + 1] = opcode;
    buffer[at + 2] = keyLength >>> 8;
    buffer[at + 3] = keyLength & 0xff;
    buffer[at + 4] = extrasLength;
    buffer[at + 5] = 0;
    buffer[at + 6] = status >>> 8;
    buffer[at + 7] = status & 0xff;
    putUint32(buffer, at + 8, bodyLength);
    putUint32(buffer, at + 12, opaque);
    putUint32(buffer, at + 16, Math.floor(cas / TWO_32));
    putUint32(buffer, at + 20, cas);
    this.length = at + HEADER_LENGTH;
  }

  uint32(value: number): void {
    putUint32(this.buffer, this.length, value);
    this.length += 4;
  }

  uint64(value: bigint): void {
    this.buffer.writeBigUInt64BE(value, this.length);
    this.length += 8;
  }

  latin1(text: string): void {
    if (text.length === 0) return;
    this.length += this.buffer.latin1Write(text, this.length, text.length);
  }

  /** Everything so far counts as sent (memcached's conn_mwrite). */
  commit(): void {
    this.committed = this.length;
  }

  /** Forgets the responses written since the last commit. */
  dropUncommitted(): void {
    this.length = this.committed;
  }

  /** The batch so far, to be written; the writer starts over. */
  take(): Buffer | undefined {
    this.committed = 0;
    if (this.length === 0) return undefined;
    const data = this.views.of(this.length);
    this.length = 0;
    return data;
  }

  /** The last taken batch is still queued in the socket: write the next ones elsewhere. */
  detach(): void {
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.views = new PrefixViews(this.buffer);
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    this.views = new PrefixViews(grown);
  }
}
