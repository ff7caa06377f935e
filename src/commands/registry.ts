import type { CommandSpec, Handler } from './spec.js';

/**
 * A command as dispatch sees it: the declared spec, the flags dispatch tests on every call turned
 * into booleans once, and the per-command counters behind INFO commandstats.
 */
export class Command {
  readonly name: string;
  /** `config|get` for subcommands: the name Redis uses in errors and commandstats. */
  readonly fullName: string;
  readonly arity: number;
  readonly handler: Handler | undefined;
  readonly isWrite: boolean;
  readonly denyOom: boolean;
  readonly noAuth: boolean;
  readonly noMulti: boolean;
  readonly allowedWhileLoading: boolean;
  readonly isFast: boolean;
  /** EXEC: its commands are logged one by one instead. */
  readonly skipsSlowlog: boolean;
  /** Redis shows neither admin commands (CONFIG, DEBUG, SLOWLOG…) nor skip_monitor ones to monitors. */
  readonly hiddenFromMonitors: boolean;
  /** Reads, writes or may replicate: what a client in MONITOR mode (a replica to Redis) may not run. */
  readonly touchesKeyspace: boolean;
  readonly subcommands: Map<string, Command> | undefined;
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;

  constructor(readonly spec: CommandSpec, readonly parent?: Command) {
    this.name = spec.name;
    this.fullName = parent ? `${parent.name}|${spec.name}` : spec.name;
    this.arity = spec.arity;
    this.handler = spec.handler;
    this.isWrite = spec.flags.includes('write');
    this.denyOom = spec.flags.includes('denyoom');
    this.noAuth = spec.flags.includes('no_auth');
    this.noMulti = spec.flags.includes('no_multi');
    this.allowedWhileLoading = spec.flags.includes('loading');
    this.isFast = spec.flags.includes('fast');
    this.skipsSlowlog = spec.flags.includes('skip_slowlog');
    this.hiddenFromMonitors = spec.flags.includes('admin') || spec.flags.includes('skip_monitor');
    this.touchesKeyspace = spec.flags.includes('readonly') || spec.flags.includes('write') || spec.flags.includes('may_replicate');
    if (spec.subcommands) {
      this.subcommands = new Map();
      for (const sub of spec.subcommands) this.subcommands.set(sub.name, new Command(sub, this));
    }
  }

  resetStats(): void {
    this.calls = 0;
    this.usec = 0;
    this.rejectedCalls = 0;
    this.failedCalls = 0;
    if (this.subcommands) for (const sub of this.subcommands.values()) sub.resetStats();
  }

  /** True when argc fits the declared arity. */
  arityOk(argc: number): boolean {
    const arity = this.arity;
    return arity > 0 ? argc === arity : argc >= -arity;
  }
}

export class CommandTable {
  private readonly byName = new Map<string, Command>();
  // Clients send names in upper or lower case; caching the exact spelling they used spares a
  // toLowerCase() allocation per command. Bounded so arbitrary casings cannot grow it.
  private readonly bySpelling = new Map<string, Command>();

  constructor(groups: readonly (readonly CommandSpec[])[]) {
    for (const group of groups) {
      for (const spec of group) {
        if (this.byName.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
        const command = new Command(spec);
        this.byName.set(spec.name, command);
        this.bySpelling.set(spec.name, command);
        this.bySpelling.set(spec.name.toUpperCase(), command);
      }
    }
  }

  lookup(name: string): Command | undefined {
    const hit = this.bySpelling.get(name);
    if (hit !== undefined) return hit;
    const command = this.byName.get(name.toLowerCase());
    if (command !== undefined && this.bySpelling.size < 4096) this.bySpelling.set(name, command);
    return command;
  }

  get(name: string): Command | undefined {
    return this.byName.get(name);
  }

  all(): IterableIterator<Command> {
    return this.byName.values();
  }

  get size(): number {
    return this.byName.size;
  }
}
