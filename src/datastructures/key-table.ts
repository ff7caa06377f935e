import type { StoredValue } from './values.js';
import { MemoryMeter, stringBytes } from './memory-meter.js';

/** Cells per slot: the key, its value and its access field, side by side. */
const STRIDE = 3;
const VALUE = 1;
const ACCESS = 2;
const INITIAL_INDEX_CAPACITY = 16;
/**
 * A slot's three cells in the `cells` array, with the quarter of slack a pushed array carries on
 * average (it grows by half plus 16). Measured with bench/memory-calibration.ts.
 */
export const SLOT_BYTES = 3 * 8 + 6;
/** A seed per process, so which keys collide cannot be planned from outside (Redis seeds SipHash). */
const SEED = (Math.random() * 0x100000000) | 0;

/**
 * A database's storage: dense slots of (key, value, access field) and an open-addressing index
 * from key to slot.
 *
 * Why not a Map: with a keyspace larger than the caches, every memory access of a lookup is a
 * miss, and a V8 Map from key to slot costs a bucket, an entry, the stored key, then the value
 * and the access field in their own arrays: six misses where Redis has four. Here the index holds
 * the key's hash next to the slot number, so a probe rarely reads a stored key that does not
 * match, and the slot's key, value and access field share one cache line: a hit costs the index
 * cell, the slot's cells, the stored key's characters and the value.
 *
 * Slots stay dense (swap-remove), which the callers rely on for random sampling and SCAN.
 */
export class KeyTable {
  private cells: (string | StoredValue | number)[] = [];
  /** Per slot: the key's hash, so growing the index and moving a slot never re-read keys. */
  private hashes: Int32Array = new Int32Array(INITIAL_INDEX_CAPACITY);
  /** Pairs (hash, slot + 1); a 0 slot marks an empty cell. Linear probing, at most half full. */
  private index = new Int32Array(INITIAL_INDEX_CAPACITY * 2);
  private mask = INITIAL_INDEX_CAPACITY - 1;
  private count = 0;
  /** The hash of the key last missed by find(), reused by the add() that usually follows. */
  private missedKey: string | undefined = undefined;
  private missedHash = 0;

  /** Charges the key strings, the slots and the index arrays to `meter` as they change. */
  constructor(private readonly meter: MemoryMeter = new MemoryMeter()) {
    meter.used += this.indexBytes();
  }

  get size(): number {
    return this.count;
  }

  /** The slot holding `key`, or -1. */
  find(key: string): number {
    const hash = hashOf(key);
    const index = this.index;
    const mask = this.mask;
    for (let position = hash & mask; ; position = (position + 1) & mask) {
      const stored = index[2 * position + 1]!;
      if (stored === 0) break;
      if (index[2 * position] === hash && this.cells[STRIDE * (stored - 1)] === key) return stored - 1;
    }
    this.missedKey = key;
    this.missedHash = hash;
    return -1;
  }

  keyAt(slot: number): string {
    return this.cells[STRIDE * slot] as string;
  }

  valueAt(slot: number): StoredValue {
    return this.cells[STRIDE * slot + VALUE] as StoredValue;
  }

  setValueAt(slot: number, value: StoredValue): void {
    this.cells[STRIDE * slot + VALUE] = value;
  }

  accessAt(slot: number): number {
    return this.cells[STRIDE * slot + ACCESS] as number;
  }

  setAccessAt(slot: number, field: number): void {
    this.cells[STRIDE * slot + ACCESS] = field;
  }

  /** Adds a key known to be absent in the next slot, and returns that slot. */
  add(key: string, value: StoredValue, access: number): number {
    const hash = key === this.missedKey ? this.missedHash : hashOf(key);
    this.missedKey = undefined;
    const slot = this.count++;
    if (slot === this.hashes.length) {
      this.meter.used += this.hashes.byteLength;
      this.hashes = grown(this.hashes, slot * 2);
    }
    this.hashes[slot] = hash;
    this.cells.push(key, value, access);
    this.meter.used += SLOT_BYTES + stringBytes(key.length);
    if (this.count * 2 > this.mask + 1) this.rebuildIndex((this.mask + 1) * 2);
    else this.place(hash, slot);
    return slot;
  }

  /**
   * Removes the slot's entry; the last slot moves into the hole. Returns the slot that moved
   * (the old last slot), or -1 when the removed one was last.
   */
  remove(slot: number): number {
    this.unplace(this.positionOf(slot));
    const last = --this.count;
    const cells = this.cells;
    this.meter.used -= SLOT_BYTES + stringBytes((cells[STRIDE * slot] as string).length);
    let moved = -1;
    if (slot !== last) {
      const hash = this.hashes[last]!;
      this.index[2 * this.positionOf(last) + 1] = slot + 1;
      this.hashes[slot] = hash;
      cells[STRIDE * slot] = cells[STRIDE * last]!;
      cells[STRIDE * slot + VALUE] = cells[STRIDE * last + VALUE]!;
      cells[STRIDE * slot + ACCESS] = cells[STRIDE * last + ACCESS]!;
      moved = last;
    }
    cells.length = STRIDE * last;
    // Shrink as Redis resizes its dicts down, so a database that was emptied gives memory back.
    const capacity = this.mask + 1;
    if (capacity > INITIAL_INDEX_CAPACITY && this.count * 8 < capacity) this.rebuildIndex(capacity / 2);
    if (this.hashes.length > INITIAL_INDEX_CAPACITY && this.count * 4 < this.hashes.length) {
      this.meter.used -= this.hashes.byteLength / 2;
      this.hashes = this.hashes.slice(0, this.hashes.length / 2);
    }
    return moved;
  }

  private place(hash: number, slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let position = hash & mask;
    while (index[2 * position + 1] !== 0) position = (position + 1) & mask;
    index[2 * position] = hash;
    index[2 * position + 1] = slot + 1;
  }

  /** Where in the index the slot is referenced. */
  private positionOf(slot: number): number {
    const index = this.index;
    const mask = this.mask;
    let position = this.hashes[slot]! & mask;
    while (index[2 * position + 1] !== slot + 1) position = (position + 1) & mask;
    return position;
  }

  /** Empties an index cell, shifting later cells of the probe run back so no tombstone is needed. */
  private unplace(hole: number): void {
    const index = this.index;
    const mask = this.mask;
    let position = hole;
    for (;;) {
      position = (position + 1) & mask;
      const stored = index[2 * position + 1]!;
      if (stored === 0) break;
      const home = index[2 * position]! & mask;
      // The cell may fill the hole only if its home is not in the cyclic range (hole, position].
      const homeBetween = hole <= position ? home > hole && home <= position : home > hole || home <= position;
      if (homeBetween) continue;
      index[2 * hole] = index[2 * position]!;
      index[2 * hole + 1] = stored;
      hole = position;
    }
    index[2 * hole] = 0;
    index[2 * hole + 1] = 0;
  }

  /** The typed arrays' bytes (their backing stores; the few objects around them are not counted). */
  indexBytes(): number {
    return this.index.byteLength + this.hashes.byteLength;
  }

  /**
   * What the table charged, for a database dropping it whole (FLUSHDB): its arrays, slots and
   * keys, found by walking the keys as freeing them does. The values are the caller's.
   */
  chargedBytes(): number {
    let bytes = this.indexBytes() + this.count * SLOT_BYTES;
    for (let slot = 0; slot < this.count; slot++) bytes += stringBytes((this.cells[STRIDE * slot] as string).length);
    return bytes;
  }

  private rebuildIndex(capacity: number): void {
    this.meter.used += capacity * 8 - this.index.byteLength;
    this.index = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
    for (let slot = 0; slot < this.count; slot++) this.place(this.hashes[slot]!, slot);
  }
}

/** FNV-1a over the characters (one per byte), finished with murmur3's avalanche. */
function hashOf(key: string): number {
  let hash = SEED ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

function grown(from: Int32Array, length: number): Int32Array {
  const to = new Int32Array(length);
  to.set(from);
  return to;
}
