import { strtoull } from '../protocol/memcached/numbers.js';

/**
 * The memcached engine's keyspace: items in one Map plus one LRU list, with memcached 1.6's rules
 * for time, expiry, flush_all, CAS, memory accounting and eviction. Every protocol front end (text,
 * meta, binary) works through this API; it knows nothing of bytes on the wire.
 *
 * Time is memcached's: whole seconds relative to the process start (`currentTime`, read from the
 * node's Clock), exptimes stored as such relative times (0 = never). `realtime()` turns a protocol
 * exptime into one (negative → already expired, up to 30 days → relative, beyond → unix time).
 *
 * Use:
 *   const item = store.fetch(key, true)      // live item or null; counts get_expired/get_flushed; marks it active
 *   store.allocationResult(keyLength, valueLength, flags)  // TooLarge / NoMemory before reading a data block
 *   store.store(mode, key, value, flags, exptime, cas)     // set/add/replace/append/prepend/cas → StoreResult
 *   store.delete(key) · store.touch(key, exptime) · store.delta(key, incr, delta, cas) · store.flushAll(delay)
 * Counters live in `store.stats` (the front ends count their commands there too).
 * Values and keys are latin1 strings (one char per byte): binary-safe, and written to the socket
 * without conversion.
 */

/** memcached's REALTIME_MAXDELTA: exptimes above 30 days are unix times. */
const REALTIME_MAXDELTA = 60 * 60 * 24 * 30;
/** Items are re-stamped as accessed at most this often (memcached's ITEM_UPDATE_INTERVAL). */
const ITEM_UPDATE_INTERVAL = 60;
/** sizeof(item) on 64-bit plus the 8-byte CAS: the header ITEM_ntotal counts for every item. */
const ITEM_HEADER_BYTES = 56;
/** Slab classes of memcached 1.6 with its defaults (-n 48, -f 1.25, slab_chunk_max 512 KB), for `stats slabs` and `me`. */
export const SLAB_CLASS_SIZES: readonly number[] = (() => {
  const sizes: number[] = [];
  let size = 48 + 48;
  while (size <= 524288 / 1.25) {
    if (size % 8 !== 0) size += 8 - (size % 8);
    sizes.push(size);
    size = Math.floor(size * 1.25);
  }
  sizes.push(524288);
  return sizes;
})();

export const enum StoreMode {
  Set,
  Add,
  Replace,
  Append,
  Prepend,
  Cas,
}

export const enum StoreResult {
  Stored,
  Exists,
  NotFound,
  NotStored,
  TooLarge,
  NoMemory,
}

export const enum DeltaResult {
  Ok,
  NonNumeric,
  NotFound,
  CasMismatch,
}

export interface StoreClock {
  /** Milliseconds since the epoch, refreshed per batch by the node. */
  readonly now: number;
}

export interface StoreLimits {
  /** Bytes of items (ITEM_ntotal) kept before the LRU tail is evicted (memcached -m). */
  memoryLimit: number;
  /** Largest item (header + key + value) accepted (memcached -I). */
  itemSizeMax: number;
}

/** An item's wire form is built by joining these pieces: one flat string, no concatenation tree. */
const TEXT_PIECES: (string | number)[] = ['VALUE ', '', ' ', 0, ' ', 0, '\r\n', '', '\r\nEND\r\n'];
const TEXT_KEY = 1;
const TEXT_FLAGS = 3;
const TEXT_LENGTH = 5;
const TEXT_VALUE = 7;
/** The length of the "\r\nEND\r\n" that closes an item's text. */
const TEXT_TAIL = 7;
/** The length of its last line, "END\r\n", which a multiget's VALUE blocks leave out. */
const END_LINE = 5;

export class Item {
  // Fields are declared in the order V8 lays them out: those a get reads and writes come first,
  // so that with a store larger than the caches they share one cache line.
  /**
   * The item as a text get answers it, `VALUE <key> <flags> <bytes>\r\n<value>\r\nEND\r\n`, as
   * one flat string: a get of one key sends it as it is (one copy into the socket, where a
   * concatenation would first be flattened), and a multiget takes it without the END. memcached
   * keeps the same suffix in its items for the same reason.
   */
  text: string;
  /** Where the value starts in `text`. */
  valueStart: number;
  valueLength: number;
  /** Relative expiry time in seconds, 0 = never. */
  exptime: number;
  /** Last access time (relative seconds), refreshed at most once a minute like memcached's it->time. */
  time: number;
  /** Has been read since it was stored (ITEM_FETCHED). */
  fetched: boolean;
  /** Read since it was stored or last spared from eviction (ITEM_ACTIVE). */
  active: boolean;
  readonly flags: number;
  cas: number;
  readonly key: string;
  /** ITEM_ntotal: the bytes this item counts against the memory limit. */
  size: number;
  /** Marked stale by meta delete with I (ITEM_STALE). */
  stale: boolean;
  /** A client already won the right to recache it (ITEM_TOKEN_SENT). */
  tokenSent: boolean;
  /** The key was sent base64-encoded (meta b flag): meta replies encode it back. */
  keyBinary: boolean;
  /** In the store (not yet replaced, deleted, expired or evicted). */
  linked: boolean;
  /** Neighbours in the LRU list: prev is more recently used. */
  prev: Item | null;
  next: Item | null;

  constructor(key: string, value: string, flags: number, exptime: number, cas: number, time: number, size: number) {
    this.text = '';
    this.valueStart = 0;
    this.valueLength = 0;
    this.exptime = exptime;
    this.time = time;
    this.fetched = false;
    this.active = false;
    this.flags = flags;
    this.cas = cas;
    this.key = key;
    this.size = size;
    this.stale = false;
    this.tokenSent = false;
    this.keyBinary = false;
    this.linked = false;
    this.prev = null;
    this.next = null;
    this.setValue(value);
  }

  get value(): string {
    return this.text.substring(this.valueStart, this.valueStart + this.valueLength);
  }

  /** Replaces the value in place (incr/decr of a number no longer than the old one). */
  setValue(value: string): void {
    const pieces = TEXT_PIECES;
    pieces[TEXT_KEY] = this.key;
    pieces[TEXT_FLAGS] = this.flags;
    pieces[TEXT_LENGTH] = value.length;
    pieces[TEXT_VALUE] = value;
    this.text = pieces.join('');
    pieces[TEXT_KEY] = pieces[TEXT_VALUE] = '';
    this.valueLength = value.length;
    this.valueStart = this.text.length - TEXT_TAIL - value.length;
  }

  /** The VALUE block of a get (`withCas`: of a gets), without the END that closes the reply. */
  valueBlock(withCas: boolean): string {
    const text = this.text;
    if (!withCas) return text.substring(0, text.length - END_LINE);
    // The CAS goes before the header line's "\r\n".
    return text.substring(0, this.valueStart - 2) + ' ' + this.cas + text.substring(this.valueStart - 2, text.length - END_LINE);
  }
}

/** The store's counters; the front ends add their command counters here too. */
export class StoreStats {
  cmdGet = 0;
  cmdSet = 0;
  cmdFlush = 0;
  cmdTouch = 0;
  cmdMeta = 0;
  getHits = 0;
  getMisses = 0;
  getExpired = 0;
  getFlushed = 0;
  deleteHits = 0;
  deleteMisses = 0;
  incrHits = 0;
  incrMisses = 0;
  decrHits = 0;
  decrMisses = 0;
  casHits = 0;
  casMisses = 0;
  casBadval = 0;
  touchHits = 0;
  touchMisses = 0;
  storeTooLarge = 0;
  storeNoMemory = 0;
  totalItems = 0;
  evictions = 0;
  evictedUnfetched = 0;
  expiredUnfetched = 0;
  reclaimed = 0;
}

/** The item size memcached counts (ITEM_ntotal): header, CAS, flags when nonzero, key + NUL, value + CRLF. */
export function itemTotalSize(keyLength: number, valueLength: number, flags: number): number {
  return ITEM_HEADER_BYTES + (flags !== 0 ? 4 : 0) + keyLength + 1 + valueLength + 2;
}

/** The slab class (1-based) memcached would keep an item of this total size in. */
export function slabClassOf(size: number): number {
  const sizes = SLAB_CLASS_SIZES;
  for (let i = 0; i < sizes.length; i++) if (size <= sizes[i]!) return i + 1;
  return sizes.length;
}

export class MemcachedStore {
  readonly items = new Map<string, Item>();
  readonly stats = new StoreStats();
  /** Sum of the items' sizes (stats `bytes`). */
  bytes = 0;
  /** The CAS of the last item stored, deleted-as-stale or changed by delta (for replies that show it). */
  lastCas = 0;
  /** The item the last store()/delta() left in place (valid until the next store call). */
  lastItem: Item | null = null;
  /** The value text of the last successful delta(), as memcached prints it. */
  lastDeltaValue = '';
  /** Unix second memcached's relative times count from (process_started = start - ITEM_UPDATE_INTERVAL - 2). */
  readonly processStarted: number;
  /** Most recently used item; the tail is the eviction candidate. */
  private head: Item | null = null;
  private tail: Item | null = null;
  private casCounter = 0;
  /** flush_all: items last touched at or before this relative time are dead once it has passed (0 = none). */
  private oldestLive = 0;
  /** flush_all: items with a CAS below this are dead (0 = none). */
  private oldestCas = 0;

  constructor(
    private readonly clock: StoreClock,
    readonly limits: StoreLimits,
  ) {
    this.processStarted = Math.floor(clock.now / 1000) - ITEM_UPDATE_INTERVAL - 2;
  }

  /** memcached's current_time: seconds since processStarted. */
  get currentTime(): number {
    return Math.floor(this.clock.now / 1000) - this.processStarted;
  }

  get currentItems(): number {
    return this.items.size;
  }

  /** realtime(EXPTIME_TO_POSITIVE_TIME(exptime)): a protocol exptime as a relative time (0 = never). */
  realtime(exptime: number): number {
    if (exptime < 0) exptime = REALTIME_MAXDELTA + 1;
    if (exptime === 0) return 0;
    if (exptime > REALTIME_MAXDELTA) {
      // An absolute time before the process started (negative exptimes land here) is already past.
      if (exptime <= this.processStarted) return 1;
      return exptime - this.processStarted;
    }
    return exptime + this.currentTime;
  }

  nextCas(): number {
    return ++this.casCounter;
  }

  private isFlushed(item: Item, now: number): boolean {
    const oldestLive = this.oldestLive;
    if (oldestLive === 0 || oldestLive > now) return false;
    return item.time <= oldestLive || (this.oldestCas !== 0 && item.cas !== 0 && item.cas < this.oldestCas);
  }

  /**
   * do_item_get: the live item under `key`, or null. A flushed or expired item found on the way is
   * unlinked and counted (get_flushed, get_expired). `bump` (DO_UPDATE) marks it fetched and moves
   * it to the LRU head.
   */
  fetch(key: string, bump: boolean): Item | null {
    const item = this.items.get(key);
    if (item === undefined) return null;
    const now = this.currentTime;
    if (this.isFlushed(item, now)) {
      this.stats.getFlushed++;
      this.unlink(item);
      return null;
    }
    if (item.exptime !== 0 && item.exptime <= now) {
      this.stats.getExpired++;
      if (!item.fetched) this.stats.expiredUnfetched++;
      this.unlink(item);
      return null;
    }
    if (bump) this.bump(item);
    return item;
  }

  /**
   * do_item_bump: fetched, active, access time refreshed. The item is not moved in the LRU list:
   * as in memcached's segmented LRU, an active item reaching the tail gets a second chance
   * instead (see makeRoom). Moving it on every hit would touch its two neighbours, two cache
   * misses per get with a store larger than the caches.
   */
  bump(item: Item): void {
    item.fetched = true;
    item.active = true;
    this.refreshTime(item);
  }

  /** item_alloc's verdict before a data block is read: Stored (it fits), TooLarge or NoMemory. */
  allocationResult(keyLength: number, valueLength: number, flags: number): StoreResult {
    const size = itemTotalSize(keyLength, valueLength, flags);
    if (size > this.limits.itemSizeMax) return StoreResult.TooLarge;
    if (size > this.limits.memoryLimit) return StoreResult.NoMemory;
    return StoreResult.Stored;
  }

  /**
   * do_store_item for every storage command. `cas` 0 means none; a nonzero `cas` with Set/Replace
   * is the caller's business (meta ms upgrades those to Cas itself). `staleOk` (ms I) lets a Cas
   * with a lower CAS than the item's replace it as a stale value. Sets lastCas/lastItem when Stored.
   */
  store(mode: StoreMode, key: string, value: string, flags: number, exptime: number, cas: number, staleOk = false): StoreResult {
    const old = this.fetch(key, false);
    if (old === null) {
      if (mode === StoreMode.Add || mode === StoreMode.Set) {
        this.link(key, value, flags, exptime);
        return StoreResult.Stored;
      }
      if (mode === StoreMode.Cas) {
        this.stats.casMisses++;
        return StoreResult.NotFound;
      }
      return StoreResult.NotStored;
    }
    let stale = false;
    switch (mode) {
      case StoreMode.Add:
        // add only adds a missing item, but the existing one counts as accessed, as in memcached.
        this.refreshTime(old);
        return StoreResult.NotStored;
      case StoreMode.Cas:
        if (cas !== 0 && cas === old.cas) {
          this.stats.casHits++;
        } else if (staleOk && cas !== 0 && cas < old.cas) {
          // A stale-allowed CAS keeps the TTL and marks the new value stale (and token-sent if it was).
          this.stats.casHits++;
          exptime = old.exptime;
          stale = true;
        } else {
          this.stats.casBadval++;
          return StoreResult.Exists;
        }
        break;
      case StoreMode.Append:
      case StoreMode.Prepend: {
        if (cas !== 0 && cas !== old.cas) return StoreResult.Exists;
        const joined = mode === StoreMode.Append ? old.value + value : value + old.value;
        if (this.allocationResult(key.length, joined.length, old.flags) !== StoreResult.Stored) return StoreResult.NotStored;
        value = joined;
        flags = old.flags;
        exptime = old.exptime;
        break;
      }
      case StoreMode.Replace:
      case StoreMode.Set:
        break;
    }
    const tokenSent = old.tokenSent;
    this.unlink(old);
    const item = this.link(key, value, flags, exptime);
    if (stale) {
      item.stale = true;
      item.tokenSent = tokenSent;
    }
    return StoreResult.Stored;
  }

  /** Links a new item at the LRU head with a fresh CAS, evicting from the tail until it fits. */
  private link(key: string, value: string, flags: number, exptime: number): Item {
    const size = itemTotalSize(key.length, value.length, flags);
    this.makeRoom(size);
    const item = new Item(key, value, flags, exptime, this.nextCas(), this.currentTime, size);
    this.items.set(key, item);
    item.linked = true;
    this.pushHead(item);
    this.bytes += size;
    this.stats.totalItems++;
    this.lastCas = item.cas;
    this.lastItem = item;
    return item;
  }

  /** Evicts least recently used items until `size` more bytes fit (expired ones count as reclaimed). */
  private makeRoom(size: number): void {
    const limit = this.limits.memoryLimit;
    const now = this.currentTime;
    while (this.bytes + size > limit && this.tail !== null) {
      const victim = this.tail;
      if ((victim.exptime !== 0 && victim.exptime <= now) || this.isFlushed(victim, now)) {
        this.stats.reclaimed++;
      } else if (victim.active) {
        // Read since it last came by: it goes back to the head (memcached moves it from COLD to WARM).
        victim.active = false;
        this.removeFromList(victim);
        this.pushHead(victim);
        continue;
      } else {
        this.stats.evictions++;
        if (!victim.fetched) this.stats.evictedUnfetched++;
      }
      this.unlink(victim);
    }
  }

  /**
   * do_item_update with memcached's segmented LRU: the access time, refreshed at most once a
   * minute; the item keeps its place in the list.
   */
  private refreshTime(item: Item): void {
    const now = this.currentTime;
    if (item.time < now - ITEM_UPDATE_INTERVAL) item.time = now;
  }

  /** Removes an item (delete, replacement, expiry, eviction). */
  unlink(item: Item): void {
    if (!item.linked) return;
    item.linked = false;
    // Only the item itself: a newer one under the same key must survive the old one's removal.
    if (this.items.get(item.key) === item) this.items.delete(item.key);
    this.removeFromList(item);
    this.bytes -= item.size;
  }

  /** Removes the live item under `key`; false when there was none. */
  delete(key: string): boolean {
    const item = this.fetch(key, false);
    if (item === null) return false;
    this.unlink(item);
    return true;
  }

  /** item_touch: a new exptime for a live item (counts as a fetch), or null. */
  touch(key: string, exptime: number): Item | null {
    const item = this.fetch(key, true);
    if (item !== null) item.exptime = exptime;
    return item;
  }

  /**
   * do_add_delta: incr/decr a decimal value as a 64-bit unsigned number (incr wraps, decr stops at
   * 0). A result no longer than the old value is written in place padded with spaces (memcached's
   * quirk: "100" decr 95 reads back as "5  "); a longer one becomes a new item with the same flags
   * and exptime. Either way the CAS changes. `cas` nonzero must match (meta ma C).
   */
  delta(key: string, incr: boolean, delta: bigint, cas: number): DeltaResult {
    const item = this.fetch(key, false);
    if (item === null) return DeltaResult.NotFound;
    if (item.valueLength === 0) return DeltaResult.NonNumeric;
    if (cas !== 0 && item.cas !== cas) return DeltaResult.CasMismatch;
    const current = strtoull(item.value);
    if (current === undefined) return DeltaResult.NonNumeric;
    let next: bigint;
    if (incr) {
      next = BigInt.asUintN(64, current + delta);
      this.stats.incrHits++;
    } else {
      next = delta > current ? 0n : current - delta;
      this.stats.decrHits++;
    }
    const text = next.toString();
    this.lastDeltaValue = text;
    if (text.length <= item.valueLength) {
      item.setValue(item.valueLength === text.length ? text : text + ' '.repeat(item.valueLength - text.length));
      item.cas = this.nextCas();
      this.refreshTime(item);
      this.lastItem = item;
    } else {
      const { flags, exptime } = item;
      this.unlink(item);
      this.link(key, text, flags, exptime);
    }
    this.lastCas = this.lastItem!.cas;
    return DeltaResult.Ok;
  }

  /**
   * flush_all [delay]: with no delay (or <= 0) every item now stored is dead at once; with a delay,
   * every item not touched again before that moment dies then (memcached's oldest_live/oldest_cas).
   */
  flushAll(delay: number): void {
    const newOldest = delay > 0 ? this.realtime(delay) : this.currentTime;
    this.oldestLive = newOldest - 1;
    if (this.oldestLive <= this.currentTime) this.oldestCas = this.nextCas();
    if (delay <= 0) {
      // Nothing stored so far can be read again: free the memory now instead of at the next lookup.
      for (let item = this.head; item !== null; item = item.next) item.linked = false;
      this.items.clear();
      this.head = this.tail = null;
      this.bytes = 0;
    }
  }

  /** Marks an item stale as meta delete with I does: new CAS, a new winner may be chosen. */
  markStale(item: Item, exptime: number | undefined): void {
    if (exptime !== undefined) item.exptime = exptime;
    item.stale = true;
    item.tokenSent = false;
    item.cas = this.nextCas();
    this.lastCas = item.cas;
  }

  /** Items per slab class, for `stats items` / `stats slabs` (walks the items: admin commands only). */
  itemsPerClass(): Map<number, { count: number; bytes: number; oldest: number }> {
    const classes = new Map<number, { count: number; bytes: number; oldest: number }>();
    const now = this.currentTime;
    for (let item = this.tail; item !== null; item = item.prev) {
      const id = slabClassOf(item.size);
      let entry = classes.get(id);
      if (entry === undefined) {
        entry = { count: 0, bytes: 0, oldest: now - item.time };
        classes.set(id, entry);
      }
      entry.count++;
      entry.bytes += item.size;
    }
    return classes;
  }

  private pushHead(item: Item): void {
    item.prev = null;
    item.next = this.head;
    if (this.head !== null) this.head.prev = item;
    this.head = item;
    if (this.tail === null) this.tail = item;
  }

  private removeFromList(item: Item): void {
    if (item.prev !== null) item.prev.next = item.next;
    else if (this.head === item) this.head = item.next;
    if (item.next !== null) item.next.prev = item.prev;
    else if (this.tail === item) this.tail = item.prev;
    item.prev = item.next = null;
  }
}
