import {
  ERR_BITFIELD_OVERFLOW_TYPE,
  ERR_BITFIELD_RO,
  ERR_BITFIELD_TYPE,
  fail,
} from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { int64Arg, isToken, parseInt64, syntaxError } from './args.js';
import { bitmapEdit, bitOffsetArg } from './bit-strings.js';
import { findStringSlot, readString } from './lookup.js';
import type { CommandSpec, KeySpecFlag } from './spec.js';

// BITFIELD and BITFIELD_RO, as Redis 7.0's bitfieldGeneric: every operation is parsed before any
// runs (a bad argument anywhere leaves the key untouched), then they run in order on one string.
// Fields up to 32 bits use plain numbers; wider ones (i33..i64, u33..u63) use BigInt.

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

const OVERFLOW_WRAP = 0;
const OVERFLOW_SAT = 1;
const OVERFLOW_FAIL = 2;

// The parsed operations, reused by every call: commands run one at a time.
const opCodes: number[] = [];
const opOverflows: number[] = [];
const opSigned: boolean[] = [];
const opBits: number[] = [];
const opOffsets: number[] = [];
const opArgs: (number | bigint)[] = [];

/** 2^bits as a number, for the number path (bits <= 32). */
const POW2: number[] = [];
for (let bits = 0; bits <= 32; bits++) POW2.push(2 ** bits);
const BIG_POW2: bigint[] = [];
for (let bits = 0; bits <= 64; bits++) BIG_POW2.push(1n << BigInt(bits));

/**
 * A field never spans more than 9 bytes (64 bits from any bit of the first byte). Like Redis'
 * GET, each operation copies those bytes here zero-padded, works at a relative offset below 8, and
 * a write copies them back; so a field at the end of the string needs no bounds checks.
 */
const scratch = new Uint8Array(9);

function loadScratch(source: string | Buffer | undefined, byte: number): void {
  scratch.fill(0);
  if (source === undefined) return;
  const end = Math.min(source.length, byte + 9);
  if (typeof source === 'string') {
    for (let i = byte; i < end; i++) scratch[i - byte] = source.charCodeAt(i);
  } else {
    for (let i = byte; i < end; i++) scratch[i - byte] = source[i]!;
  }
}

function storeScratch(buffer: Buffer, byte: number): void {
  const end = Math.min(buffer.length, byte + 9);
  for (let i = byte; i < end; i++) buffer[i] = scratch[i - byte]!;
}

/** Unsigned value of `bits` (<= 32) bits at bit `offset` of the scratch, most significant first. */
function readBits(offset: number, bits: number): number {
  let value = 0;
  for (let end = offset + bits; offset < end; offset++) {
    value = value * 2 + ((scratch[offset >>> 3]! >> (7 - (offset & 7))) & 1);
  }
  return value;
}

/** Writes the low `bits` (<= 32) bits of the unsigned `value` at bit `offset` of the scratch. */
function writeBits(offset: number, bits: number, value: number): void {
  for (let shift = bits - 1; shift >= 0; shift--, offset++) {
    const mask = 0x80 >> (offset & 7);
    if ((value >>> shift) & 1) scratch[offset >>> 3]! |= mask;
    else scratch[offset >>> 3]! &= ~mask;
  }
}

function readWide(offset: number, bits: number): bigint {
  const high = readBits(offset, bits - 32);
  return (BigInt(high) << 32n) | BigInt(readBits(offset + bits - 32, 32));
}

function writeWide(offset: number, bits: number, value: bigint): void {
  const unsigned = BigInt.asUintN(bits, value);
  writeBits(offset, bits - 32, Number(unsigned >> 32n));
  writeBits(offset + bits - 32, 32, Number(unsigned & 0xffffffffn));
}

/** Reads one field from the scratch at relative offset `offset`. */
function getField(offset: number, bits: number, signed: boolean): number | bigint {
  if (bits > 32) {
    const value = readWide(offset, bits);
    return signed ? BigInt.asIntN(bits, value) : value;
  }
  const value = readBits(offset, bits);
  return signed && value >= POW2[bits - 1]! ? value - POW2[bits]! : value;
}

/** The low `bits` bits of an integer argument, as an unsigned number (bits <= 32). */
function lowBits(value: number | bigint, bits: number): number {
  if (typeof value === 'bigint') return Number(BigInt.asUintN(bits, value));
  const modulus = POW2[bits]!;
  return ((value % modulus) + modulus) % modulus;
}

/**
 * Redis' checkSignedBitfieldOverflow computes `max - value` in int64 for a SET of a field narrower
 * than 64 bits; for a value at or below max - 2^63 that wraps negative and the value is taken as
 * an overflow upwards, so OVERFLOW SAT stores the maximum. Reproduced as observed on 7.0.15.
 */
function setWrapsUpwards(value: bigint, max: bigint): boolean {
  return value <= max - 9223372036854775808n;
}

/**
 * SET or INCRBY on a field of at most 32 bits in the scratch, with Redis' overflow rules
 * (checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow). Returns the reply: the old value
 * for SET, the new one for INCRBY, null when OVERFLOW FAIL refused the write.
 */
function writeNarrow(offset: number, bits: number, signed: boolean, opcode: number, arg: number | bigint, overflow: number): number | null {
  const modulus = POW2[bits]!;
  let old = readBits(offset, bits);
  if (signed && old >= modulus / 2) old -= modulus;
  const min = signed ? -modulus / 2 : 0;
  const max = signed ? modulus / 2 - 1 : modulus - 1;
  // The limits are small, so comparing a bigint or an inexact large double against them is exact.
  // An unsigned SET of a negative value is a huge uint64 in Redis: an overflow upwards.
  let direction = 0;
  if (opcode === OP_SET) {
    if (arg > max || (!signed && arg < 0) || (signed && typeof arg === 'bigint' && setWrapsUpwards(arg, BigInt(max)))) direction = 1;
    else if (arg < min) direction = -1;
  } else if (arg > max - old) direction = 1;
  else if (arg < min - old) direction = -1;

  let value: number;
  if (direction === 0) {
    value = opcode === OP_SET ? Number(arg) : old + Number(arg);
  } else if (overflow === OVERFLOW_FAIL) {
    return null;
  } else if (overflow === OVERFLOW_SAT) {
    value = direction > 0 ? max : min;
  } else {
    value = lowBits(arg, bits);
    if (opcode === OP_INCRBY) value = (((old + value) % modulus) + modulus) % modulus;
    if (signed && value >= modulus / 2) value -= modulus;
  }
  writeBits(offset, bits, value < 0 ? value + modulus : value);
  return opcode === OP_SET ? old : value;
}

/** writeNarrow for fields of 33 to 64 bits, in BigInt. */
function writeWideField(offset: number, bits: number, signed: boolean, opcode: number, arg: number | bigint, overflow: number): bigint | null {
  const modulus = BIG_POW2[bits]!;
  let old = readWide(offset, bits);
  if (signed) old = BigInt.asIntN(bits, old);
  const min = signed ? -(modulus >> 1n) : 0n;
  const max = signed ? (modulus >> 1n) - 1n : modulus - 1n;
  const target = opcode === OP_SET ? BigInt(arg) : old + BigInt(arg);
  let direction = 0;
  if (target > max || (opcode === OP_SET && (signed ? bits < 64 && setWrapsUpwards(target, max) : target < 0n))) direction = 1;
  else if (target < min) direction = -1;

  let value: bigint;
  if (direction === 0) value = target;
  else if (overflow === OVERFLOW_FAIL) return null;
  else if (overflow === OVERFLOW_SAT) value = direction > 0 ? max : min;
  else value = signed ? BigInt.asIntN(bits, target) : BigInt.asUintN(bits, target);
  writeWide(offset, bits, value);
  return opcode === OP_SET ? old : value;
}

/** Parses `<i|u><bits>` (case-sensitive, as Redis): i1..i64, u1..u63. Returns bits, negative when signed. */
function fieldType(text: string): number {
  const sign = text.charCodeAt(0);
  const signed = sign === 105; // 'i'
  if (!signed && sign !== 117) fail(ERR_BITFIELD_TYPE); // 'u'
  const bits = parseInt64(text.slice(1));
  if (typeof bits !== 'number' || bits < 1 || bits > (signed ? 64 : 63)) fail(ERR_BITFIELD_TYPE);
  return signed ? -bits : bits;
}

function bitfieldGeneric(session: Session, argv: string[], readOnlyCommand: boolean): Reply {
  let count = 0;
  let overflow = OVERFLOW_WRAP;
  let readOnly = true;
  let highestWrite = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const subcommand = argv[j]!;
    let opcode: number;
    if (remaining >= 2 && isToken(subcommand, 'GET')) opcode = OP_GET;
    else if (remaining >= 3 && isToken(subcommand, 'SET')) opcode = OP_SET;
    else if (remaining >= 3 && isToken(subcommand, 'INCRBY')) opcode = OP_INCRBY;
    else if (remaining >= 1 && isToken(subcommand, 'OVERFLOW')) {
      const name = argv[++j]!;
      if (isToken(name, 'WRAP')) overflow = OVERFLOW_WRAP;
      else if (isToken(name, 'SAT')) overflow = OVERFLOW_SAT;
      else if (isToken(name, 'FAIL')) overflow = OVERFLOW_FAIL;
      else fail(ERR_BITFIELD_OVERFLOW_TYPE);
      continue;
    } else syntaxError();

    const type = fieldType(argv[j + 1]!);
    const bits = type < 0 ? -type : type;
    const offset = bitOffsetArg(session, argv[j + 2]!, bits);
    let arg: number | bigint = 0;
    if (opcode !== OP_GET) {
      readOnly = false;
      if (offset + bits - 1 > highestWrite) highestWrite = offset + bits - 1;
      arg = int64Arg(argv[j + 3]!);
    }
    opCodes[count] = opcode;
    opOverflows[count] = overflow;
    opSigned[count] = type < 0;
    opBits[count] = bits;
    opOffsets[count] = offset;
    opArgs[count] = arg;
    count++;
    j += opcode === OP_GET ? 2 : 3;
  }

  const db = session.db;
  const key = argv[1]!;
  let source: string | Buffer | undefined;
  if (readOnly) {
    source = readString(db, key);
  } else {
    if (readOnlyCommand) fail(ERR_BITFIELD_RO);
    // Redis pads the string up to the farthest bit written before running anything, so the key
    // is created or grown even when every write is refused by OVERFLOW FAIL.
    source = bitmapEdit.open(db, findStringSlot(db, key), Math.floor(highestWrite / 8) + 1);
  }

  const replies: Reply[] = new Array<Reply>(count);
  let changes = 0;
  for (let i = 0; i < count; i++) {
    const offset = opOffsets[i]!;
    const byte = Math.floor(offset / 8);
    const relative = offset - byte * 8;
    const bits = opBits[i]!;
    loadScratch(source, byte);
    if (opCodes[i] === OP_GET) {
      replies[i] = getField(relative, bits, opSigned[i]!);
      continue;
    }
    const reply = bits > 32
      ? writeWideField(relative, bits, opSigned[i]!, opCodes[i]!, opArgs[i]!, opOverflows[i]!)
      : writeNarrow(relative, bits, opSigned[i]!, opCodes[i]!, opArgs[i]!, opOverflows[i]!);
    replies[i] = reply;
    if (reply !== null) {
      storeScratch(source as Buffer, byte);
      changes++;
    }
  }

  if (!readOnly) {
    // Redis counts one change per write done (none for creating or padding the key), which also
    // decides whether the command is propagated.
    const stats = session.server.keyspace.stats;
    const dirtyBefore = stats.dirty;
    bitmapEdit.commit(db, key);
    stats.dirty = dirtyBefore + changes;
  }
  return replies;
}

const encodingOffset = [
  { name: 'encoding', type: 'string' },
  { name: 'offset', type: 'integer' },
] as const;

/**
 * Redis' bitfieldGetKeys: read-only when every operation is a well-formed GET or OVERFLOW; a SET,
 * an INCRBY or anything malformed counts as a write.
 */
function bitfieldKeyFlags(argv: readonly string[]): readonly KeySpecFlag[] {
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    const operation = argv[i]!.toLowerCase();
    if (operation === 'get' && remaining >= 2) i += 2;
    else if (operation === 'overflow' && remaining >= 1) i += 1;
    else return ['RW', 'access', 'update'];
  }
  return ['RO', 'access'];
}

export const bitfieldCommands: CommandSpec[] = [
  {
    name: 'bitfield',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: 1, step: 1 },
    keyFlags: ['RW', 'access', 'update', 'variable_flags'],
    keyNotes: 'This command allows both access and modification of the key',
    variableKeyFlags: bitfieldKeyFlags,
    acl: ['write', 'bitmap', 'slow'],
    group: 'bitmap',
    since: '3.2.0',
    summary: 'Perform arbitrary bitfield integer operations on strings',
    complexity: 'O(1) for each subcommand specified',
    arguments: [
      { name: 'key', type: 'key' },
      {
        name: 'operation',
        type: 'oneof',
        optional: true,
        multiple: true,
        arguments: [
          { name: 'encoding_offset', type: 'block', token: 'GET', arguments: [...encodingOffset] },
          {
            name: 'write',
            type: 'block',
            arguments: [
              {
                name: 'wrap_sat_fail',
                type: 'oneof',
                token: 'OVERFLOW',
                optional: true,
                arguments: [
                  { name: 'wrap', type: 'pure-token', token: 'WRAP' },
                  { name: 'sat', type: 'pure-token', token: 'SAT' },
                  { name: 'fail', type: 'pure-token', token: 'FAIL' },
                ],
              },
              {
                name: 'write_operation',
                type: 'oneof',
                arguments: [
                  {
                    name: 'encoding_offset_value',
                    type: 'block',
                    token: 'SET',
                    arguments: [...encodingOffset, { name: 'value', type: 'integer' }],
                  },
                  {
                    name: 'encoding_offset_increment',
                    type: 'block',
                    token: 'INCRBY',
                    arguments: [...encodingOffset, { name: 'increment', type: 'integer' }],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    handler: (session, argv) => bitfieldGeneric(session, argv, false),
  },
  {
    name: 'bitfield_ro',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['read', 'bitmap', 'fast'],
    group: 'bitmap',
    since: '6.0.0',
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    complexity: 'O(1) for each subcommand specified',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'encoding_offset', type: 'block', token: 'GET', optional: true, multiple: true, arguments: [...encodingOffset] },
    ],
    handler: (session, argv) => bitfieldGeneric(session, argv, true),
  },
];
