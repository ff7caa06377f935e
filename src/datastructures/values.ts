import type { MemoryMeter } from './memory-meter.js';

// What a key can hold. A Redis string is a JS string with one char per byte (latin1), which is
// binary-safe and the most compact V8 representation; collections are objects tagged by kind.

export type ValueKind = 'string' | 'list' | 'set' | 'zset' | 'hash';

export interface CollectionValue {
  readonly kind: Exclude<ValueKind, 'string'>;
  /** What OBJECT ENCODING answers for the same data in Redis (listpack, quicklist, intset…). */
  readonly encoding: string;
  /** Number of elements (fields, members); an emptied collection is deleted by its command. */
  readonly size: number;
  /** A deep copy, for COPY. */
  clone(): CollectionValue;
  /**
   * What the collection costs in memory (bytes, its elements included, its key not), kept
   * current by its own mutating methods, which add each change to `meter` too.
   */
  readonly bytes: number;
  /** The keyspace's meter while the collection is stored under a key, DETACHED_METER otherwise. */
  meter: MemoryMeter;
}

export type StoredValue = string | CollectionValue;

export function kindOf(value: StoredValue): ValueKind {
  return typeof value === 'string' ? 'string' : value.kind;
}
