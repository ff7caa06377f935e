/** Server-wide counters behind INFO stats and errorstats; updated as things happen, never by a walk. */
export class ServerStats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  totalErrorReplies = 0;
  /** Error code (the first word of the error, e.g. ERR, WRONGTYPE) → count. */
  readonly errorCodes = new Map<string, number>();
  /** Write commands since the last save, as Redis' `dirty`. */
  dirty = 0;
  /** Samples of total commands taken each cron tick, for instantaneous_ops_per_sec. */
  private readonly opsSamples: number[] = [];
  private readonly sampleTimes: number[] = [];

  countError(text: string): void {
    this.totalErrorReplies++;
    const space = text.indexOf(' ');
    const code = space < 0 ? text : text.slice(0, space);
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  sampleOps(now: number): void {
    this.opsSamples.push(this.totalCommandsProcessed);
    this.sampleTimes.push(now);
    if (this.opsSamples.length > 16) {
      this.opsSamples.shift();
      this.sampleTimes.shift();
    }
  }

  get instantaneousOpsPerSec(): number {
    const count = this.opsSamples.length;
    if (count < 2) return 0;
    const elapsed = this.sampleTimes[count - 1]! - this.sampleTimes[0]!;
    if (elapsed <= 0) return 0;
    return Math.round(((this.opsSamples[count - 1]! - this.opsSamples[0]!) * 1000) / elapsed);
  }

  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.totalErrorReplies = 0;
    this.errorCodes.clear();
    this.opsSamples.length = 0;
    this.sampleTimes.length = 0;
  }
}
