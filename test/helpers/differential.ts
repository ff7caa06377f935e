import { RespConnection, type RespValue } from './resp-connection.js';
import { startRedis, startServer, type RunningServer } from './servers.js';

// The differential harness: the same command sequences against our server and a real redis-server,
// every reply compared. Generators (test/differential/generators) produce DiffCommands; a command
// whose reply Redis makes random or time-dependent says how to compare it.

export type Comparison =
  | { kind: 'exact' }
  /** Array replies whose order is unspecified (KEYS, SMEMBERS…). */
  | { kind: 'unordered' }
  /** SCAN-like [cursor, items]: whether the cursor is 0, and the items as a set. */
  | { kind: 'scan' }
  /** Integer replies that depend on the clock (TTL, PTTL, EXPIRETIME…): equal within `tolerance`. */
  | { kind: 'tolerance'; tolerance: number }
  /** A random pick (RANDOMKEY, SPOP without count…): both null, or both of the same RESP type. */
  | { kind: 'same-type' };

export interface DiffCommand {
  argv: string[];
  compare?: Comparison;
}

export interface Mismatch {
  index: number;
  command: string[];
  ours: RespValue;
  redis: RespValue;
}

const EXACT: Comparison = { kind: 'exact' };

function typeOf(value: RespValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return value[0]!;
}

function sortedCopy(items: RespValue[]): string[] {
  return items.map((item) => JSON.stringify(item)).sort();
}

export function repliesAgree(comparison: Comparison, ours: RespValue, redis: RespValue): boolean {
  if (JSON.stringify(ours) === JSON.stringify(redis)) return true;
  switch (comparison.kind) {
    case 'exact':
      return false;
    case 'unordered':
      return Array.isArray(ours) && Array.isArray(redis) && JSON.stringify(sortedCopy(ours)) === JSON.stringify(sortedCopy(redis));
    case 'scan': {
      if (!Array.isArray(ours) || !Array.isArray(redis) || ours.length !== 2 || redis.length !== 2) return false;
      const [ourCursor, ourItems] = ours;
      const [redisCursor, redisItems] = redis;
      if ((ourCursor === '$0') !== (redisCursor === '$0')) return false;
      return Array.isArray(ourItems) && Array.isArray(redisItems) && JSON.stringify(sortedCopy(ourItems)) === JSON.stringify(sortedCopy(redisItems));
    }
    case 'tolerance': {
      if (typeof ours !== 'string' || typeof redis !== 'string' || ours[0] !== ':' || redis[0] !== ':') return false;
      const a = Number(ours.slice(1));
      const b = Number(redis.slice(1));
      // Negative values are the "no key" / "no TTL" answers, which must be equal.
      if (a < 0 || b < 0) return a === b;
      return Math.abs(a - b) <= comparison.tolerance;
    }
    case 'same-type':
      return typeOf(ours) === typeOf(redis);
  }
}

export function describeMismatch(sequence: DiffCommand[], mismatch: Mismatch): string {
  const show = (argv: string[]): string => argv.map((arg) => JSON.stringify(arg)).join(' ');
  const lines = sequence.map((command, i) => `${i === mismatch.index ? '>>' : '  '} ${show(command.argv)}`);
  return [
    `replies differ at command ${mismatch.index}: ${show(mismatch.command)}`,
    `  ours:  ${JSON.stringify(mismatch.ours)}`,
    `  redis: ${JSON.stringify(mismatch.redis)}`,
    'sequence:',
    ...lines,
  ].join('\n');
}

/** Runs before every sequence on both servers: an empty keyspace and db 0 (SELECT/SWAPDB leave state). */
const RESET: string[][] = [['FLUSHALL'], ['SELECT', '0']];

export class Differential {
  private constructor(
    private readonly ourServer: RunningServer,
    private readonly redisServer: RunningServer,
    private ours: RespConnection,
    private redis: RespConnection,
  ) {}

  /** Starts both servers (extra `--directive value` arguments go to both) and connects to each. */
  static async start(args: string[] = []): Promise<Differential> {
    const [ourServer, redisServer] = await Promise.all([startServer(args), startRedis(args)]);
    const [ours, redis] = await Promise.all([RespConnection.connect(ourServer.port), RespConnection.connect(redisServer.port)]);
    const differential = new Differential(ourServer, redisServer, ours, redis);
    // Nothing may expire between two commands of a sequence: no active expiry on either side,
    // and the generators keep TTLs far in the future (or in the past, which is deterministic).
    await differential.both([['DEBUG', 'SET-ACTIVE-EXPIRE', '0']]);
    return differential;
  }

  get ourPort(): number {
    return this.ourServer.port;
  }

  get redisPort(): number {
    return this.redisServer.port;
  }

  /** Sends the same pipeline to both servers and returns both reply lists. */
  async both(commands: string[][]): Promise<[RespValue[], RespValue[]]> {
    const [ours, redis] = await Promise.all([this.ours.pipeline(commands), this.redis.pipeline(commands)]);
    return [ours, redis];
  }

  /** Runs one sequence on freshly flushed servers; the first disagreeing reply, or null. */
  async run(sequence: DiffCommand[]): Promise<Mismatch | null> {
    const commands = [...RESET, ...sequence.map((command) => command.argv)];
    let ours: RespValue[];
    let redis: RespValue[];
    try {
      [ours, redis] = await this.both(commands);
    } catch (error) {
      await this.reconnect();
      return { index: -1, command: [], ours: `connection failed: ${(error as Error).message}`, redis: '' };
    }
    for (let i = 0; i < sequence.length; i++) {
      const our = ours[i + RESET.length]!;
      const their = redis[i + RESET.length]!;
      if (!repliesAgree(sequence[i]!.compare ?? EXACT, our, their)) {
        return { index: i, command: sequence[i]!.argv, ours: our, redis: their };
      }
    }
    return null;
  }

  /** Throws a readable report (after shrinking the sequence) when the servers disagree. */
  async check(sequence: DiffCommand[]): Promise<void> {
    const mismatch = await this.run(sequence);
    if (mismatch === null) return;
    const minimal = await this.minimise(sequence, mismatch);
    throw new Error(describeMismatch(minimal.sequence, minimal.mismatch));
  }

  /**
   * Greedy shrinking: drops every command after the disagreeing one, then each earlier command
   * whose removal keeps a disagreement on the same command name.
   */
  async minimise(sequence: DiffCommand[], mismatch: Mismatch): Promise<{ sequence: DiffCommand[]; mismatch: Mismatch }> {
    if (mismatch.index < 0) return { sequence, mismatch };
    let current = sequence.slice(0, mismatch.index + 1);
    let found = mismatch;
    const name = mismatch.command[0]!.toLowerCase();
    for (let i = current.length - 2; i >= 0; i--) {
      const candidate = [...current.slice(0, i), ...current.slice(i + 1)];
      const result = await this.run(candidate);
      if (result !== null && result.command[0]!.toLowerCase() === name) {
        current = candidate.slice(0, result.index + 1);
        found = result;
        i = Math.min(i, current.length - 1);
      }
    }
    return { sequence: current, mismatch: found };
  }

  async stop(): Promise<void> {
    this.ours.close();
    this.redis.close();
    await Promise.all([this.ourServer.stop(), this.redisServer.stop()]);
  }

  private async reconnect(): Promise<void> {
    this.ours.close();
    this.redis.close();
    this.ours = await RespConnection.connect(this.ourServer.port);
    this.redis = await RespConnection.connect(this.redisServer.port);
    await this.both([['DEBUG', 'SET-ACTIVE-EXPIRE', '0']]);
  }
}
