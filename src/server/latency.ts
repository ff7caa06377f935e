import type { Reply } from '../protocol/reply.js';

// The latency monitor (Redis' latency.c): per event class ("command", "fast-command",
// "expire-cycle"…) a ring of the last 160 seconds that had a spike at or over
// latency-monitor-threshold milliseconds, one sample per second (the worst of that second),
// and the worst spike ever seen. Series are created on their first sample.

/** Redis' LATENCY_TS_LEN. */
export const SERIES_LENGTH = 160;

export class LatencySeries {
  /** Unix seconds per slot; 0 marks a slot never written. */
  readonly times = new Array<number>(SERIES_LENGTH).fill(0);
  readonly latencies = new Array<number>(SERIES_LENGTH).fill(0);
  /** The next slot to write. */
  next = 0;
  /** The highest latency ever added, including spikes merged into a second's sample. */
  max = 0;

  add(now: number, latency: number): void {
    if (latency > this.max) this.max = latency;
    const previous = (this.next + SERIES_LENGTH - 1) % SERIES_LENGTH;
    if (this.times[previous] === now) {
      if (latency > this.latencies[previous]!) this.latencies[previous] = latency;
      return;
    }
    this.times[this.next] = now;
    this.latencies[this.next] = latency;
    this.next = (this.next + 1) % SERIES_LENGTH;
  }

  /** The written slots from oldest to newest, as [unix seconds, latency ms] pairs. */
  samples(): [number, number][] {
    const samples: [number, number][] = [];
    for (let j = 0; j < SERIES_LENGTH; j++) {
      const i = (this.next + j) % SERIES_LENGTH;
      if (this.times[i] !== 0) samples.push([this.times[i]!, this.latencies[i]!]);
    }
    return samples;
  }

  /** The most recent slot, written or not (LATENCY LATEST reads it as Redis does). */
  latest(): [number, number] {
    const last = (this.next + SERIES_LENGTH - 1) % SERIES_LENGTH;
    return [this.times[last]!, this.latencies[last]!];
  }
}

export class LatencyMonitor {
  /** latency-monitor-threshold in milliseconds; 0 turns the monitor off. */
  thresholdMs = 0;
  /** Event name → its series, in the order the events first happened. */
  readonly events = new Map<string, LatencySeries>();

  /** Redis' latencyAddSampleIfNeeded: only spikes at or over the threshold are kept. */
  addSampleIfNeeded(event: string, latencyMs: number): void {
    if (this.thresholdMs !== 0 && latencyMs >= this.thresholdMs) this.addSample(event, latencyMs);
  }

  addSample(event: string, latencyMs: number): void {
    let series = this.events.get(event);
    if (series === undefined) {
      series = new LatencySeries();
      this.events.set(event, series);
    }
    series.add(Math.floor(Date.now() / 1000), latencyMs);
  }

  /** LATENCY LATEST: per event its name, the latest sample's time and latency, and the all-time max. */
  latest(): Reply[] {
    const reply: Reply[] = [];
    for (const [event, series] of this.events) {
      const [time, latency] = series.latest();
      reply.push([event, time, latency, series.max]);
    }
    return reply;
  }

  /** LATENCY HISTORY: the event's samples, oldest first; the name matches exactly, as Redis' dict lookup. */
  history(event: string): Reply[] {
    return this.events.get(event)?.samples() ?? [];
  }

  /** LATENCY RESET: drops the named events (case-insensitively), or all of them; returns how many. */
  reset(events: readonly string[]): number {
    if (events.length === 0) {
      const count = this.events.size;
      this.events.clear();
      return count;
    }
    let resets = 0;
    for (const wanted of events) {
      const lower = wanted.toLowerCase();
      for (const event of [...this.events.keys()]) {
        if (event.toLowerCase() === lower) {
          this.events.delete(event);
          resets++;
        }
      }
    }
    return resets;
  }
}
