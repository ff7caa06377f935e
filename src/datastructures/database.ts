import type { StoredValue } from './values.js';
import type { AccessPolicy, KeyspaceClock, KeyspaceEvents, KeyspaceStats } from './keyspace.js';
import { KeyTable, SLOT_BYTES } from './key-table.js';
import { DETACHED_METER, MemoryMeter, stringBytes } from './memory-meter.js';

const INITIAL_CAPACITY = 16;
const CLOCK_MASK = 0xffffff;
const FLAGS_MASK = ~CLOCK_MASK;
/** A string changed in place (APPEND, SETRANGE, SETBIT…): Redis reports it "raw" whatever its length. */
const RAW_ENCODING = 1 << 24;
/** An integer string that is not Redis' shared integer object (COPY duplicates it): refcount 1. */
const UNSHARED = 1 << 25;
/** A string Redis built as text (INCRBYFLOAT's result): embstr or raw by length, never int. */
const NOT_INTEGER = 1 << 26;
/** Encoding flags a copy of a value keeps. */
const ENCODING_FLAGS = RAW_ENCODING | NOT_INTEGER;
/** Redis' LFU_INIT_VAL: the counter a new key starts with, so it is not evicted at once. */
const LFU_INIT_VAL = 5;

/**
 * One of the numbered databases.
 *
 * Layout (measured, see docs/ARCHITECTURE.md): a KeyTable holds each key, its value and its
 * access field in a dense slot, found through its own hash index; the expiry time is in a
 * parallel array read only when the database has keys with a TTL. No object per entry: a small
 * string key costs its slot cells, its index cell, its key string and its value string. Dense
 * slots give O(1) random sampling (RANDOMKEY, expiry cycle, eviction); deleting swaps the last
 * slot into the hole.
 *
 * SCAN walks slots from the top down. A swap only moves the last slot (already visited, or above
 * the cursor) into the hole, so a key present for the whole scan can move to a lower slot but
 * never above the cursor: every such key is returned, as Redis guarantees.
 */
export class Database {
  /**
   * Keys, values and per slot the access field: bits 0-23 Redis' 24-bit `lru` field, bits 24-26
   * flags. Under an LRU policy the field is the access clock in seconds; under LFU it is 16 bits
   * of minutes and an 8-bit logarithmic counter, exactly as Redis reuses the same bits.
   */
  private table: KeyTable;
  private expireAt = new Float64Array(INITIAL_CAPACITY);
  /** Slots that have a TTL, dense, for sampling by the expiry cycle. */
  private volatileSlots = new Int32Array(INITIAL_CAPACITY);
  /** Per slot: its position in volatileSlots, or -1. */
  private volatilePosition = new Int32Array(INITIAL_CAPACITY);
  private volatileCount = 0;
  private capacity = INITIAL_CAPACITY;
  /**
   * Expiry times past 2^53 ms (EXPIREAT near the int64 limit), exact, by key; the Float64 array
   * holds the nearest double for comparisons. Almost always empty.
   */
  private hugeExpireAt = new Map<string, bigint>();
  /** Keys looked at by the last expireSample() call. */
  lastSampled = 0;
  /**
   * Redis' db->avg_ttl: a running average of the remaining TTLs the expiry cycle samples (ms),
   * 0 when no key has a TTL. INFO keyspace reports it.
   */
  avgTtl = 0;

  constructor(
    readonly id: number,
    private readonly clock: KeyspaceClock,
    private readonly stats: KeyspaceStats,
    private readonly access: AccessPolicy,
    private readonly events: KeyspaceEvents,
    private readonly meter: MemoryMeter = new MemoryMeter(),
  ) {
    this.table = new KeyTable(meter);
    meter.used += this.expiryBytes();
  }

  get size(): number {
    return this.table.size;
  }

  get expiresCount(): number {
    return this.volatileCount;
  }

  /**
   * The slot holding a live key, or -1. Expires the key on the way if its time has come (lazy
   * expiry) and records the access (LRU clock or LFU counter), as Redis' lookupKey does.
   */
  find(key: string): number {
    const slot = this.findNoTouch(key);
    if (slot >= 0) this.touch(slot);
    return slot;
  }

  /** Like find(), counting a keyspace hit or miss, for commands that read. */
  findForRead(key: string): number {
    const slot = this.find(key);
    if (slot < 0) this.stats.keyspaceMisses++;
    else this.stats.keyspaceHits++;
    return slot;
  }

  /**
   * Redis' lookupKeyReadWithFlags(LOOKUP_NOTOUCH) (EXISTS, TYPE, TTL, OBJECT): lazy expiry and
   * hit/miss counting, but the access clock stays as it was.
   */
  findForReadNoTouch(key: string): number {
    const slot = this.findNoTouch(key);
    if (slot < 0) this.stats.keyspaceMisses++;
    else this.stats.keyspaceHits++;
    return slot;
  }

  /** Lazy expiry only: the slot of a live key or -1, access clock untouched, nothing counted. */
  findNoTouch(key: string): number {
    const slot = this.table.find(key);
    if (slot < 0) return -1;
    // Like Redis, which consults its expires dict only when it is not empty: with no TTL in the
    // database the expiry array is not read at all (one cache miss less per lookup).
    if (this.volatileCount === 0) return slot;
    const expireAt = this.expireAt[slot]!;
    if (expireAt !== 0 && expireAt <= this.clock.now) {
      // While CLIENT PAUSE holds writes the dataset stays as it is: the key is gone for the
      // reader but not deleted or counted (Redis' expireIfNeeded during a pause).
      if (!this.access.expiryPaused) this.expireSlot(slot);
      return -1;
    }
    return slot;
  }

  /** Whether the key exists, without expiring, touching or counting anything. */
  has(key: string): boolean {
    const slot = this.table.find(key);
    if (slot < 0) return false;
    const expireAt = this.expireAt[slot]!;
    return expireAt === 0 || expireAt > this.clock.now;
  }

  /** Counts a read the caller resolved itself (SCAN TYPE looks keys up as Redis does). */
  countRead(hit: boolean): void {
    if (hit) this.stats.keyspaceHits++;
    else this.stats.keyspaceMisses++;
  }

  valueAt(slot: number): StoredValue {
    return this.table.valueAt(slot);
  }

  keyAt(slot: number): string {
    return this.table.keyAt(slot);
  }

  /** Absolute expiry in ms of the key in this slot, 0 when it has none (nearest double past 2^53). */
  expireAtSlot(slot: number): number {
    return this.expireAt[slot]!;
  }

  /** Absolute expiry in ms exactly as set: a bigint past 2^53, as Redis keeps any int64. */
  exactExpireAtSlot(slot: number): number | bigint {
    const expireAt = this.expireAt[slot]!;
    if (expireAt <= Number.MAX_SAFE_INTEGER && expireAt >= Number.MIN_SAFE_INTEGER) return expireAt;
    return this.hugeExpireAt.get(this.table.keyAt(slot)) ?? expireAt;
  }

  /** Redis' 24-bit `lru` field of the slot (the access clock, or LFU minutes and counter). */
  lruAt(slot: number): number {
    return this.table.accessAt(slot) & CLOCK_MASK;
  }

  /** Seconds since the key was last accessed, handling the 24-bit wrap as Redis' estimateObjectIdleTime. */
  idleSecondsAt(slot: number): number {
    const now = this.clock.lruNow & CLOCK_MASK;
    const then = this.lruAt(slot);
    return now >= then ? now - then : CLOCK_MASK - then + now;
  }

  /** The LFU counter after its time decay, as Redis' LFUDecrAndReturn (OBJECT FREQ). */
  accessFrequencyAt(slot: number): number {
    return this.decayedCounter(this.lruAt(slot));
  }

  /** Marks the string in the slot as changed in place, so OBJECT ENCODING reports "raw". */
  setEncodingRaw(slot: number): void {
    this.table.setAccessAt(slot, this.table.accessAt(slot) | RAW_ENCODING);
  }

  isEncodingRaw(slot: number): boolean {
    return (this.table.accessAt(slot) & RAW_ENCODING) !== 0;
  }

  /** Marks the string in the slot as stored as text, so OBJECT ENCODING never reports "int". */
  setEncodingNotInteger(slot: number): void {
    this.table.setAccessAt(slot, this.table.accessAt(slot) | NOT_INTEGER);
  }

  isEncodingNotInteger(slot: number): boolean {
    return (this.table.accessAt(slot) & NOT_INTEGER) !== 0;
  }

  /** Whether the value is a private copy rather than Redis' shared integer (COPY makes those). */
  isUnshared(slot: number): boolean {
    return (this.table.accessAt(slot) & UNSHARED) !== 0;
  }

  get(key: string): StoredValue | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.table.valueAt(slot);
  }

  /** Counts changes made in place to a collection's elements (Redis' server.dirty += n). */
  markChanged(changes = 1): void {
    this.stats.dirty += changes;
  }

  /** Replaces the value in a slot found this command; the TTL stays (APPEND, INCR, SETRANGE). */
  replaceAt(slot: number, value: StoredValue): void {
    this.stats.dirty++;
    this.swapValue(slot, value);
    this.table.setAccessAt(slot, this.table.accessAt(slot) & CLOCK_MASK);
  }

  /** Adds a key that find() just reported missing; returns its slot. */
  insert(key: string, value: StoredValue): number {
    this.stats.dirty++;
    return this.attach(key, value, this.freshAccessField());
  }

  /**
   * SET semantics: creates or overwrites, clearing any TTL unless keepTtl. Returns the slot.
   * One lookup either way.
   */
  set(key: string, value: StoredValue, keepTtl = false): number {
    const slot = this.find(key);
    if (slot < 0) return this.insert(key, value);
    this.stats.dirty++;
    this.swapValue(slot, value);
    this.table.setAccessAt(slot, this.table.accessAt(slot) & CLOCK_MASK);
    if (!keepTtl && this.expireAt[slot] !== 0) this.clearExpireAt(slot);
    return slot;
  }

  /** DEL: removes a live key; true when there was one. */
  delete(key: string): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.deleteAt(slot);
    return true;
  }

  deleteAt(slot: number): void {
    this.stats.dirty++;
    this.removeSlot(slot);
  }

  /**
   * RENAME and MOVE: takes the entry out of its slot and adds it to `target` (this database or
   * another) as `key`, with its value, TTL, access clock and encoding, as Redis moves the object
   * itself. An entry already at `key` in `target` is replaced (RENAME's overwrite, not a change
   * of its own). Returns the new slot there.
   */
  moveEntryTo(slot: number, target: Database, key: string): number {
    const value = this.table.valueAt(slot);
    const expireAt = this.exactExpireAtSlot(slot);
    const field = this.table.accessAt(slot);
    this.removeSlot(slot);
    this.stats.dirty++;
    target.detach(key);
    const moved = target.attach(key, value, field);
    if (expireAt !== 0) target.addExpire(moved, expireAt);
    return moved;
  }

  /**
   * COPY: adds `value` (a duplicate of the one in `slot`) to `target` as `key` with the source's
   * TTL. A duplicate is a new object in Redis: fresh access clock, same encoding, never the
   * shared integer. An entry already at `key` in `target` is replaced (COPY … REPLACE).
   * Returns the new slot there.
   */
  copyEntryTo(slot: number, target: Database, key: string, value: StoredValue): number {
    const expireAt = this.exactExpireAtSlot(slot);
    const flags = (this.table.accessAt(slot) & ENCODING_FLAGS) | UNSHARED;
    this.stats.dirty++;
    target.detach(key);
    const copied = target.attach(key, value, target.freshAccessField() | flags);
    if (expireAt !== 0) target.addExpire(copied, expireAt);
    return copied;
  }

  /** Sets an absolute expiry in ms on a live slot (a bigint only past 2^53). */
  setExpireAt(slot: number, when: number | bigint): void {
    this.stats.dirty++;
    this.addExpire(slot, when);
  }

  /** PERSIST: removes the TTL of a live slot, counting the change; true when it had one. */
  persistAt(slot: number): boolean {
    if (!this.clearExpireAt(slot)) return false;
    this.stats.dirty++;
    return true;
  }

  /** Removes the TTL of a live slot; true when it had one. */
  clearExpireAt(slot: number): boolean {
    if (this.expireAt[slot] === 0) return false;
    this.expireAt[slot] = 0;
    if (this.hugeExpireAt.size > 0) this.hugeExpireAt.delete(this.table.keyAt(slot));
    const position = this.volatilePosition[slot]!;
    const lastPosition = --this.volatileCount;
    if (position !== lastPosition) {
      const movedSlot = this.volatileSlots[lastPosition]!;
      this.volatileSlots[position] = movedSlot;
      this.volatilePosition[movedSlot] = position;
    }
    this.volatilePosition[slot] = -1;
    return true;
  }

  /**
   * A uniformly random live key, or undefined when empty. Expired keys met on the way are
   * removed, as Redis' dbRandomKey does; the chosen key's access clock is not touched.
   */
  randomKey(): string | undefined {
    const now = this.clock.now;
    if (this.access.expiryPaused) return this.randomLiveKey(now);
    while (this.table.size > 0) {
      const slot = Math.floor(Math.random() * this.table.size);
      const expireAt = this.expireAt[slot]!;
      if (expireAt === 0 || expireAt > now) return this.table.keyAt(slot);
      this.expireSlot(slot);
    }
    return undefined;
  }

  /** randomKey() while expiry is paused: expired keys are skipped, not removed. */
  private randomLiveKey(now: number): string | undefined {
    const size = this.table.size;
    if (size === 0) return undefined;
    const start = Math.floor(Math.random() * size);
    // A few random draws, then a walk from a random slot, so a database of expired keys ends.
    for (let attempt = 0; attempt < 16; attempt++) {
      const slot = Math.floor(Math.random() * size);
      const expireAt = this.expireAt[slot]!;
      if (expireAt === 0 || expireAt > now) return this.table.keyAt(slot);
    }
    for (let i = 0; i < size; i++) {
      const slot = (start + i) % size;
      const expireAt = this.expireAt[slot]!;
      if (expireAt === 0 || expireAt > now) return this.table.keyAt(slot);
    }
    return undefined;
  }

  /**
   * One step of SCAN: visits up to `count` slots below `cursor` (0 starts at the top), calling
   * `visit` for each key, and returns the next cursor (0 when done). Keys whose time has come are
   * visited too: Redis' SCAN matches the pattern first and expires only the keys that pass it, so
   * the caller decides (findNoTouch). Deleting a visited key afterwards keeps the guarantee: the
   * slot swapped into its hole comes from above the cursor.
   */
  scan(cursor: number, count: number, visit: (key: string, value: StoredValue) => void): number {
    const size = this.table.size;
    let position = cursor === 0 || cursor > size ? size : cursor;
    let visited = 0;
    while (position > 0 && visited < count) {
      position--;
      visited++;
      visit(this.table.keyAt(position), this.table.valueAt(position));
    }
    return position;
  }

  /** Every live key, for KEYS (expired ones are skipped, not removed, as Redis' KEYS does). */
  forEachKey(visit: (key: string, value: StoredValue) => void): void {
    const now = this.clock.now;
    for (let slot = 0; slot < this.table.size; slot++) {
      const expireAt = this.expireAt[slot]!;
      if (expireAt !== 0 && expireAt <= now) continue;
      visit(this.table.keyAt(slot), this.table.valueAt(slot));
    }
  }

  /**
   * One round of the active expiry cycle on this database: samples up to `samples` keys with a
   * TTL and removes the expired ones. Returns how many it removed; lastSampled says how many it
   * looked at (no tuple allocated per round).
   */
  expireSample(samples: number): number {
    if (this.volatileCount === 0) {
      this.avgTtl = 0;
      this.lastSampled = 0;
      return 0;
    }
    const now = this.clock.now;
    let sampled = 0;
    let expired = 0;
    let ttlSum = 0;
    let ttlSamples = 0;
    for (; sampled < samples && this.volatileCount > 0; sampled++) {
      const slot = this.volatileSlots[Math.floor(Math.random() * this.volatileCount)]!;
      const ttl = this.expireAt[slot]! - now;
      if (ttl <= 0) {
        this.expireSlot(slot);
        expired++;
      } else {
        ttlSum += ttl;
        ttlSamples++;
      }
    }
    if (ttlSamples > 0) {
      // Redis' running average: the sample weighs 2%, in integer arithmetic as activeExpireCycle.
      const sample = Math.floor(ttlSum / ttlSamples);
      if (this.avgTtl === 0) this.avgTtl = sample;
      this.avgTtl = Math.floor(this.avgTtl / 50) * 49 + Math.floor(sample / 50);
    }
    this.lastSampled = sampled;
    return expired;
  }

  /** The slot of `key` as stored, expired or not, touching and counting nothing (MEMORY USAGE's dictFind). */
  peek(key: string): number {
    return this.table.find(key);
  }

  /** MEMORY USAGE: what the key costs, its slot, key string and value with its elements. */
  usageAt(slot: number): number {
    const value = this.table.valueAt(slot);
    const valueBytes = typeof value === 'string' ? stringBytes(value.length) : value.bytes;
    return SLOT_BYTES + stringBytes(this.table.keyAt(slot).length) + valueBytes;
  }

  /** MEMORY STATS overhead.hashtable.main: the slots and the key index (Redis: dict entries, buckets, robj). */
  overheadMain(): number {
    return this.table.size * SLOT_BYTES + this.table.indexBytes();
  }

  /** MEMORY STATS overhead.hashtable.expires: the expiry arrays (Redis: the expires dict). */
  overheadExpires(): number {
    return this.expiryBytes();
  }

  /**
   * Eviction candidates: fills `out` with up to `count` slots, of any key or (volatile) of keys
   * with a TTL, and returns how many. All of them when there are no more than `count`, as Redis'
   * dictGetSomeKeys returns a small dict whole; otherwise uniformly random slots.
   */
  sampleSlots(out: Int32Array, count: number, volatile: boolean): number {
    const size = volatile ? this.volatileCount : this.table.size;
    if (size <= count) {
      for (let i = 0; i < size; i++) out[i] = volatile ? this.volatileSlots[i]! : i;
      return size;
    }
    for (let i = 0; i < count; i++) {
      const pick = Math.floor(Math.random() * size);
      out[i] = volatile ? this.volatileSlots[pick]! : pick;
    }
    return count;
  }

  /**
   * Removes `key` for eviction, found as Redis' dictFind does (no lazy expiry, no access): false
   * when it is gone, or has no TTL any more for a volatile policy. Not a change (no dirty).
   */
  evict(key: string, volatile: boolean): boolean {
    const slot = this.table.find(key);
    if (slot < 0 || (volatile && this.expireAt[slot] === 0)) return false;
    this.removeSlot(slot);
    return true;
  }

  /** FLUSHDB: empties the database; returns how many keys it held (Redis adds them to dirty). */
  clear(): number {
    const removed = this.table.size;
    this.stats.dirty += removed;
    let freed = this.table.chargedBytes() + this.expiryBytes();
    for (let slot = 0; slot < removed; slot++) freed += this.releaseValue(this.table.valueAt(slot));
    this.meter.used -= freed;
    this.table = new KeyTable(this.meter);
    this.avgTtl = 0;
    this.capacity = INITIAL_CAPACITY;
    this.expireAt = new Float64Array(INITIAL_CAPACITY);
    this.volatileSlots = new Int32Array(INITIAL_CAPACITY);
    this.volatilePosition = new Int32Array(INITIAL_CAPACITY);
    this.volatileCount = 0;
    this.hugeExpireAt = new Map();
    this.meter.used += this.expiryBytes();
    return removed;
  }

  /** SWAPDB swaps contents, not objects, so sessions that point at a Database stay valid. */
  swapContents(other: Database): void {
    [this.table, other.table] = [other.table, this.table];
    [this.expireAt, other.expireAt] = [other.expireAt, this.expireAt];
    [this.volatileSlots, other.volatileSlots] = [other.volatileSlots, this.volatileSlots];
    [this.volatilePosition, other.volatilePosition] = [other.volatilePosition, this.volatilePosition];
    [this.volatileCount, other.volatileCount] = [other.volatileCount, this.volatileCount];
    [this.capacity, other.capacity] = [other.capacity, this.capacity];
    [this.hugeExpireAt, other.hugeExpireAt] = [other.hugeExpireAt, this.hugeExpireAt];
    [this.avgTtl, other.avgTtl] = [other.avgTtl, this.avgTtl];
  }

  /** Records an access: the LRU clock, or Redis' updateLFU (decay, then logarithmic increment). */
  private touch(slot: number): void {
    const field = this.table.accessAt(slot);
    if (!this.access.lfu) {
      this.table.setAccessAt(slot, (field & FLAGS_MASK) | (this.clock.lruNow & CLOCK_MASK));
      return;
    }
    let counter = this.decayedCounter(field & CLOCK_MASK);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT_VAL);
      if (Math.random() < 1 / (base * this.access.lfuLogFactor + 1)) counter++;
    }
    this.table.setAccessAt(slot, (field & FLAGS_MASK) | (this.lfuMinutes() << 8) | counter);
  }

  /** The `lru` field of a new object: the clock, or LFU minutes with LFU_INIT_VAL (Redis' createObject). */
  private freshAccessField(): number {
    return this.access.lfu ? (this.lfuMinutes() << 8) | LFU_INIT_VAL : this.clock.lruNow & CLOCK_MASK;
  }

  /** Redis' LFUGetTimeInMinutes: 16 bits of minutes. */
  private lfuMinutes(): number {
    return Math.floor(this.clock.now / 60000) & 0xffff;
  }

  /** Redis' LFUDecrAndReturn: the counter less one per lfu-decay-time minutes since the last access. */
  private decayedCounter(field: number): number {
    const lastMinutes = field >>> 8;
    const counter = field & 0xff;
    const decay = this.access.lfuDecayTime;
    if (decay === 0) return counter;
    const now = this.lfuMinutes();
    const elapsed = now >= lastMinutes ? now - lastMinutes : 65535 - lastMinutes + now;
    const periods = Math.floor(elapsed / decay);
    return periods > counter ? 0 : counter - periods;
  }

  /** Places a new entry in the next slot, without counting a change (callers count). */
  private attach(key: string, value: StoredValue, field: number): number {
    this.chargeValue(value);
    const slot = this.table.add(key, value, field);
    if (slot === this.capacity) this.grow();
    this.expireAt[slot] = 0;
    this.volatilePosition[slot] = -1;
    if (typeof value !== 'string') this.events.collectionAdded?.(this, key);
    return slot;
  }

  /** Reports every collection here as added (after SWAPDB brought them in). */
  announceCollections(): void {
    const added = this.events.collectionAdded;
    if (added === null) return;
    for (let slot = 0; slot < this.table.size; slot++) {
      if (typeof this.table.valueAt(slot) !== 'string') added(this, this.table.keyAt(slot));
    }
  }

  /** Removes whatever entry holds `key`, live or expired, without counting a change. */
  private detach(key: string): void {
    const slot = this.table.find(key);
    if (slot >= 0) this.removeSlot(slot);
  }

  private addExpire(slot: number, when: number | bigint): void {
    if (this.expireAt[slot] === 0) {
      // The list of volatile slots grows with the keys that have a TTL, not with the database.
      if (this.volatileCount === this.volatileSlots.length) {
        this.meter.used += this.volatileSlots.byteLength;
        this.volatileSlots = resized(this.volatileSlots, new Int32Array(this.volatileSlots.length * 2));
      }
      this.volatileSlots[this.volatileCount] = slot;
      this.volatilePosition[slot] = this.volatileCount;
      this.volatileCount++;
    }
    if (typeof when === 'bigint') {
      this.hugeExpireAt.set(this.table.keyAt(slot), when);
      this.expireAt[slot] = Number(when);
    } else {
      if (this.hugeExpireAt.size > 0) this.hugeExpireAt.delete(this.table.keyAt(slot));
      this.expireAt[slot] = when;
    }
  }

  /** Removes a key whose time has come. Redis counts it in expired_keys, not in dirty. */
  private expireSlot(slot: number): void {
    this.removeSlot(slot);
    this.stats.expiredKeys++;
  }

  private removeSlot(slot: number): void {
    if (this.expireAt[slot] !== 0) this.clearExpireAt(slot);
    this.meter.used -= this.releaseValue(this.table.valueAt(slot));
    const last = this.table.remove(slot);
    if (last < 0) return;
    this.expireAt[slot] = this.expireAt[last]!;
    const movedPosition = this.volatilePosition[last]!;
    this.volatilePosition[slot] = movedPosition;
    if (movedPosition >= 0) this.volatileSlots[movedPosition] = slot;
    this.expireAt[last] = 0;
    this.volatilePosition[last] = -1;
  }

  /** Replaces the value in a live slot, moving the charge from the old value to the new. */
  private swapValue(slot: number, value: StoredValue): void {
    this.meter.used -= this.releaseValue(this.table.valueAt(slot));
    this.chargeValue(value);
    this.table.setValueAt(slot, value);
  }

  /** Charges a value entering the keyspace; a collection charges its own changes from now on. */
  private chargeValue(value: StoredValue): void {
    if (typeof value === 'string') {
      this.meter.used += stringBytes(value.length);
    } else {
      this.meter.used += value.bytes;
      value.meter = this.meter;
    }
  }

  /** A value leaving the keyspace: returns what it was charged; a collection is detached. */
  private releaseValue(value: StoredValue): number {
    if (typeof value === 'string') return stringBytes(value.length);
    value.meter = DETACHED_METER;
    return value.bytes;
  }

  /** The per-slot expiry arrays' backing stores (expiry time, volatile position, volatile slots). */
  private expiryBytes(): number {
    return this.expireAt.byteLength + this.volatilePosition.byteLength + this.volatileSlots.byteLength;
  }

  private grow(): void {
    this.meter.used += this.capacity * 12;
    const capacity = this.capacity * 2;
    this.expireAt = resized(this.expireAt, new Float64Array(capacity));
    // Every slot gets its position written when it is attached, so no -1 fill: untouched pages of
    // a fresh typed array cost no resident memory.
    this.volatilePosition = resized(this.volatilePosition, new Int32Array(capacity));
    this.capacity = capacity;
  }
}

function resized<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
