import type { Database } from './database.js';
import type { AccessPolicy, KeyspaceStats } from './keyspace.js';
import type { MemoryMeter } from './memory-meter.js';

// maxmemory eviction as Redis 7.0's evict.c does it: when used memory is over the limit, before
// a command runs, keys are removed until the excess is freed. The LRU, LFU and TTL policies are
// approximations by sampling: maxmemory-samples keys of every database go into a pool of the 16
// best candidates seen so far (kept across evictions, which is what makes the approximation
// close to true LRU), and the best one still present is evicted. The random policies take a
// random key, visiting the databases in turn. Each pass is bounded in time by
// maxmemory-eviction-tenacity; an unfinished pass reports Running and is continued by the node.

export const enum EvictResult {
  /** Under the limit (or eviction may not run now): commands go ahead. */
  Ok = 0,
  /** Still over the limit after this pass's time; commands go ahead while eviction continues. */
  Running = 1,
  /** Over the limit with nothing left to evict (or noeviction): denyoom commands are refused. */
  Fail = 2,
}

const LRU = 1;
const LFU = 2;
const TTL = 4;
const RANDOM = 8;
const ALLKEYS = 16;

/** maxmemory-policy names to Redis' MAXMEMORY_FLAG_* style bits (noeviction: 0). */
const POLICIES: Readonly<Record<string, number>> = {
  'volatile-lru': LRU,
  'volatile-lfu': LFU,
  'volatile-random': RANDOM,
  'volatile-ttl': TTL,
  'allkeys-lru': LRU | ALLKEYS,
  'allkeys-lfu': LFU | ALLKEYS,
  'allkeys-random': RANDOM | ALLKEYS,
  noeviction: 0,
};

/** Redis' EVPOOL_SIZE. */
const POOL_SIZE = 16;
/** The pass's clock is read once per this many evicted keys, as Redis does. */
const KEYS_PER_TIME_CHECK = 16;

export class Evictor {
  private policy = LRU;
  /** maxmemory-samples. */
  samples = 5;
  /** The time one pass may take, from maxmemory-eviction-tenacity. */
  private timeLimitMs = 0.5;
  /** Candidates in ascending order of score (idle time, inverse frequency, nearness of expiry). */
  private readonly poolKeys: (string | null)[] = new Array<string | null>(POOL_SIZE).fill(null);
  private readonly poolScores = new Float64Array(POOL_SIZE);
  private readonly poolDatabases = new Int32Array(POOL_SIZE);
  private sampled = new Int32Array(5);
  /** The database the random policies visit next (Redis' static next_db). */
  private nextDatabase = 0;
  /** An unfinished pass: the node calls perform() again soon (Redis' evictionTimeProc). */
  pending = false;

  constructor(
    private readonly databases: readonly Database[],
    private readonly meter: MemoryMeter,
    private readonly stats: KeyspaceStats,
    private readonly access: AccessPolicy,
  ) {}

  /** maxmemory-policy; the pool is emptied, its scores meant something else. */
  setPolicy(name: string): void {
    this.policy = POLICIES[name] ?? 0;
    this.poolKeys.fill(null);
  }

  setSamples(samples: number): void {
    this.samples = samples;
    if (this.sampled.length < samples) this.sampled = new Int32Array(samples);
  }

  /** Redis' evictionTimeLimitUs: linear to 500 µs up to 10, then 15% more per step, none at 100. */
  setTenacity(tenacity: number): void {
    if (tenacity <= 10) this.timeLimitMs = (50 * tenacity) / 1000;
    else if (tenacity < 100) this.timeLimitMs = (500 * Math.pow(1.15, tenacity - 10)) / 1000;
    else this.timeLimitMs = Infinity;
  }

  /**
   * Redis' performEvictions: frees the excess over maxmemory by evicting keys, within the pass's
   * time. Called before a command only when the meter is over the limit.
   */
  perform(): EvictResult {
    const meter = this.meter;
    // As Redis during CLIENT PAUSE: the dataset stays static, and commands are not refused.
    if (this.access.expiryPaused) return EvictResult.Ok;
    if (meter.used <= meter.limit) return this.finished(EvictResult.Ok);
    if (this.policy === 0) return this.exceeded(EvictResult.Fail);
    const toFree = meter.used - meter.limit;
    const started = performance.now();
    let freed = 0;
    let keysFreed = 0;
    while (freed < toFree) {
      const before = meter.used;
      if (!this.evictOne()) return this.exceeded(EvictResult.Fail);
      freed += before - meter.used;
      this.stats.evictedKeys++;
      if (++keysFreed % KEYS_PER_TIME_CHECK === 0 && performance.now() - started > this.timeLimitMs) {
        this.pending = true;
        return this.exceeded(EvictResult.Running);
      }
    }
    return this.finished(this.pending ? EvictResult.Running : EvictResult.Ok);
  }

  /** Milliseconds spent over the limit, finished episodes and the current one (INFO *_eviction_exceeded_time). */
  exceededTime(now: number): { total: number; current: number } {
    const since = this.stats.evictionExceededSince;
    const current = since === 0 ? 0 : now - since;
    return { total: this.stats.evictionExceededMs + current, current };
  }

  private exceeded(result: EvictResult): EvictResult {
    if (this.stats.evictionExceededSince === 0) this.stats.evictionExceededSince = performance.now();
    return result;
  }

  private finished(result: EvictResult): EvictResult {
    if (result === EvictResult.Ok) this.pending = false;
    const stats = this.stats;
    if (stats.evictionExceededSince !== 0) {
      stats.evictionExceededMs += performance.now() - stats.evictionExceededSince;
      stats.evictionExceededSince = 0;
    }
    return result;
  }

  /** Evicts one key chosen by the policy; false when there is none to evict. */
  private evictOne(): boolean {
    const volatile = (this.policy & ALLKEYS) === 0;
    if ((this.policy & RANDOM) !== 0) return this.evictRandom(volatile);
    for (;;) {
      let candidates = 0;
      for (let id = 0; id < this.databases.length; id++) candidates += this.populatePool(this.databases[id]!, volatile);
      if (candidates === 0) return false;
      // Best first; a key deleted or persisted since it was pooled is a ghost, skipped.
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const key = this.poolKeys[k];
        if (key === null || key === undefined) continue;
        this.poolKeys[k] = null;
        if (this.databases[this.poolDatabases[k]!]!.evict(key, volatile)) return true;
      }
    }
  }

  private evictRandom(volatile: boolean): boolean {
    const count = this.databases.length;
    for (let i = 0; i < count; i++) {
      this.nextDatabase = (this.nextDatabase + 1) % count;
      const db = this.databases[this.nextDatabase]!;
      if (db.sampleSlots(this.sampled, 1, volatile) === 0) continue;
      return db.evict(db.keyAt(this.sampled[0]!), volatile);
    }
    return false;
  }

  /** Redis' evictionPoolPopulate for one database; returns how many keys it could sample from. */
  private populatePool(db: Database, volatile: boolean): number {
    const available = volatile ? db.expiresCount : db.size;
    if (available === 0) return 0;
    const count = db.sampleSlots(this.sampled, this.samples, volatile);
    const keys = this.poolKeys;
    const scores = this.poolScores;
    for (let j = 0; j < count; j++) {
      const slot = this.sampled[j]!;
      const score = this.scoreOf(db, slot);
      // The first empty cell or the first candidate scoring lower than this one.
      let k = 0;
      while (k < POOL_SIZE && keys[k] !== null && scores[k]! < score) k++;
      if (k === 0 && keys[POOL_SIZE - 1] !== null) continue;
      if (k < POOL_SIZE && keys[k] === null) {
        // An empty cell: nothing to move.
      } else if (keys[POOL_SIZE - 1] === null) {
        // Room on the right: shift k.. one to the right.
        for (let m = POOL_SIZE - 1; m > k; m--) this.moveCell(m - 1, m);
      } else {
        // Full: drop the lowest and shift the cells left of k one to the left.
        k--;
        for (let m = 0; m < k; m++) this.moveCell(m + 1, m);
      }
      keys[k] = db.keyAt(slot);
      scores[k] = score;
      this.poolDatabases[k] = db.id;
    }
    return available;
  }

  private moveCell(from: number, to: number): void {
    this.poolKeys[to] = this.poolKeys[from]!;
    this.poolScores[to] = this.poolScores[from]!;
    this.poolDatabases[to] = this.poolDatabases[from]!;
  }

  /** Higher is a better candidate: idle ms (LRU), 255 less the counter (LFU), nearness of expiry (TTL). */
  private scoreOf(db: Database, slot: number): number {
    if ((this.policy & LRU) !== 0) return db.idleSecondsAt(slot) * 1000;
    if ((this.policy & LFU) !== 0) return 255 - db.accessFrequencyAt(slot);
    return -db.expireAtSlot(slot);
  }
}
