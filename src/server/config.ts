import { readFileSync } from 'node:fs';
import { splitInlineArgs } from '../protocol/resp/request-parser.js';

// The configuration directives, as redis.conf, `--name value` flags, environment variables and
// CONFIG GET/SET know them. Types follow Redis' config.c so values parse and print the same way.

type DirectiveType =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'memory'; min?: number; max?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string' }
  /** Several words (bind, save, client-output-buffer-limit…), kept as given. */
  | { kind: 'words' };

export interface Directive {
  name: string;
  type: DirectiveType;
  default: string;
  /** CONFIG SET refuses it; it is read at start only. */
  immutable?: boolean;
  /** Stored so that CONFIG GET shows it and redis.conf files load, with no effect here. */
  accepted?: boolean;
  alias?: string;
  /** Hidden from CONFIG GET * like Redis' sensitive entries? No: requirepass shows, as in Redis. */
}

const BOOL = { kind: 'bool' } as const;
const STRING = { kind: 'string' } as const;
const WORDS = { kind: 'words' } as const;
const MEMORY = { kind: 'memory' } as const;
const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;
const int = (min: number, max: number): DirectiveType => ({ kind: 'int', min, max });
const oneOf = (...values: string[]): DirectiveType => ({ kind: 'enum', values });

export const EVICTION_POLICIES = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'noeviction',
] as const;

export const DIRECTIVES: readonly Directive[] = [
  { name: 'bind', type: WORDS, default: '127.0.0.1', immutable: true },
  { name: 'port', type: int(0, 65535), default: '6379', immutable: true },
  { name: 'requirepass', type: STRING, default: '' },
  { name: 'maxclients', type: int(1, INT_MAX), default: '10000' },
  { name: 'timeout', type: int(0, INT_MAX), default: '0' },
  { name: 'tcp-keepalive', type: int(0, INT_MAX), default: '300' },
  { name: 'databases', type: int(1, INT_MAX), default: '16', immutable: true },
  { name: 'proto-max-bulk-len', type: { kind: 'memory', min: 1024 * 1024, max: LONG_MAX }, default: '536870912' },
  { name: 'client-query-buffer-limit', type: { kind: 'memory', min: 1024 * 1024, max: LONG_MAX }, default: '1073741824' },
  { name: 'hz', type: int(0, INT_MAX), default: '10' },
  { name: 'dynamic-hz', type: BOOL, default: 'yes', accepted: true },
  { name: 'active-expire-effort', type: int(1, 10), default: '1' },
  { name: 'maxmemory', type: MEMORY, default: '0' },
  // ElastiCache's default parameter group evicts volatile keys by LRU; Redis' own default is noeviction.
  { name: 'maxmemory-policy', type: oneOf(...EVICTION_POLICIES), default: 'volatile-lru' },
  { name: 'maxmemory-samples', type: int(1, 64), default: '5' },
  { name: 'maxmemory-eviction-tenacity', type: int(0, 100), default: '10' },
  { name: 'lfu-log-factor', type: int(0, INT_MAX), default: '10' },
  { name: 'lfu-decay-time', type: int(0, INT_MAX), default: '1' },
  { name: 'slowlog-log-slower-than', type: int(-1, LONG_MAX), default: '10000' },
  { name: 'slowlog-max-len', type: int(0, LONG_MAX), default: '128' },
  { name: 'latency-monitor-threshold', type: int(0, LONG_MAX), default: '0' },
  { name: 'latency-tracking', type: BOOL, default: 'yes', accepted: true },
  { name: 'notify-keyspace-events', type: STRING, default: '' },
  { name: 'hash-max-listpack-entries', type: int(0, LONG_MAX), default: '128', alias: 'hash-max-ziplist-entries' },
  { name: 'hash-max-listpack-value', type: int(0, LONG_MAX), default: '64', alias: 'hash-max-ziplist-value' },
  { name: 'list-max-listpack-size', type: int(-5, INT_MAX), default: '-2', alias: 'list-max-ziplist-size' },
  { name: 'list-compress-depth', type: int(0, INT_MAX), default: '0', accepted: true },
  { name: 'set-max-intset-entries', type: int(0, LONG_MAX), default: '512' },
  { name: 'set-max-listpack-entries', type: int(0, LONG_MAX), default: '128' },
  { name: 'set-max-listpack-value', type: int(0, LONG_MAX), default: '64' },
  { name: 'zset-max-listpack-entries', type: int(0, LONG_MAX), default: '128', alias: 'zset-max-ziplist-entries' },
  { name: 'zset-max-listpack-value', type: int(0, LONG_MAX), default: '64', alias: 'zset-max-ziplist-value' },
  { name: 'enable-debug-command', type: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'protected-mode', type: BOOL, default: 'yes', accepted: true },
  { name: 'daemonize', type: BOOL, default: 'no', immutable: true, accepted: true },
  { name: 'loglevel', type: oneOf('debug', 'verbose', 'notice', 'warning'), default: 'notice' },
  { name: 'logfile', type: STRING, default: '', immutable: true },
  { name: 'dir', type: STRING, default: '.', accepted: true },
  { name: 'dbfilename', type: STRING, default: 'dump.rdb', accepted: true },
  { name: 'save', type: WORDS, default: '', accepted: true },
  { name: 'appendonly', type: BOOL, default: 'no', accepted: true },
  { name: 'appendfilename', type: STRING, default: 'appendonly.aof', immutable: true, accepted: true },
  { name: 'appendfsync', type: oneOf('always', 'everysec', 'no'), default: 'everysec', accepted: true },
  { name: 'lazyfree-lazy-eviction', type: BOOL, default: 'no', accepted: true },
  { name: 'lazyfree-lazy-expire', type: BOOL, default: 'no', accepted: true },
  { name: 'lazyfree-lazy-server-del', type: BOOL, default: 'no', accepted: true },
  { name: 'lazyfree-lazy-user-del', type: BOOL, default: 'no', accepted: true },
  { name: 'lazyfree-lazy-user-flush', type: BOOL, default: 'no', accepted: true },
  { name: 'replica-read-only', type: BOOL, default: 'yes', alias: 'slave-read-only', accepted: true },
  { name: 'cluster-enabled', type: BOOL, default: 'no', immutable: true, accepted: true },
  { name: 'client-output-buffer-limit', type: WORDS, default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', accepted: true },
  { name: 'tcp-backlog', type: int(0, INT_MAX), default: '511', immutable: true },
  { name: 'unixsocket', type: STRING, default: '', immutable: true, accepted: true },
  { name: 'pidfile', type: STRING, default: '', immutable: true, accepted: true },
  { name: 'supervised', type: oneOf('upstart', 'systemd', 'auto', 'no'), default: 'no', immutable: true, accepted: true },
  { name: 'io-threads', type: int(1, 128), default: '1', immutable: true, accepted: true },
  { name: 'activerehashing', type: BOOL, default: 'yes', accepted: true },
  { name: 'lua-time-limit', type: int(0, LONG_MAX), default: '5000', alias: 'busy-reply-threshold', accepted: true },
  { name: 'enable-time-control', type: BOOL, default: 'no', immutable: true },
];

const BY_NAME = new Map<string, Directive>();
for (const directive of DIRECTIVES) {
  BY_NAME.set(directive.name, directive);
  if (directive.alias) BY_NAME.set(directive.alias, directive);
}

export function findDirective(name: string): Directive | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Redis' memtoull: a number with an optional k/kb/m/mb/g/gb unit, case-insensitive. */
export function parseMemory(text: string): number | undefined {
  const match = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(text);
  if (!match) return undefined;
  const units: Record<string, number> = { k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const value = Number(match[1]) * (match[2] ? units[match[2].toLowerCase()]! : 1);
  return value < 0 ? undefined : value;
}

export class ConfigError extends Error {}

/** Checks and normalises a value the way CONFIG SET prints it back; throws ConfigError with Redis' reason. */
export function normalizeValue(directive: Directive, value: string): string {
  const type = directive.type;
  switch (type.kind) {
    case 'bool': {
      const lower = value.toLowerCase();
      if (lower !== 'yes' && lower !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      return lower;
    }
    case 'int': {
      const memoryValue = parseMemory(value);
      const parsed = /^-?\d+$/.test(value) ? Number(value) : memoryValue;
      if (parsed === undefined) throw new ConfigError("argument couldn't be parsed into an integer");
      if (parsed < type.min || parsed > type.max) {
        throw new ConfigError(`argument must be between ${type.min} and ${type.max} inclusive`);
      }
      return String(parsed);
    }
    case 'memory': {
      const parsed = parseMemory(value);
      if (parsed === undefined) throw new ConfigError('argument must be a memory value');
      if ((type.min !== undefined && parsed < type.min) || (type.max !== undefined && parsed > type.max)) {
        throw new ConfigError(`argument must be between ${type.min ?? 0} and ${type.max ?? LONG_MAX} inclusive`);
      }
      return String(parsed);
    }
    case 'enum': {
      const lower = value.toLowerCase();
      if (!type.values.includes(lower)) {
        throw new ConfigError(`argument(s) must be one of the following: ${type.values.join(', ')}`);
      }
      return lower;
    }
    case 'string':
    case 'words':
      return value;
  }
}

/** The live configuration: directive name → normalised value. */
export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, (value: string) => void>();

  constructor() {
    for (const directive of DIRECTIVES) this.values.set(directive.name, directive.default);
  }

  get(name: string): string {
    const directive = findDirective(name);
    if (!directive) throw new Error(`unknown directive ${name}`);
    return this.values.get(directive.name)!;
  }

  getInt(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Sets a directive, validating it; throws ConfigError. Runs the directive's change listener. */
  set(name: string, value: string): void {
    const directive = findDirective(name);
    if (!directive) throw new ConfigError(`Bad directive or wrong number of arguments`);
    const normalized = normalizeValue(directive, value);
    this.values.set(directive.name, normalized);
    this.listeners.get(directive.name)?.(normalized);
  }

  /** Calls `listener` now and whenever the directive changes. */
  watch(name: string, listener: (value: string) => void): void {
    const directive = findDirective(name)!;
    this.listeners.set(directive.name, listener);
    listener(this.values.get(directive.name)!);
  }

  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

/** Reads a redis.conf-style file into [directive, value] pairs; throws with Redis' wording on a bad line. */
export function readConfigFile(path: string): [string, string][] {
  const pairs: [string, string][] = [];
  const lines = readFileSync(path, 'latin1').split('\n');
  lines.forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = splitInlineArgs(line);
    if (words === null || words.length < 2 && !findDirective(words?.[0] ?? '')) {
      throw new ConfigError(configFileError(index + 1, line, 'Unbalanced quotes in configuration line'));
    }
    const [name, ...rest] = words;
    if (!findDirective(name!)) throw new ConfigError(configFileError(index + 1, line, 'Bad directive or wrong number of arguments'));
    pairs.push([name!.toLowerCase(), rest.join(' ')]);
  });
  return pairs;
}

function configFileError(lineNumber: number, line: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR ***\nReading the configuration file, at line ${lineNumber}\n>>> '${line}'\n${reason}`;
}

/**
 * Environment variables for containers: ELASTICACHE_<DIRECTIVE> with dashes as underscores,
 * e.g. ELASTICACHE_PORT=6380, ELASTICACHE_MAXMEMORY_POLICY=allkeys-lru.
 */
export function readEnvironment(env: NodeJS.ProcessEnv): [string, string][] {
  const pairs: [string, string][] = [];
  for (const directive of DIRECTIVES) {
    const value = env[`ELASTICACHE_${directive.name.toUpperCase().replace(/-/g, '_')}`];
    if (value !== undefined) pairs.push([directive.name, value]);
  }
  return pairs;
}

/** redis-server style: an optional config file first, then `--directive value…` pairs. */
export function parseCommandLine(args: readonly string[]): { file?: string; pairs: [string, string][] } {
  let file: string | undefined;
  let index = 0;
  if (args[0] !== undefined && !args[0].startsWith('--')) {
    file = args[0];
    index = 1;
  }
  const pairs: [string, string][] = [];
  while (index < args.length) {
    const flag = args[index]!;
    if (!flag.startsWith('--')) throw new ConfigError(`Unexpected argument '${flag}': options are --<directive> <value>`);
    const name = flag.slice(2);
    const words: string[] = [];
    index++;
    while (index < args.length && !args[index]!.startsWith('--')) words.push(args[index++]!);
    if (!findDirective(name)) throw new ConfigError(`Bad directive or wrong number of arguments: --${name}`);
    pairs.push([name.toLowerCase(), words.join(' ')]);
  }
  return { file, pairs };
}
