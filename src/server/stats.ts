/** Server-wide counters behind INFO stats and errorstats; updated as things happen, never by a walk. */
export class ServerStats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Socket reads and writes handled (INFO total_reads_processed / total_writes_processed). */
  totalReadsProcessed = 0;
  totalWritesProcessed = 0;
  totalErrorReplies = 0;
  /** Errors Redis counts as unexpected (replies to a master or in a script); none arise here yet. */
  unexpectedErrorReplies = 0;
  /** Error code (the first word of the error, e.g. ERR, WRONGTYPE) → count. */
  readonly errorCodes = new Map<string, number>();
  // Samples taken each cron tick, as Redis' instantaneous metrics: a sliding window of 16.
  private readonly opsSamples: number[] = [];
  private readonly inputSamples: number[] = [];
  private readonly outputSamples: number[] = [];
  private readonly sampleTimes: number[] = [];

  countError(text: string): void {
    this.totalErrorReplies++;
    const space = text.indexOf(' ');
    const code = space < 0 ? text : text.slice(0, space);
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  sampleOps(now: number): void {
    this.opsSamples.push(this.totalCommandsProcessed);
    this.inputSamples.push(this.netInputBytes);
    this.outputSamples.push(this.netOutputBytes);
    this.sampleTimes.push(now);
    if (this.sampleTimes.length > 16) {
      this.opsSamples.shift();
      this.inputSamples.shift();
      this.outputSamples.shift();
      this.sampleTimes.shift();
    }
  }

  /** Change per second of a sampled counter over the window. */
  private rate(samples: readonly number[]): number {
    const count = samples.length;
    if (count < 2) return 0;
    const elapsed = this.sampleTimes[count - 1]! - this.sampleTimes[0]!;
    if (elapsed <= 0) return 0;
    return ((samples[count - 1]! - samples[0]!) * 1000) / elapsed;
  }

  get instantaneousOpsPerSec(): number {
    return Math.round(this.rate(this.opsSamples));
  }

  get instantaneousInputKbps(): number {
    return this.rate(this.inputSamples) / 1024;
  }

  get instantaneousOutputKbps(): number {
    return this.rate(this.outputSamples) / 1024;
  }

  /** CONFIG RESETSTAT: what Redis' resetServerStats clears (not dirty, which belongs to saving). */
  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.totalReadsProcessed = 0;
    this.totalWritesProcessed = 0;
    this.totalErrorReplies = 0;
    this.unexpectedErrorReplies = 0;
    this.errorCodes.clear();
    this.opsSamples.length = 0;
    this.inputSamples.length = 0;
    this.outputSamples.length = 0;
    this.sampleTimes.length = 0;
  }
}
