// Memory accounting: what the keyspace costs in V8's heap (and typed arrays' backing stores),
// kept as one running sum that the data structures move as they change, never by walking keys.
//
// The costs are V8's on 64-bit Node without pointer compression (Node's default build): a
// pointer or small integer is 8 bytes, an object is a 24-byte header plus 8 bytes per field, a
// one-byte string is a 16-byte header plus its characters rounded up to 8. Where V8's layout is
// not visible from JS (a Map's hash table load, an array's growth slack) the constant is the
// average measured by bench/memory-calibration.ts over a million keys of each type; the numbers
// are in docs/ARCHITECTURE.md.

/** The bytes a data structure has charged, shared by every value of one keyspace. */
export class MemoryMeter {
  /** Bytes charged: the node's base, then keys, values and the databases' tables (used_memory). */
  used = 0;
  /** maxmemory, Infinity when it is 0: the request path's one comparison is `used > limit`. */
  limit = Infinity;
}

/**
 * Where a collection outside any keyspace charges its changes (a result being built, a value
 * just removed): nobody reads it, so a collection never needs to check whether it is attached.
 */
export const DETACHED_METER = new MemoryMeter();

/** A pointer-sized array cell or object field. */
export const POINTER_BYTES = 8;
/** A JS object's header (map, properties, elements). */
export const OBJECT_HEADER_BYTES = 24;
/** A JSArray (header and length) with its FixedArray's header: add 8 per element of capacity. */
export const ARRAY_BYTES = 32 + 16;
/** A Map object with its smallest hash table (4 entries). */
export const MAP_BYTES = 32 + 16 + 24 + 2 * 8 + 4 * 24;
/**
 * One Map entry: key, value and chain cells (24 bytes) plus half a bucket, times the table's
 * average slack (it doubles when full, so it is between half full and full). Measured.
 */
export const MAP_ENTRY_BYTES = 40;

/** A sequential one-byte string of `length` characters: 16-byte header, rounded up to 8. */
export function stringBytes(length: number): number {
  return (length + 23) & ~7;
}
