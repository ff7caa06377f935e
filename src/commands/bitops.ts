import {
  ERR_BIT_VALUE,
  ERR_BITOP_NOT,
  ERR_BITPOS_BIT,
  fail,
} from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import { int64Arg, intArg, isToken, parseInt64, syntaxError } from './args.js';
import { bitfieldCommands } from './bitfield.js';
import { bitmapEdit, bitOffsetArg } from './bit-strings.js';
import { findStringSlot, readString } from './lookup.js';
import type { CommandSpec } from './spec.js';
import { keyAt } from './key-specs.js';

// SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP, as Redis 7.0's bitops.c. Reads work on the latin1
// string itself (one char per byte); writes go through a Buffer (bit-strings.ts).

/** Set bits in each byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/**
 * Long ranges are counted a word at a time: copied in chunks (a native latin1 copy) into a scratch
 * buffer read as 32-bit words, each counted with the SWAR popcount Redis also uses. Per-byte
 * charCodeAt is several times slower on bitmaps of kilobytes and more.
 */
const CHUNK_BYTES = 64 * 1024;
const chunk = Buffer.from(new ArrayBuffer(CHUNK_BYTES));
// Int32 rather than Uint32: words above 2^31 would leave V8's small-integer fast path.
const chunkWords = new Int32Array(chunk.buffer, 0, CHUNK_BYTES / 4);

/** Set bits in bytes `from`..`to` (inclusive) of the string. */
function popcount(value: string, from: number, to: number): number {
  let count = 0;
  const end = to + 1;
  if (end - from < 64) {
    for (let i = from; i < end; i++) count += POPCOUNT[value.charCodeAt(i)]!;
    return count;
  }
  for (let position = from; position < end; position += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, end - position);
    chunk.latin1Write(value.slice(position, position + length), 0, length);
    const words = length >>> 2;
    for (let i = 0; i < words; i++) {
      let v = chunkWords[i]!;
      v -= (v >>> 1) & 0x55555555;
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    for (let i = words * 4; i < length; i++) count += POPCOUNT[chunk[i]!]!;
  }
  return count;
}

// The range both BITCOUNT and BITPOS resolve (Redis' shared conversion): negative indexes count
// from the end, then both are clamped into [0, total - 1]. Module-level so no object is built.
let rangeStart = 0;
let rangeEnd = 0;

function resolveRange(start: number | bigint, end: number | bigint, total: number): void {
  // Arguments beyond 2^53 only need their sign and size here: any such index clamps the same way.
  let s = Number(start);
  let e = Number(end);
  if (s < 0) s += total;
  if (e < 0) e += total;
  if (s < 0) s = 0;
  if (e < 0) e = 0;
  if (e >= total) e = total - 1;
  rangeStart = s;
  rangeEnd = e;
}

/** BYTE or BIT (case-insensitive); true for BIT; anything else is a syntax error. */
function isBitUnit(text: string): boolean {
  if (isToken(text, 'BIT')) return true;
  if (!isToken(text, 'BYTE')) syntaxError();
  return false;
}

/** First bit equal to `bit` between bit positions `from` and `to` (inclusive), or -1. */
function findBit(value: string, bit: number, from: number, to: number): number {
  const firstByte = Math.floor(from / 8);
  const lastByte = Math.floor(to / 8);
  const skip = bit === 1 ? 0 : 0xff;
  for (let byte = firstByte; byte <= lastByte; byte++) {
    let c = value.charCodeAt(byte);
    if (c === skip && byte !== firstByte && byte !== lastByte) continue;
    // Turn the bits looked for into ones, then drop those outside the range.
    if (bit === 0) c = ~c & 0xff;
    if (byte === firstByte) c &= 0xff >> (from & 7);
    if (byte === lastByte) c &= (0xff00 >> ((to & 7) + 1)) & 0xff;
    if (c !== 0) return byte * 8 + Math.clz32(c) - 24;
  }
  return -1;
}

export const bitopsCommands: CommandSpec[] = [
  {
    name: 'setbit',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: 1, step: 1 },
    keyFlags: ['RW', 'access', 'update'],
    acl: ['write', 'bitmap', 'slow'],
    group: 'bitmap',
    since: '2.2.0',
    summary: 'Sets or clears the bit at offset in the string value stored at key',
    complexity: 'O(1)',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'offset', type: 'integer' },
      { name: 'value', type: 'integer' },
    ],
    handler: (session, argv): Reply => {
      const offset = bitOffsetArg(session, argv[2]!, 0);
      const on = parseInt64(argv[3]!);
      if (on !== 0 && on !== 1) fail(ERR_BIT_VALUE);
      const db = session.db;
      const key = argv[1]!;
      const slot = findStringSlot(db, key);
      const byte = Math.floor(offset / 8);
      const mask = 0x80 >> (offset & 7);
      if (slot >= 0) {
        const value = db.valueAt(slot) as string;
        if (byte < value.length) {
          const old = value.charCodeAt(byte) & mask ? 1 : 0;
          // Redis 7.0.15 writes (and counts a change) only when the bit flips or the string
          // grows; it still turns the value into a raw string.
          if (old === on) {
            db.setEncodingRaw(slot);
            return old;
          }
          bitmapEdit.open(db, slot, 0)[byte]! ^= mask;
          bitmapEdit.commit(db, key);
          return old;
        }
      }
      const buffer = bitmapEdit.open(db, slot, byte + 1);
      if (on === 1) buffer[byte]! |= mask;
      bitmapEdit.commit(db, key);
      return 0;
    },
  },
  {
    name: 'getbit',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['read', 'bitmap', 'fast'],
    group: 'bitmap',
    since: '2.2.0',
    summary: 'Returns the bit value at offset in the string value stored at key',
    complexity: 'O(1)',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'offset', type: 'integer' },
    ],
    handler: (session, argv): Reply => {
      const offset = bitOffsetArg(session, argv[2]!, 0);
      const value = readString(session.db, argv[1]!);
      if (value === undefined) return 0;
      const byte = Math.floor(offset / 8);
      if (byte >= value.length) return 0;
      return value.charCodeAt(byte) & (0x80 >> (offset & 7)) ? 1 : 0;
    },
  },
  {
    name: 'bitcount',
    arity: -2,
    flags: ['readonly'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['read', 'bitmap', 'slow'],
    group: 'bitmap',
    since: '2.6.0',
    summary: 'Count set bits in a string',
    complexity: 'O(N)',
    arguments: [
      { name: 'key', type: 'key' },
      {
        name: 'index',
        type: 'block',
        optional: true,
        arguments: [
          { name: 'start', type: 'integer' },
          { name: 'end', type: 'integer' },
          {
            name: 'index_unit',
            type: 'oneof',
            optional: true,
            arguments: [
              { name: 'byte', type: 'pure-token', token: 'BYTE' },
              { name: 'bit', type: 'pure-token', token: 'BIT' },
            ],
          },
        ],
      },
    ],
    handler: (session, argv): Reply => {
      // Redis 7.0 looks the key up before reading the arguments: a missing key answers 0
      // whatever follows, a wrong type answers WRONGTYPE before any syntax error.
      const value = readString(session.db, argv[1]!);
      if (value === undefined) return 0;
      const argc = argv.length;
      if (argc === 2) return popcount(value, 0, value.length - 1);
      if (argc !== 4 && argc !== 5) syntaxError();
      const start = int64Arg(argv[2]!);
      const end = int64Arg(argv[3]!);
      // Checked before the unit, so "-1 -5 junk" answers 0 rather than a syntax error.
      if (start < 0 && end < 0 && start > end) return 0;
      const isBit = argc === 5 && isBitUnit(argv[4]!);
      resolveRange(start, end, isBit ? value.length * 8 : value.length);
      if (rangeStart > rangeEnd) return 0;
      if (!isBit) return popcount(value, rangeStart, rangeEnd);
      const firstByte = Math.floor(rangeStart / 8);
      const lastByte = Math.floor(rangeEnd / 8);
      // Whole bytes, less the bits before the start and after the end.
      const before = (0xff00 >> (rangeStart & 7)) & 0xff;
      const after = (1 << (7 - (rangeEnd & 7))) - 1;
      return (
        popcount(value, firstByte, lastByte) -
        POPCOUNT[value.charCodeAt(firstByte) & before]! -
        POPCOUNT[value.charCodeAt(lastByte) & after]!
      );
    },
  },
  {
    name: 'bitpos',
    arity: -3,
    flags: ['readonly'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['read', 'bitmap', 'slow'],
    group: 'bitmap',
    since: '2.8.7',
    summary: 'Find first bit set or clear in a string',
    complexity: 'O(N)',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'bit', type: 'integer' },
      {
        name: 'index',
        type: 'block',
        optional: true,
        arguments: [
          { name: 'start', type: 'integer' },
          {
            name: 'end_index',
            type: 'block',
            optional: true,
            arguments: [
              { name: 'end', type: 'integer' },
              {
                name: 'index_unit',
                type: 'oneof',
                optional: true,
                arguments: [
                  { name: 'byte', type: 'pure-token', token: 'BYTE' },
                  { name: 'bit', type: 'pure-token', token: 'BIT' },
                ],
              },
            ],
          },
        ],
      },
    ],
    handler: (session, argv): Reply => {
      const bit = intArg(argv[2]!);
      if (bit !== 0 && bit !== 1) fail(ERR_BITPOS_BIT);
      // A missing key is an endless run of zeros, whatever the other arguments say.
      const value = readString(session.db, argv[1]!);
      if (value === undefined) return bit === 1 ? -1 : 0;
      const argc = argv.length;
      const length = value.length;
      let endGiven = false;
      let from: number;
      let to: number;
      if (argc === 3) {
        from = 0;
        to = length * 8 - 1;
      } else if (argc <= 6) {
        const start = int64Arg(argv[3]!);
        const isBit = argc === 6 && isBitUnit(argv[5]!);
        let end: number | bigint;
        if (argc >= 5) {
          end = int64Arg(argv[4]!);
          endGiven = true;
        } else {
          end = isBit ? length * 8 + 7 : length - 1;
        }
        resolveRange(start, end, isBit ? length * 8 : length);
        if (rangeStart > rangeEnd) return -1;
        from = isBit ? rangeStart : rangeStart * 8;
        to = isBit ? rangeEnd : rangeEnd * 8 + 7;
      } else {
        syntaxError();
      }
      // An empty range holds neither a 0 nor a 1.
      if (from > to) return -1;
      const position = findBit(value, bit, from, to);
      if (position >= 0 || bit === 1) return position;
      // No clear bit in the range: with no explicit end the string counts as zero-padded on the
      // right, so the answer is the first bit after it; with an explicit end there is none.
      return endGiven ? -1 : (Math.floor(to / 8) + 1) * 8;
    },
  },
  {
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: { first: 2, last: -1, step: 1 },
    keySpecs: [keyAt(2, ['OW', 'update']), keyAt(3, ['RO', 'access'], -1)],
    acl: ['write', 'bitmap', 'slow'],
    group: 'bitmap',
    since: '2.6.0',
    summary: 'Perform bitwise operations between strings',
    complexity: 'O(N)',
    arguments: [
      { name: 'operation', type: 'string' },
      { name: 'destkey', type: 'key' },
      { name: 'key', type: 'key', multiple: true },
    ],
    handler: (session, argv): Reply => {
      const operation = argv[1]!;
      const op = isToken(operation, 'AND') ? 0 : isToken(operation, 'OR') ? 1 : isToken(operation, 'XOR') ? 2 : isToken(operation, 'NOT') ? 3 : -1;
      if (op < 0) syntaxError();
      if (op === 3 && argv.length !== 4) fail(ERR_BITOP_NOT);
      const db = session.db;
      // Every source is read (and type-checked) before the destination is touched; a missing
      // key is an empty string.
      const sourceCount = argv.length - 3;
      const sources = new Array<string>(sourceCount);
      let maxLength = 0;
      for (let i = 3; i < argv.length; i++) {
        const value = readString(db, argv[i]!) ?? '';
        sources[i - 3] = value;
        if (value.length > maxLength) maxLength = value.length;
      }
      if (maxLength === 0) {
        // An empty result deletes the destination, as Redis does.
        db.delete(argv[2]!);
        return 0;
      }
      const result = Buffer.allocUnsafe(maxLength);
      const first = sources[0]!;
      result.latin1Write(first, 0);
      if (first.length < maxLength) result.fill(0, first.length);
      if (op === 3) {
        for (let i = 0; i < maxLength; i++) result[i] = ~result[i]!;
      }
      for (let k = 1; k < sourceCount; k++) {
        const source = sources[k]!;
        const length = source.length;
        if (op === 0) {
          for (let i = 0; i < length; i++) result[i]! &= source.charCodeAt(i);
          if (length < maxLength) result.fill(0, length);
        } else if (op === 1) {
          for (let i = 0; i < length; i++) result[i]! |= source.charCodeAt(i);
        } else {
          for (let i = 0; i < length; i++) result[i]! ^= source.charCodeAt(i);
        }
      }
      // Stored like SET (any TTL of the destination goes), as a raw string.
      db.setEncodingRaw(db.set(argv[2]!, result.latin1Slice(0, maxLength)));
      return maxLength;
    },
  },
  ...bitfieldCommands,
];
