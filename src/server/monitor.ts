import { SimpleString } from '../protocol/reply.js';
import type { Session } from './session.js';

// MONITOR (Redis' replicationFeedMonitors): every command that ran, as one status line per
// command to every monitoring client:
//   +1700000000.123456 [0 127.0.0.1:50000] "set" "k" "v"
// with the wall-clock time in microseconds, the db the client is in after the command, its peer
// address and each argument quoted as sdscatrepr quotes it.

const HEX = '0123456789abcdef';

/**
 * Redis' sdscatrepr: the argument in double quotes, with \\ \" \n \r \t \a \b escaped and any
 * other byte outside printable ASCII written as \xNN (lower-case hex). Arguments are latin1
 * strings, one char per byte, so the bytes of a UTF-8 é show as \xc3\xa9 exactly as in Redis.
 */
export function quoteArgument(arg: string): string {
  let quoted = '"';
  for (let i = 0; i < arg.length; i++) {
    const code = arg.charCodeAt(i);
    switch (code) {
      case 0x5c:
        quoted += '\\\\';
        break;
      case 0x22:
        quoted += '\\"';
        break;
      case 0x0a:
        quoted += '\\n';
        break;
      case 0x0d:
        quoted += '\\r';
        break;
      case 0x09:
        quoted += '\\t';
        break;
      case 0x07:
        quoted += '\\a';
        break;
      case 0x08:
        quoted += '\\b';
        break;
      default:
        quoted += code >= 0x20 && code <= 0x7e ? arg[i] : `\\x${HEX[code >> 4]}${HEX[code & 15]}`;
    }
  }
  return `${quoted}"`;
}

/** The monitoring clients of one server, and the feed dispatch calls after each monitored command. */
export class MonitorFeed {
  /**
   * How many clients may be monitoring. Dispatch tests this one number per command; it can stay
   * above the truth until the next feed drops clients that left or ran RESET.
   */
  count = 0;
  private monitors: Session[] = [];
  private flushScheduled = false;
  private readonly flushAll = (): void => this.flushMonitors();

  add(session: Session): void {
    this.monitors.push(session);
    this.count = this.monitors.length;
  }

  /** Sends `argv`, as `session` ran it, to every monitor (the session itself too, if it monitors). */
  feed(session: Session, argv: readonly string[]): void {
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const seconds = Math.floor(micros / 1e6);
    let line = `${seconds}.${String(micros - seconds * 1e6).padStart(6, '0')} [${session.dbIndex} ${session.address}]`;
    for (let i = 0; i < argv.length; i++) line += ` ${quoteArgument(argv[i]!)}`;
    const reply = new SimpleString(line);
    let live = 0;
    const monitors = this.monitors;
    for (let i = 0; i < monitors.length; i++) {
      const monitor = monitors[i]!;
      // A client that disconnected, was killed or ran RESET left monitor mode: drop it here.
      if (!monitor.monitoring || monitor.server.sessions.get(monitor.id) !== monitor) continue;
      monitors[live++] = monitor;
      if (!monitor.closing) monitor.writer.write(reply);
    }
    monitors.length = live;
    this.count = live;
    // The monitors' replies leave with their own next batch; others are written after this turn.
    if (live > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  private flushMonitors(): void {
    this.flushScheduled = false;
    for (const monitor of this.monitors) if (!monitor.closing) monitor.flush();
  }
}
