import type { Command } from '../commands/registry.js';
import { LatencyMonitor } from './latency.js';
import { MonitorFeed } from './monitor.js';
import type { Server } from './server.js';
import type { Session } from './session.js';
import { SlowLog } from './slowlog.js';

// One node's diagnostics: the slow log, the latency monitor and the MONITOR feed, kept current
// with their config directives. Dispatch pays one comparison per command for the first two
// (a duration against `triggerMs`) and one for the feed (`monitors.count`).

const FAST = 1;
const SKIP_SLOWLOG = 2;
/** Redis shows neither admin commands (CONFIG, DEBUG, SLOWLOG…) nor skip_monitor ones to monitors. */
const NOT_MONITORED = 4;
/** Read, write or may-replicate: what a client in MONITOR mode may no longer run, as a replica. */
const TOUCHES_KEYSPACE = 8;

const commandBits = new WeakMap<Command, number>();

/** The command flags the diagnostics look at, as bits, computed once per command. */
function bitsOf(command: Command): number {
  let bits = commandBits.get(command);
  if (bits === undefined) {
    const flags = command.spec.flags;
    bits =
      (flags.includes('fast') ? FAST : 0) |
      (flags.includes('skip_slowlog') ? SKIP_SLOWLOG : 0) |
      (flags.includes('admin') || flags.includes('skip_monitor') ? NOT_MONITORED : 0) |
      (flags.includes('readonly') || flags.includes('write') || flags.includes('may_replicate') ? TOUCHES_KEYSPACE : 0);
    commandBits.set(command, bits);
  }
  return bits;
}

export class Diagnostics {
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  readonly monitors = new MonitorFeed();
  /**
   * The shortest command duration, in ms, that the slow log or the latency monitor records;
   * Infinity while both are off.
   */
  triggerMs = Infinity;

  constructor(readonly server: Server) {
    const config = server.config;
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
    const bits = bitsOf(command);
    this.latency.addSampleIfNeeded(bits & FAST ? 'fast-command' : 'command', Math.floor(durationMicros / 1000));
    if ((bits & SKIP_SLOWLOG) === 0 && session.blocked === null) {
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
    if ((bitsOf(command) & SKIP_SLOWLOG) === 0) this.slowlog.record(argv, durationMicros, session.address, session.name);
  }

  /** The MONITOR feed for one executed command, unless Redis keeps it from monitors. */
  feedMonitors(session: Session, command: Command, argv: readonly string[]): void {
    if ((bitsOf(command) & NOT_MONITORED) === 0) this.monitors.feed(session, argv);
  }

  /** A monitoring client may not touch the keyspace (Redis treats it as a replica). */
  static touchesKeyspace(command: Command): boolean {
    return (bitsOf(command) & TOUCHES_KEYSPACE) !== 0;
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

const byServer = new WeakMap<Server, Diagnostics>();

/** The node's diagnostics, created (and bound to its config) on first use. */
export function diagnosticsOf(server: Server): Diagnostics {
  let diagnostics = byServer.get(server);
  if (diagnostics === undefined) {
    diagnostics = new Diagnostics(server);
    byServer.set(server, diagnostics);
  }
  return diagnostics;
}
