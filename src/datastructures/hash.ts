import type { CollectionValue } from './values.js';
import { ARRAY_BYTES, DETACHED_METER, MAP_BYTES, MAP_ENTRY_BYTES, OBJECT_HEADER_BYTES, POINTER_BYTES, stringBytes, type MemoryMeter } from './memory-meter.js';

// A Redis hash. Small hashes are Redis' listpack: one flat array field, value, field, value… in
// insertion order (an update keeps its place, a delete closes the gap), searched linearly as Redis
// searches its listpack — two array slots per entry and no per-entry object. A hash that outgrows
// hash-max-listpack-entries / hash-max-listpack-value becomes a hashtable, one way, as in Redis:
// a Map from field to a slot in parallel field/value arrays. Slots never move while the hash
// lives (a freed slot is reused by a later insert), so a slot number is a SCAN cursor that
// returns every field present for the whole scan, and a random slot is an O(1) random pick.

/** The two hash-max-listpack-* settings, read from CONFIG by the command when a hash grows. */
export interface HashLimits {
  maxListpackEntries: number;
  maxListpackValue: number;
}

/** Shared by every new hash until its first insert, which allocates its own array. */
const EMPTY: string[] = [];

/** The HashValue object: header and its five fields. */
const HASH_OBJECT_BYTES = OBJECT_HEADER_BYTES + 5 * POINTER_BYTES;
/** The hashtable encoding's fixed part: its object, the Map and the three arrays. */
const TABLE_BYTES = OBJECT_HEADER_BYTES + 4 * POINTER_BYTES + MAP_BYTES + 3 * ARRAY_BYTES;
/** Per slot of the fields and values arrays, which grow as push does (about a quarter of slack). */
const TABLE_SLOT_BYTES = 2 * 10;

export class HashValue implements CollectionValue {
  /** listpack encoding: field, value pairs in order; null once the hash is a hashtable. */
  private pairs: string[] | null = EMPTY;
  /** hashtable encoding, created on conversion so a small hash carries nothing of it. */
  private table: HashTable | null = null;
  /** The field and value strings, summed as they come and go. */
  private elementBytes = 0;
  bytes = HASH_OBJECT_BYTES;
  meter: MemoryMeter = DETACHED_METER;

  get kind(): 'hash' {
    return 'hash';
  }

  get encoding(): 'listpack' | 'hashtable' {
    return this.pairs === null ? 'hashtable' : 'listpack';
  }

  get size(): number {
    return this.pairs !== null ? this.pairs.length >> 1 : this.table!.index.size;
  }

  clone(): HashValue {
    const copy = new HashValue();
    if (this.pairs !== null) {
      copy.pairs = this.pairs.slice();
    } else {
      copy.pairs = null;
      const table = new HashTable();
      this.forEach((field, value) => table.insert(field, value));
      copy.table = table;
    }
    copy.elementBytes = this.elementBytes;
    copy.recharge();
    return copy;
  }

  get(field: string): string | undefined {
    const pairs = this.pairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === field) return pairs[i + 1];
      return undefined;
    }
    const table = this.table!;
    const slot = table.index.get(field);
    return slot === undefined ? undefined : table.values[slot];
  }

  has(field: string): boolean {
    return this.get(field) !== undefined;
  }

  /**
   * Sets a field; true when it is new. Redis' hashTypeSet: a field or value longer than
   * hash-max-listpack-value converts first, a listpack that then holds more than
   * hash-max-listpack-entries converts after.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    let pairs = this.pairs;
    if (pairs !== null && (field.length > limits.maxListpackValue || value.length > limits.maxListpackValue)) {
      this.convertToTable();
      pairs = null;
    }
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === field) {
          this.elementBytes += stringBytes(value.length) - stringBytes(pairs[i + 1]!.length);
          pairs[i + 1] = value;
          this.recharge();
          return false;
        }
      }
      // Grown to the exact size, as a listpack is reallocated per insert: push() would leave
      // V8's slack (16+ slots), which measured 240 bytes per 3-field hash against 136 this way.
      const length = pairs.length;
      const grown = new Array<string>(length + 2);
      for (let i = 0; i < length; i++) grown[i] = pairs[i]!;
      grown[length] = field;
      grown[length + 1] = value;
      this.pairs = grown;
      this.elementBytes += stringBytes(field.length) + stringBytes(value.length);
      if (length / 2 + 1 > limits.maxListpackEntries) this.convertToTable();
      this.recharge();
      return true;
    }
    const table = this.table!;
    const slot = table.index.get(field);
    if (slot !== undefined) {
      this.elementBytes += stringBytes(value.length) - stringBytes(table.values[slot]!.length);
      table.values[slot] = value;
      this.recharge();
      return false;
    }
    table.insert(field, value);
    this.elementBytes += stringBytes(field.length) + stringBytes(value.length);
    this.recharge();
    return true;
  }

  /** Removes a field; true when it was there. The caller deletes an emptied hash's key. */
  delete(field: string): boolean {
    const pairs = this.pairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === field) {
          this.elementBytes -= stringBytes(field.length) + stringBytes(pairs[i + 1]!.length);
          pairs.splice(i, 2);
          this.recharge();
          return true;
        }
      }
      return false;
    }
    const value = this.table!.remove(field);
    if (value === undefined) return false;
    this.elementBytes -= stringBytes(field.length) + stringBytes(value.length);
    this.recharge();
    return true;
  }

  /** Visits every entry: insertion order for a listpack, slot order for a hashtable. */
  forEach(visit: (field: string, value: string) => void): void {
    const pairs = this.pairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) visit(pairs[i]!, pairs[i + 1]!);
      return;
    }
    const { fields, values } = this.table!;
    for (let slot = 0; slot < fields.length; slot++) {
      const field = fields[slot];
      if (field !== undefined) visit(field, values[slot]!);
    }
  }

  /** Flat field, value, field, value… (HGETALL). */
  toFlatArray(): string[] {
    if (this.pairs !== null) return this.pairs.slice();
    const out: string[] = [];
    this.forEach((field, value) => out.push(field, value));
    return out;
  }

  fieldList(): string[] {
    const out: string[] = [];
    this.forEach((field) => out.push(field));
    return out;
  }

  valueList(): string[] {
    const out: string[] = [];
    this.forEach((_field, value) => out.push(value));
    return out;
  }

  /** A uniformly random entry as [field, value]; the hash must not be empty. */
  randomEntry(random: () => number = Math.random): [string, string] {
    const pairs = this.pairs;
    if (pairs !== null) {
      const i = Math.floor(random() * (pairs.length >> 1)) * 2;
      return [pairs[i]!, pairs[i + 1]!];
    }
    const { fields, values, index } = this.table!;
    // Slots are mostly live (freed ones are reused first), so a few draws almost always hit;
    // a hash emptied down to a sparse table falls back to counting.
    for (let attempt = 0; attempt < 32; attempt++) {
      const slot = Math.floor(random() * fields.length);
      const field = fields[slot];
      if (field !== undefined) return [field, values[slot]!];
    }
    let target = Math.floor(random() * index.size);
    for (let slot = 0; slot < fields.length; slot++) {
      if (fields[slot] !== undefined && target-- === 0) return [fields[slot]!, values[slot]!];
    }
    throw new Error('randomEntry on an empty hash');
  }

  /**
   * `count` distinct entries (count < size), in the hash's own order as Redis returns a listpack
   * sample; as a flat field, value… array.
   */
  randomDistinct(count: number, random: () => number = Math.random): string[] {
    const size = this.size;
    const chosen = new Uint8Array(size);
    // Floyd's sampling picks `count` distinct positions in O(count) draws.
    for (let j = size - count; j < size; j++) {
      const t = Math.floor(random() * (j + 1));
      chosen[chosen[t] === 1 ? j : t] = 1;
    }
    const out: string[] = [];
    let position = 0;
    this.forEach((field, value) => {
      if (chosen[position++] === 1) out.push(field, value);
    });
    return out;
  }

  /**
   * One step of HSCAN over a hashtable: visits slots from `cursor` until `count` entries were
   * collected (at most 10 × count slots, as Redis bounds its empty buckets), pushes field, value
   * pairs; returns the next cursor, 0 at the end.
   */
  scan(cursor: number, count: number, found: string[]): number {
    const { fields, values } = this.table!;
    let collected = 0;
    let budget = count * 10;
    let slot = cursor;
    for (; slot < fields.length && collected < count && budget > 0; slot++, budget--) {
      const field = fields[slot];
      if (field === undefined) continue;
      found.push(field, values[slot]!);
      collected++;
    }
    return slot >= fields.length ? 0 : slot;
  }

  /** The cost of the hash as it stands: O(1), from its encoding's sizes and the string sum. */
  private recharge(): void {
    let bytes = HASH_OBJECT_BYTES + this.elementBytes;
    const pairs = this.pairs;
    if (pairs === null) {
      const table = this.table!;
      bytes += TABLE_BYTES + table.index.size * MAP_ENTRY_BYTES + table.fields.length * TABLE_SLOT_BYTES;
    } else if (pairs !== EMPTY) {
      bytes += ARRAY_BYTES + pairs.length * POINTER_BYTES;
    }
    this.meter.used += bytes - this.bytes;
    this.bytes = bytes;
  }

  private convertToTable(): void {
    const pairs = this.pairs!;
    this.pairs = null;
    const table = new HashTable();
    for (let i = 0; i < pairs.length; i += 2) table.insert(pairs[i]!, pairs[i + 1]!);
    this.table = table;
  }
}

/** The hashtable encoding: field → slot in the parallel `fields` / `values` arrays. */
class HashTable {
  readonly index = new Map<string, number>();
  readonly fields: (string | undefined)[] = [];
  readonly values: (string | undefined)[] = [];
  /** Slots freed by deletes, reused by inserts. */
  private readonly freeSlots: number[] = [];

  insert(field: string, value: string): void {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.fields.length;
    this.fields[slot] = field;
    this.values[slot] = value;
    this.index.set(field, slot);
  }

  /** Removes a field; returns its value, undefined when it was not there. */
  remove(field: string): string | undefined {
    const slot = this.index.get(field);
    if (slot === undefined) return undefined;
    const value = this.values[slot];
    this.index.delete(field);
    this.fields[slot] = undefined;
    this.values[slot] = undefined;
    if (this.index.size === 0) {
      // Nothing can be scanning an emptied hash: its key is deleted with it.
      this.fields.length = 0;
      this.values.length = 0;
      this.freeSlots.length = 0;
    } else {
      this.freeSlots.push(slot);
    }
    return value;
  }
}
