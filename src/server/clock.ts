import type { KeyspaceClock } from '../datastructures/keyspace.js';

/**
 * The node's one clock. Read once per batch of commands (refresh), like Redis' cached mstime, so
 * every TTL decision within a command agrees. Tests can freeze or shift it later through the
 * time-control command; everything time-based reads it, never Date.now() directly.
 */
export class Clock implements KeyspaceClock {
  now = Date.now();
  lruNow = Math.floor(this.now / 1000);
  private frozenAt: number | undefined = undefined;
  private offset = 0;

  refresh(): void {
    this.now = this.frozenAt ?? Date.now() + this.offset;
    this.lruNow = Math.floor(this.now / 1000);
  }

  /** Microseconds since the epoch, for TIME. */
  microseconds(): number {
    return this.frozenAt !== undefined ? this.frozenAt * 1000 : Math.floor((performance.timeOrigin + performance.now()) * 1000) + this.offset * 1000;
  }

  freeze(at: number = this.now): void {
    this.frozenAt = at;
    this.refresh();
  }

  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offset += ms;
    this.refresh();
  }

  resume(): void {
    this.frozenAt = undefined;
    this.offset = 0;
    this.refresh();
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }
}
