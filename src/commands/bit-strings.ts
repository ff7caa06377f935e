import { constants } from 'node:buffer';
import '../protocol/resp/buffer-ext.js';
import type { Database } from '../datastructures/database.js';
import { CommandError, ERR_BIT_OFFSET, ERR_STRING_TOO_LONG } from '../protocol/errors.js';
import type { Session } from '../server/session.js';
import { parseInt64 } from './args.js';

// What SETBIT, GETBIT and BITFIELD share: the bit offset argument and the in-place edit of a string.
// Bit 0 is the most significant bit of the first byte, as in Redis.

/**
 * Redis' getBitOffsetFromArgument. With `fieldBits` > 0 (BITFIELD), '#N' means N fields of that
 * width. Negative offsets and offsets whose byte reaches proto-max-bulk-len are refused.
 */
export function bitOffsetArg(session: Session, text: string, fieldBits: number): number {
  const hash = fieldBits > 0 && text.charCodeAt(0) === 35;
  let offset = parseInt64(hash ? text.slice(1) : text);
  if (offset === undefined) throw new CommandError(ERR_BIT_OFFSET);
  if (hash) {
    // Redis multiplies in int64 and wraps on overflow; a wrapped negative is refused below.
    const product = typeof offset === 'number' ? offset * fieldBits : NaN;
    offset = Number.isSafeInteger(product) ? product : BigInt.asIntN(64, BigInt(offset) * BigInt(fieldBits));
  }
  const limit = session.server.parserLimits.protoMaxBulkLen;
  if (typeof offset === 'bigint') {
    if (offset < 0n || offset >> 3n >= BigInt(limit)) throw new CommandError(ERR_BIT_OFFSET);
    return Number(offset);
  }
  if (offset < 0 || Math.floor(offset / 8) >= limit) throw new CommandError(ERR_BIT_OFFSET);
  return offset;
}

const EMPTY = Buffer.alloc(0);

/**
 * A string being changed bit by bit: a copy in a Buffer, zero-padded to the bytes the command
 * addresses (Redis' lookupStringForBitCommand), stored back by commit(). One instance is reused:
 * commands run synchronously, so no two edits overlap.
 */
class BitmapEdit {
  /** The key's slot, or -1 when the key did not exist. */
  private slot = -1;
  buffer: Buffer = EMPTY;
  /** Length of the string before the edit (0 for a new key). */
  oldLength = 0;

  /** Opens the string in `slot` (-1: none yet) so that it holds at least `minBytes` bytes. */
  open(db: Database, slot: number, minBytes: number): Buffer {
    const value = slot < 0 ? '' : (db.valueAt(slot) as string);
    const length = Math.max(value.length, minBytes);
    // V8 strings stop just short of 512MB; Redis would still allocate such a string.
    if (length > constants.MAX_STRING_LENGTH) throw new CommandError(ERR_STRING_TOO_LONG);
    const buffer = Buffer.allocUnsafe(length);
    buffer.latin1Write(value, 0);
    if (length > value.length) buffer.fill(0, value.length);
    this.slot = slot;
    this.oldLength = value.length;
    this.buffer = buffer;
    return buffer;
  }

  /**
   * Stores the buffer as the key's value: TTL kept on an existing key, none on a new one. Redis
   * reports a string edited in place as "raw". Returns the slot.
   */
  commit(db: Database, key: string): number {
    const value = this.buffer.latin1Slice(0, this.buffer.length);
    let slot = this.slot;
    if (slot < 0) slot = db.insert(key, value);
    else db.replaceAt(slot, value);
    db.setEncodingRaw(slot);
    this.buffer = EMPTY;
    return slot;
  }
}

export const bitmapEdit = new BitmapEdit();
