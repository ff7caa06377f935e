import type { Command } from '../commands/registry.js';
import { LatencyMonitor } from './latency.js';
import { MonitorFeed } from './monitor.js';
import type { Config } from './config.js';
import type { Session } from './session.js';
import { SlowLog } from './slowlog.js';

// One node's diagnostics: the slow log, the latency monitor and the MONITOR feed, kept current
// with their config directives. Dispatch pays one comparison per command for the first two
// (a duration against `triggerMs`) and one for the feed (`monitors.count`).

export class Diagnostics {
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  readonly monitors = new MonitorFeed();
  /**
   * The shortest command duration, in ms, that the slow log or the latency monitor records;
   * Infinity while both are off.
   */
  triggerMs = Infinity;

  constructor(config: Config) {
    config.watch('slowlog-log-slower-than', (value) => {
      this.slowlog.thresholdMicros = Number(value);
      this.updateTrigger();
    });
    config.watch('slowlog-max-len', (value) => this.slowlog.setMaxLength(Number(value)));
    config.watch('latency-monitor-threshold', (value) => {
      this.latency.thresholdMs = Number(value);
      this.updateTrigger();
    });
  }

  private updateTrigger(): void {
    const slowlogMicros = this.slowlog.thresholdMicros;
    const latencyMs = this.latency.thresholdMs;
    this.triggerMs = Math.min(slowlogMicros >= 0 ? slowlogMicros / 1000 : Infinity, latencyMs > 0 ? latencyMs : Infinity);
  }

  /**
   * Redis' call() after a command at least `triggerMs` long: a latency sample ("fast-command" for
   * fast-flagged commands), and a slow log entry unless the command is blocked (Redis logs that
   * one when it is served) or skips the log (EXEC, whose commands are logged one by one).
   */
  recordSlowCommand(session: Session, command: Command, argv: readonly string[], elapsedMs: number): void {
    const durationMicros = Math.floor(elapsedMs * 1000);
    this.latency.addSampleIfNeeded(command.isFast ? 'fast-command' : 'command', Math.floor(durationMicros / 1000));
    if (!command.skipsSlowlog && session.blocked === null) {
      this.slowlog.record(argv, durationMicros, session.address, session.name);
    }
  }

  /**
   * Redis' updateStatsOnUnblock for the slow log: a blocked command is logged when it is served,
   * with the time it spent running (not waiting); one that times out is not logged (7.0.15).
   * A slow serve is also the "command-unblocking" latency event.
   */
  recordUnblocked(session: Session, command: Command, argv: readonly string[], durationMicros: number): void {
    this.latency.addSampleIfNeeded('command-unblocking', Math.floor(durationMicros / 1000));
    if (!command.skipsSlowlog) this.slowlog.record(argv, durationMicros, session.address, session.name);
  }

  /** The MONITOR feed for one executed command, unless Redis keeps it from monitors. */
  feedMonitors(session: Session, command: Command, argv: readonly string[]): void {
    if (!command.hiddenFromMonitors) this.monitors.feed(session, argv);
  }

}

/** What the slow log and MONITOR show in place of a secret argument. */
export const REDACTED = '(redacted)';

/**
 * Redis' redactClientCommandArgument: a handler hides a secret (AUTH's password, HELLO's AUTH
 * pair, CONFIG SET requirepass/masterauth/masteruser values) from the slow log and MONITOR, which
 * read argv after the handler ran. Call it once the value is no longer needed.
 */
export function redactArgument(argv: string[], index: number): void {
  if (index < argv.length) argv[index] = REDACTED;
}
