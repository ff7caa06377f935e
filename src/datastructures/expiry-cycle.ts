import type { Keyspace } from './keyspace.js';

// Redis' active expiry (activeExpireCycle, slow mode): every tick, sample keys with a TTL in each
// database and remove the expired ones; keep sampling a database while more than a quarter of a
// sample was expired, within a CPU budget. No timer per key.
const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE_PERCENT = 10;

export class ExpiryCycle {
  private nextDatabase = 0;

  constructor(private readonly keyspace: Keyspace) {}

  /** Runs one cycle for at most `budgetMs` of CPU time; returns how many keys it expired. */
  run(budgetMs: number): number {
    // CLIENT PAUSE keeps the dataset static: no key expires until it ends.
    if (this.keyspace.access.expiryPaused) return 0;
    const started = performance.now();
    const databases = this.keyspace.databases;
    let expiredTotal = 0;
    let sampledTotal = 0;
    for (let visited = 0; visited < databases.length; visited++) {
      const db = databases[this.nextDatabase]!;
      this.nextDatabase = (this.nextDatabase + 1) % databases.length;
      for (;;) {
        // With no TTL left, the sample resets the database's avg_ttl to 0 (as Redis' cycle does).
        if (db.expiresCount === 0) {
          db.expireSample(0);
          break;
        }
        const expired = db.expireSample(KEYS_PER_LOOP);
        const sampled = db.lastSampled;
        sampledTotal += sampled;
        expiredTotal += expired;
        if (performance.now() - started > budgetMs) return this.finish(started, sampledTotal, expiredTotal);
        if (sampled === 0 || (expired * 100) / sampled <= ACCEPTABLE_STALE_PERCENT) break;
      }
    }
    return this.finish(started, sampledTotal, expiredTotal);
  }

  private finish(started: number, sampled: number, expired: number): number {
    const stats = this.keyspace.stats;
    stats.expireCycleCpuMs += performance.now() - started;
    // Redis keeps a running average of the stale share it sees, reported as expired_stale_perc.
    const current = sampled === 0 ? 0 : expired / sampled;
    stats.expiredStalePerc = current * 0.05 + stats.expiredStalePerc * 0.95;
    return expired;
  }
}
