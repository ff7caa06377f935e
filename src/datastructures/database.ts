import type { StoredValue } from './values.js';
import type { KeyspaceClock, KeyspaceStats } from './keyspace.js';

const INITIAL_CAPACITY = 16;
const CLOCK_MASK = 0xffffff;
const RAW_ENCODING = 1 << 24;

/**
 * One of the 16 numbered databases.
 *
 * Layout (measured, see docs/ARCHITECTURE.md): a Map from key to a dense slot number, and
 * parallel arrays indexed by slot for the key, the value, the LRU clock and the expiry time. No
 * object per entry: a small string key costs its Map entry, its key string and its value string.
 * Dense slots give O(1) random sampling (RANDOMKEY, expiry cycle, eviction); deleting swaps the
 * last slot into the hole.
 *
 * SCAN walks slots from the top down. A swap only moves the last slot (already visited, or above
 * the cursor) into the hole, so a key present for the whole scan can move to a lower slot but
 * never above the cursor: every such key is returned, as Redis guarantees.
 */
export class Database {
  private slotOf = new Map<string, number>();
  private keys: string[] = [];
  private values: StoredValue[] = [];
  /**
   * Per slot: bits 0-23 the access clock (Redis' 24-bit LRU clock in seconds), bits 24-31 flags.
   * The only flag so far is RAW_ENCODING: Redis reports a string changed in place (APPEND,
   * SETRANGE, SETBIT…) as "raw" whatever its length.
   */
  private lruClock = new Uint32Array(INITIAL_CAPACITY);
  private expireAt = new Float64Array(INITIAL_CAPACITY);
  /** Slots that have a TTL, dense, for sampling by the expiry cycle. */
  private volatileSlots = new Int32Array(INITIAL_CAPACITY);
  /** Per slot: its position in volatileSlots, or -1. */
  private volatilePosition = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private volatileCount = 0;
  private capacity = INITIAL_CAPACITY;

  constructor(readonly id: number, private readonly clock: KeyspaceClock, private readonly stats: KeyspaceStats) {}

  get size(): number {
    return this.keys.length;
  }

  get expiresCount(): number {
    return this.volatileCount;
  }

  /**
   * The slot holding a live key, or -1. Expires the key on the way if its time has come (lazy
   * expiry) and refreshes its LRU clock, as Redis' lookupKey does.
   */
  find(key: string): number {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return -1;
    const expireAt = this.expireAt[slot]!;
    if (expireAt !== 0 && expireAt <= this.clock.now) {
      this.removeSlot(slot);
      this.stats.expiredKeys++;
      return -1;
    }
    this.lruClock[slot] = (this.lruClock[slot]! & ~CLOCK_MASK) | (this.clock.lruNow & CLOCK_MASK);
    return slot;
  }

  /** Like find(), counting a keyspace hit or miss, for commands that read. */
  findForRead(key: string): number {
    const slot = this.find(key);
    if (slot < 0) this.stats.keyspaceMisses++;
    else this.stats.keyspaceHits++;
    return slot;
  }

  /** Whether the key exists, without touching its LRU clock (Redis' LOOKUP_NOTOUCH). */
  has(key: string): boolean {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return false;
    const expireAt = this.expireAt[slot]!;
    return expireAt === 0 || expireAt > this.clock.now;
  }

  valueAt(slot: number): StoredValue {
    return this.values[slot]!;
  }

  keyAt(slot: number): string {
    return this.keys[slot]!;
  }

  /** Absolute expiry in ms of the key in this slot, 0 when it has none. */
  expireAtSlot(slot: number): number {
    return this.expireAt[slot]!;
  }

  /** The 24-bit access clock of the slot (seconds, wrapping like Redis' LRU clock). */
  lruAt(slot: number): number {
    return this.lruClock[slot]! & CLOCK_MASK;
  }

  /** Seconds since the key was last accessed, handling the 24-bit wrap as Redis' estimateObjectIdleTime. */
  idleSecondsAt(slot: number): number {
    const now = this.clock.lruNow & CLOCK_MASK;
    const then = this.lruAt(slot);
    return now >= then ? now - then : CLOCK_MASK - then + now;
  }

  /** Marks the string in the slot as changed in place, so OBJECT ENCODING reports "raw". */
  setEncodingRaw(slot: number): void {
    this.lruClock[slot]! |= RAW_ENCODING;
  }

  isEncodingRaw(slot: number): boolean {
    return (this.lruClock[slot]! & RAW_ENCODING) !== 0;
  }

  get(key: string): StoredValue | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** Replaces the value in a slot found this command; the TTL stays (APPEND, INCR, SETRANGE). */
  replaceAt(slot: number, value: StoredValue): void {
    this.stats.dirty++;
    this.values[slot] = value;
    this.lruClock[slot]! &= ~RAW_ENCODING;
  }

  /** Adds a key that find() just reported missing; returns its slot. */
  insert(key: string, value: StoredValue): number {
    this.stats.dirty++;
    const slot = this.keys.length;
    if (slot === this.capacity) this.grow();
    this.keys.push(key);
    this.values.push(value);
    this.lruClock[slot] = this.clock.lruNow & CLOCK_MASK;
    this.expireAt[slot] = 0;
    this.volatilePosition[slot] = -1;
    this.slotOf.set(key, slot);
    return slot;
  }

  /**
   * SET semantics: creates or overwrites, clearing any TTL unless keepTtl. Returns the slot.
   * One Map lookup either way.
   */
  set(key: string, value: StoredValue, keepTtl = false): number {
    const slot = this.find(key);
    if (slot < 0) return this.insert(key, value);
    this.stats.dirty++;
    this.values[slot] = value;
    this.lruClock[slot]! &= ~RAW_ENCODING;
    if (!keepTtl && this.expireAt[slot] !== 0) this.clearExpireAt(slot);
    return slot;
  }

  delete(key: string): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.removeSlot(slot);
    return true;
  }

  deleteAt(slot: number): void {
    this.removeSlot(slot);
  }

  /** Sets an absolute expiry in ms on a live slot. */
  setExpireAt(slot: number, when: number): void {
    this.stats.dirty++;
    if (this.expireAt[slot] === 0) {
      this.volatileSlots[this.volatileCount] = slot;
      this.volatilePosition[slot] = this.volatileCount;
      this.volatileCount++;
    }
    this.expireAt[slot] = when;
  }

  /** Removes the TTL of a live slot; true when it had one. */
  clearExpireAt(slot: number): boolean {
    if (this.expireAt[slot] === 0) return false;
    this.expireAt[slot] = 0;
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

  private removeSlot(slot: number): void {
    this.stats.dirty++;
    if (this.expireAt[slot] !== 0) this.clearExpireAt(slot);
    const key = this.keys[slot]!;
    this.slotOf.delete(key);
    const last = this.keys.length - 1;
    if (slot !== last) {
      const movedKey = this.keys[last]!;
      this.keys[slot] = movedKey;
      this.values[slot] = this.values[last]!;
      this.lruClock[slot] = this.lruClock[last]!;
      const movedExpire = this.expireAt[last]!;
      this.expireAt[slot] = movedExpire;
      const movedPosition = this.volatilePosition[last]!;
      this.volatilePosition[slot] = movedPosition;
      if (movedPosition >= 0) this.volatileSlots[movedPosition] = slot;
      this.slotOf.set(movedKey, slot);
    }
    this.keys.pop();
    this.values.pop();
    this.expireAt[last] = 0;
    this.volatilePosition[last] = -1;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.lruClock = resized(this.lruClock, new Uint32Array(capacity));
    this.expireAt = resized(this.expireAt, new Float64Array(capacity));
    this.volatileSlots = resized(this.volatileSlots, new Int32Array(capacity));
    const positions = new Int32Array(capacity).fill(-1);
    positions.set(this.volatilePosition);
    this.volatilePosition = positions;
    this.capacity = capacity;
  }

  /** A uniformly random live key, or undefined when empty (expired keys met are removed). */
  randomKey(): string | undefined {
    // Bounded like Redis' dbRandomKey: when everything sampled is expired, give up honestly.
    for (let tries = 0; tries < 100 && this.keys.length > 0; tries++) {
      const slot = Math.floor(Math.random() * this.keys.length);
      const key = this.keys[slot]!;
      if (this.find(key) >= 0) return key;
    }
    return this.keys.length > 0 ? this.keys[Math.floor(Math.random() * this.keys.length)] : undefined;
  }

  /**
   * One step of SCAN: visits up to `count` slots below `cursor` (0 starts at the top), calling
   * `visit` for each live key, and returns the next cursor (0 when done).
   */
  scan(cursor: number, count: number, visit: (key: string, value: StoredValue) => void): number {
    let position = cursor === 0 || cursor > this.keys.length ? this.keys.length : cursor;
    const now = this.clock.now;
    let visited = 0;
    while (position > 0 && visited < count) {
      position--;
      visited++;
      const expireAt = this.expireAt[position]!;
      if (expireAt !== 0 && expireAt <= now) continue;
      visit(this.keys[position]!, this.values[position]!);
    }
    return position;
  }

  /** Every live key, for KEYS. */
  forEachKey(visit: (key: string, value: StoredValue) => void): void {
    const now = this.clock.now;
    for (let slot = 0; slot < this.keys.length; slot++) {
      const expireAt = this.expireAt[slot]!;
      if (expireAt !== 0 && expireAt <= now) continue;
      visit(this.keys[slot]!, this.values[slot]!);
    }
  }

  /**
   * One round of the active expiry cycle on this database: samples up to `samples` keys with a
   * TTL and removes the expired ones. Returns [sampled, expired].
   */
  expireSample(samples: number): [number, number] {
    const now = this.clock.now;
    let sampled = 0;
    let expired = 0;
    for (; sampled < samples && this.volatileCount > 0; sampled++) {
      const slot = this.volatileSlots[Math.floor(Math.random() * this.volatileCount)]!;
      if (this.expireAt[slot]! <= now) {
        this.removeSlot(slot);
        this.stats.expiredKeys++;
        expired++;
      }
    }
    return [sampled, expired];
  }

  /** Sum of remaining TTLs of a sample of volatile keys, for INFO keyspace avg_ttl. */
  averageTtl(): number {
    if (this.volatileCount === 0) return 0;
    const now = this.clock.now;
    const samples = Math.min(this.volatileCount, 64);
    let total = 0;
    for (let i = 0; i < samples; i++) {
      const slot = this.volatileSlots[Math.floor(Math.random() * this.volatileCount)]!;
      total += Math.max(0, this.expireAt[slot]! - now);
    }
    return Math.round(total / samples);
  }

  clear(): void {
    this.slotOf.clear();
    this.keys = [];
    this.values = [];
    this.capacity = INITIAL_CAPACITY;
    this.lruClock = new Uint32Array(INITIAL_CAPACITY);
    this.expireAt = new Float64Array(INITIAL_CAPACITY);
    this.volatileSlots = new Int32Array(INITIAL_CAPACITY);
    this.volatilePosition = new Int32Array(INITIAL_CAPACITY).fill(-1);
    this.volatileCount = 0;
  }

  /** SWAPDB swaps contents, not objects, so sessions that point at a Database stay valid. */
  swapContents(other: Database): void {
    [this.slotOf, other.slotOf] = [other.slotOf, this.slotOf];
    [this.keys, other.keys] = [other.keys, this.keys];
    [this.values, other.values] = [other.values, this.values];
    [this.lruClock, other.lruClock] = [other.lruClock, this.lruClock];
    [this.expireAt, other.expireAt] = [other.expireAt, this.expireAt];
    [this.volatileSlots, other.volatileSlots] = [other.volatileSlots, this.volatileSlots];
    [this.volatilePosition, other.volatilePosition] = [other.volatilePosition, this.volatilePosition];
    [this.volatileCount, other.volatileCount] = [other.volatileCount, this.volatileCount];
    [this.capacity, other.capacity] = [other.capacity, this.capacity];
  }
}

function resized<T extends Uint32Array | Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
