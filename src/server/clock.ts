import type { KeyspaceClock } from '../datastructures/keyspace.js';

/**
 * The node's one clock. Read once per batch of commands (refresh), like Redis' cached mstime, so
 * every TTL decision within a command agrees. DEBUG CLOCK (with enable-time-control) freezes it,
 * moves it forward or returns it to real time; everything that decides by time of day reads it,
 * never Date.now() directly. Durations of work (command time, the expiry cycle's budget) and of the
 * process (uptime) stay on real time.
 */
export class Clock implements KeyspaceClock {
  now = Date.now();
  lruNow = Math.floor(this.now / 1000);
  private frozenAt: number | undefined = undefined;
  /** Milliseconds added to real time while the clock runs. */
  private shift = 0;

  refresh(): void {
    this.now = this.frozenAt ?? Date.now() + this.shift;
    this.lruNow = Math.floor(this.now / 1000);
  }

  /** Microseconds since the epoch, for TIME and INFO server_time_usec. */
  microseconds(): number {
    if (this.frozenAt !== undefined) return this.frozenAt * 1000;
    return Math.floor((performance.timeOrigin + performance.now()) * 1000) + this.shift * 1000;
  }

  /** Stops the clock at `at` (ms since the epoch), or where it is now. */
  freeze(at?: number): void {
    this.refresh();
    this.frozenAt = at ?? this.now;
    this.refresh();
  }

  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.shift += ms;
    this.refresh();
  }

  /** Back to real time, running. */
  resume(): void {
    this.frozenAt = undefined;
    this.shift = 0;
    this.refresh();
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** How far the clock is from real time now (ms; 0 unless moved). */
  get offset(): number {
    return this.frozenAt !== undefined ? this.frozenAt - Date.now() : this.shift;
  }
}
