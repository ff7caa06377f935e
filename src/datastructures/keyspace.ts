import { Database } from './database.js';
import { Evictor } from './eviction.js';
import { MemoryMeter } from './memory-meter.js';

/** The time a keyspace decision is made at: one value per command batch, as Redis caches mstime. */
export interface KeyspaceClock {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Seconds, for per-key access times (OBJECT IDLETIME), as Redis' LRU clock. */
  readonly lruNow: number;
}

/** Counters the keyspace itself moves; INFO stats reads them. */
export class KeyspaceStats {
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  expireCycleCpuMs = 0;
  /** Keys removed by maxmemory eviction (INFO evicted_keys). */
  evictedKeys = 0;
  /** performance.now() when memory went over maxmemory and stayed there, 0 when it is not. */
  evictionExceededSince = 0;
  /** Time spent over maxmemory in episodes that ended (INFO total_eviction_exceeded_time). */
  evictionExceededMs = 0;
  /** Changes to the data since the last save (Redis' server.dirty): each key written or removed. */
  dirty = 0;

  reset(): void {
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.expiredKeys = 0;
    this.expiredStalePerc = 0;
    this.expireCycleCpuMs = 0;
    this.evictedKeys = 0;
    this.evictionExceededSince = 0;
    this.evictionExceededMs = 0;
  }
}

/**
 * How accesses are recorded, from maxmemory-policy and the lfu-* directives: Redis keeps either
 * an LRU clock or an LFU counter in the same 24 bits of each object, never both.
 */
export class AccessPolicy {
  lfu = false;
  lfuLogFactor = 10;
  /** Minutes per decrement of an idle key's counter; 0 never decays. */
  lfuDecayTime = 1;
  /**
   * CLIENT PAUSE WRITE/ALL in force: the dataset must not change by itself, so an expired key
   * found on access reads as missing without being deleted, and the active expiry cycle and
   * eviction wait (Redis' checkClientPauseTimeoutAndReturnIfPaused).
   */
  expiryPaused = false;
}

/**
 * What the rest of the node learns from the keyspace as it happens (Redis' dbAdd → signalKeyAsReady):
 * a collection appearing under a key, however it got there (a push, RENAME, MOVE, COPY, a STORE),
 * wakes the clients blocked on that key.
 */
export class KeyspaceEvents {
  collectionAdded: ((db: Database, key: string) => void) | null = null;
}

export class Keyspace {
  readonly databases: Database[];
  readonly stats = new KeyspaceStats();
  readonly access = new AccessPolicy();
  readonly events = new KeyspaceEvents();
  /** What the data costs in memory, moved by every structure as it changes (used_memory). */
  readonly meter = new MemoryMeter();
  readonly evictor: Evictor;

  /** `baseBytes`: what the node uses before any data (used_memory_startup), where the meter starts. */
  constructor(readonly clock: KeyspaceClock, databaseCount: number, baseBytes = 0) {
    this.meter.used = baseBytes;
    this.databases = [];
    for (let id = 0; id < databaseCount; id++) {
      this.databases.push(new Database(id, clock, this.stats, this.access, this.events, this.meter));
    }
    this.evictor = new Evictor(this.databases, this.meter, this.stats, this.access);
  }

  /** FLUSHALL: empties every database; returns how many keys there were (each counts as dirty). */
  flushAll(): number {
    let removed = 0;
    for (const db of this.databases) removed += db.clear();
    return removed;
  }

  /** SWAPDB: exchanges the contents of two databases; sessions keep pointing at their index. */
  swap(first: number, second: number): void {
    if (first !== second) this.databases[first]!.swapContents(this.databases[second]!);
    this.stats.dirty++;
    // Every collection now stands in another database, as if added there (Redis' scanDatabaseForReadyKeys).
    if (first !== second) for (const id of [first, second]) this.databases[id]!.announceCollections();
  }

  get keyCount(): number {
    let total = 0;
    for (const db of this.databases) total += db.size;
    return total;
  }
}
