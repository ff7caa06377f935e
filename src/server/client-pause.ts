import type { Command } from '../commands/registry.js';
import type { Server } from './server.js';
import type { Session } from './session.js';

// CLIENT PAUSE / UNPAUSE, after Redis 7.0 (networking.c pauseClients, server.c processCommand):
// - a paused command is not refused: its client is postponed (flags=b, counted in blocked_clients)
//   with the command kept, and everything it pipelined after waits behind it in its query buffer;
// - ALL holds every command (CLIENT UNPAUSE from another client too); WRITE holds commands that
//   write or may replicate (PUBLISH, EVAL, PFCOUNT…), reads go on;
// - errors found before the pause check (unknown command, arity, NOAUTH) are answered at once;
// - a second pause keeps the stricter mode and the later end, as Redis does;
// - at the end (timeout or UNPAUSE) the postponed clients run again in the order they arrived;
// - while writes are paused no key is expired or evicted: the keyspace's owner asks `pausesWrites`.
// The end is a time on the node clock, so a frozen clock (DEBUG CLOCK) holds a pause until the
// clock is advanced past it.

const enum PauseMode {
  Off = 0,
  Write = 1,
  All = 2,
}

/** setTimeout's longest delay; a later end re-arms the timer when it fires. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

export class ClientPause {
  /** Whether any command may be held: the one check the request path makes. */
  active = false;
  private mode = PauseMode.Off;
  /** Absolute ms on the node clock. */
  private end = 0;
  /** Postponed clients in arrival order. */
  private postponed: Session[] = [];
  private timer: NodeJS.Timeout | undefined;
  private releaseScheduled = false;
  private readonly onTimer = (): void => {
    this.checkEnd();
  };
  private readonly runRelease = (): void => this.release();

  constructor(private readonly server: Server) {}

  /** Writes (and with them expiry and eviction) are paused, as Redis' isPausedActions for writes. */
  get pausesWrites(): boolean {
    return this.active;
  }

  /** Clients waiting for the pause to end (Redis counts them in blocked_clients). */
  get postponedCount(): number {
    return this.postponed.length;
  }

  /** CLIENT PAUSE: `end` in node-clock ms, `all` for ALL, else WRITE. */
  pause(end: number, all: boolean): void {
    const mode = all ? PauseMode.All : PauseMode.Write;
    if (mode > this.mode) this.mode = mode;
    if (end > this.end) this.end = end;
    this.active = true;
    this.server.keyspace.access.expiryPaused = true;
    this.checkEnd();
  }

  /** CLIENT UNPAUSE, and the end of the timeout: postponed clients run again, in order. */
  unpause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.mode = PauseMode.Off;
    this.end = 0;
    this.active = false;
    this.server.keyspace.access.expiryPaused = false;
    if (this.postponed.length > 0 && !this.releaseScheduled) {
      // As Redis' unblocked_clients, they run after the current command's batch, not inside it.
      this.releaseScheduled = true;
      setImmediate(this.runRelease);
    }
  }

  /**
   * Whether `command` waits now. Only called while `active`; the errors dispatch would answer
   * before the pause check (arity, NOAUTH) are not held.
   */
  holds(session: Session, command: Command, argc: number): boolean {
    if (!this.active || !command.arityOk(argc)) return false;
    if (!session.authenticated && !command.noAuth) return false;
    if (this.server.clock.now >= this.end && this.checkEnd()) return false;
    if (this.mode === PauseMode.All) return true;
    return command.isWrite || command.spec.flags.includes('may_replicate');
  }

  postpone(session: Session): void {
    this.postponed.push(session);
  }

  /** The clock was moved (DEBUG CLOCK): a pause it carried past its end ends now. */
  clockMoved(): void {
    if (this.active) this.checkEnd();
  }

  /** Ends the pause if its time has come, else arms a timer for it; true when it ended. */
  private checkEnd(): boolean {
    const clock = this.server.clock;
    clock.refresh();
    const remaining = this.end - clock.now;
    if (remaining <= 0) {
      this.unpause();
      return true;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    // A frozen clock does not reach the end by itself; DEBUG CLOCK ADVANCE/RESUME re-check.
    this.timer = clock.frozen ? undefined : setTimeout(this.onTimer, Math.min(remaining, MAX_TIMER_DELAY));
    this.timer?.unref();
    return false;
  }

  private release(): void {
    this.releaseScheduled = false;
    const queue = this.postponed;
    this.postponed = [];
    this.server.clock.refresh();
    // A client released here may pause again; the clients after it are then postponed anew.
    for (const session of queue) session.resumeAfterPause();
  }
}
