import type { Reply } from '../protocol/reply.js';

// The slow log (Redis' slowlog.c): the latest slowlog-max-len commands that ran for at least
// slowlog-log-slower-than microseconds, newest first. Entries keep a trimmed copy of the
// arguments, so a huge MSET or a 1 MB value costs a few kilobytes here, never the whole command.

/** Redis' SLOWLOG_ENTRY_MAX_ARGC: the last kept slot says how many arguments were left out. */
const MAX_ARGC = 32;
/** Redis' SLOWLOG_ENTRY_MAX_STRING: longer arguments keep this many bytes and say how many more. */
const MAX_STRING = 128;

interface SlowlogEntry {
  id: number;
  /** Unix seconds when the command finished. */
  time: number;
  durationMicros: number;
  argv: string[];
  /** ip:port of the client (Redis' getClientPeerId). */
  peer: string;
  clientName: string;
}

/** Redis' slowlogCreateEntry argument rules: at most 32 slots, strings cut at 128 bytes. */
function trimmedArgv(argv: readonly string[]): string[] {
  const argc = argv.length;
  const kept = argc > MAX_ARGC ? MAX_ARGC : argc;
  const copy = new Array<string>(kept);
  for (let i = 0; i < kept; i++) {
    if (kept !== argc && i === kept - 1) {
      copy[i] = `... (${argc - kept + 1} more arguments)`;
      continue;
    }
    const arg = argv[i]!;
    copy[i] = arg.length > MAX_STRING ? `${arg.slice(0, MAX_STRING)}... (${arg.length - MAX_STRING} more bytes)` : arg;
  }
  return copy;
}

export class SlowLog {
  /** slowlog-log-slower-than in microseconds; negative disables the log. */
  thresholdMicros = 10000;
  /** slowlog-max-len. */
  private maxLength = 128;
  /** Oldest first, so a push is an append; replies read it backwards. */
  private entries: SlowlogEntry[] = [];
  /** Ids keep counting across SLOWLOG RESET, as Redis' slowlog_entry_id does. */
  private nextId = 0;

  get length(): number {
    return this.entries.length;
  }

  /**
   * CONFIG SET slowlog-max-len: a shorter log drops its oldest entries at once, unless the log is
   * disabled (Redis trims only when a command passes through an enabled log).
   */
  setMaxLength(maxLength: number): void {
    this.maxLength = maxLength;
    if (this.thresholdMicros >= 0) this.trim();
  }

  /** Redis' slowlogPushEntryIfNeeded: logs the command when it was slow enough, then trims. */
  record(argv: readonly string[], durationMicros: number, peer: string, clientName: string): void {
    if (this.thresholdMicros < 0) return;
    if (durationMicros >= this.thresholdMicros) {
      this.entries.push({
        id: this.nextId++,
        time: Math.floor(Date.now() / 1000),
        durationMicros,
        argv: trimmedArgv(argv),
        peer,
        clientName,
      });
    }
    this.trim();
  }

  reset(): void {
    this.entries = [];
  }

  /** SLOWLOG GET: the newest `count` entries (all of them for -1), each as Redis' six fields. */
  newest(count: number): Reply[] {
    const entries = this.entries;
    const last = count < 0 || count > entries.length ? 0 : entries.length - count;
    const reply: Reply[] = [];
    for (let i = entries.length - 1; i >= last; i--) {
      const entry = entries[i]!;
      reply.push([entry.id, entry.time, entry.durationMicros, entry.argv, entry.peer, entry.clientName]);
    }
    return reply;
  }

  private trim(): void {
    const excess = this.entries.length - this.maxLength;
    if (excess > 0) this.entries.splice(0, excess);
  }
}
