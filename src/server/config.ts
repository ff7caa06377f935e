import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { splitInlineArgs } from '../protocol/resp/request-parser.js';
import { parseInt64 } from '../commands/args.js';
import { DIRECTIVES, LONG_MAX, type Directive } from './config-directives.js';

export { DIRECTIVES, EVICTION_POLICIES, type Directive } from './config-directives.js';

// The live configuration: parsing, normalising and printing values the way Redis' config.c does.

const BY_NAME = new Map<string, Directive>();
for (const directive of DIRECTIVES) {
  BY_NAME.set(directive.name, directive);
  if (directive.alias) BY_NAME.set(directive.alias, directive);
}

export function findDirective(name: string): Directive | undefined {
  return BY_NAME.get(name.toLowerCase());
}

const LLONG_MAX = 9223372036854775807n;
const MEMORY_UNITS: Record<string, bigint> = { b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };

/**
 * Redis' memtoull: digits with an optional b/k/kb/m/mb/g/gb unit (any case); no sign, no
 * fraction. Returns undefined when it is not such a value.
 */
export function parseMemory(text: string): bigint | undefined {
  const match = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(text);
  if (!match) return undefined;
  const value = BigInt(match[1]!) * (match[2] ? MEMORY_UNITS[match[2].toLowerCase()]! : 1n);
  return value > 18446744073709551615n ? undefined : value;
}

export class ConfigError extends Error {}

/** Prints a bound as Redis does (%lld); LLONG_MAX is not exact as a JS number. */
function bound(value: number): string {
  return value >= LONG_MAX ? '9223372036854775807' : String(value);
}

function checkRange(value: bigint, min: number, max: number): void {
  const upper = max >= LONG_MAX ? LLONG_MAX : BigInt(max);
  if (value < BigInt(min) || value > upper) {
    throw new ConfigError(`argument must be between ${bound(min)} and ${bound(max)} inclusive`);
  }
}

/** Checks and normalises a value the way CONFIG GET prints it back; throws ConfigError with Redis' reason. */
export function normalizeValue(directive: Directive, value: string, current: string = directive.default): string {
  const type = directive.type;
  switch (type.kind) {
    case 'bool': {
      const lower = value.toLowerCase();
      if (lower !== 'yes' && lower !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      return lower;
    }
    case 'int': {
      // Plain numerics go through string2ll: no units, no '+', no leading zeros.
      const parsed = parseInt64(value);
      if (parsed === undefined) throw new ConfigError("argument couldn't be parsed into an integer");
      checkRange(BigInt(parsed), type.min, type.max);
      return String(parsed);
    }
    case 'memory': {
      if (type.percent && value.endsWith('%')) {
        const percent = parseInt64(value.slice(0, -1));
        if (percent === undefined || BigInt(percent) < 0n) throw new ConfigError('argument must be a memory or percent value');
        return `${percent}%`;
      }
      const parsed = parseMemory(value);
      if (parsed === undefined) {
        throw new ConfigError(type.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
      }
      checkRange(parsed, type.min ?? 0, type.max ?? LONG_MAX);
      return String(parsed);
    }
    case 'enum': {
      const lower = value.toLowerCase();
      if (!type.values.includes(lower)) {
        throw new ConfigError(`argument(s) must be one of the following: ${type.values.join(', ')}`);
      }
      return lower;
    }
    case 'save':
      return normalizeSave(value);
    case 'output-buffer-limit':
      return normalizeOutputBufferLimit(value, current);
    case 'keyspace-events':
      return normalizeKeyspaceEvents(value);
    case 'string':
    case 'words':
      return value;
  }
}

/** `save ""` turns snapshots off; otherwise pairs of non-negative <seconds> <changes>, split on single spaces. */
function normalizeSave(value: string): string {
  if (value === '') return '';
  const words = value.split(' ');
  const invalid = words.length % 2 !== 0 || words.some((word) => {
    const number = parseInt64(word);
    return number === undefined || number < 0;
  });
  if (invalid) throw new ConfigError('Invalid save parameters');
  return words.join(' ');
}

const BUFFER_CLASSES = ['normal', 'slave', 'pubsub'] as const;

/** Validates every group before taking any, then prints all three classes (replica is an alias of slave). */
function normalizeOutputBufferLimit(value: string, current: string): string {
  const words = value.split(/\s+/).filter((word) => word !== '');
  if (words.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const limits = new Map<string, string>();
  const old = current.split(' ');
  for (let i = 0; i + 3 < old.length; i += 4) limits.set(old[i]!, `${old[i + 1]} ${old[i + 2]} ${old[i + 3]}`);
  for (let i = 0; i < words.length; i += 4) {
    const name = words[i]!.toLowerCase();
    const cls = name === 'replica' ? 'slave' : name;
    if (!(BUFFER_CLASSES as readonly string[]).includes(cls)) {
      throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    }
    const hard = parseMemory(words[i + 1]!);
    const soft = parseMemory(words[i + 2]!);
    const seconds = /^\d+$/.test(words[i + 3]!) ? Number(words[i + 3]) : -1;
    if (hard === undefined || soft === undefined || seconds < 0) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    limits.set(cls, `${hard} ${soft} ${seconds}`);
  }
  return BUFFER_CLASSES.map((cls) => `${cls} ${limits.get(cls) ?? '0 0 0'}`).join(' ');
}

// notify-keyspace-events classes: 'A' is every type-and-event class (g$lshzxetd); 'm' (key miss)
// and 'n' (new key) are only ever given explicitly.
const EVENT_CLASSES = 'g$lshzxetd';

function normalizeKeyspaceEvents(value: string): string {
  const seen = new Set<string>();
  for (const char of value) {
    if (char === 'A') for (const c of EVENT_CLASSES) seen.add(c);
    else if ('g$lshzxeKEtmdn'.includes(char)) seen.add(char);
    else throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  let text = '';
  if ([...EVENT_CLASSES].every((c) => seen.has(c))) text = 'A';
  else for (const c of EVENT_CLASSES) if (seen.has(c)) text += c;
  for (const c of 'nKEm') if (seen.has(c)) text += c;
  return text;
}

/** The live configuration: directive name → normalised value. */
export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, ((value: string) => void)[]>();

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
    const normalized = normalizeValue(directive, value, this.values.get(directive.name));
    this.values.set(directive.name, normalized);
    for (const listener of this.listeners.get(directive.name) ?? []) listener(normalized);
  }

  /**
   * CONFIG SET of several directives at once, all or nothing as in Redis 7: every value is
   * checked first, then all are applied. Pairs are [directive, value, name as the client gave it];
   * throws ConfigSetError naming the offending argument. Settability is checked by the caller.
   */
  setMany(pairs: readonly (readonly [Directive, string, string])[]): void {
    const normalized: string[] = [];
    for (const [directive, value, given] of pairs) {
      try {
        normalized.push(normalizeValue(directive, value, this.values.get(directive.name)));
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigSetError(given, error.message);
        throw error;
      }
    }
    pairs.forEach(([directive], index) => {
      this.values.set(directive.name, normalized[index]!);
      for (const listener of this.listeners.get(directive.name) ?? []) listener(normalized[index]!);
    });
  }

  /** Calls `listener` now and whenever the directive changes. */
  watch(name: string, listener: (value: string) => void): void {
    const directive = findDirective(name)!;
    const listeners = this.listeners.get(directive.name);
    if (listeners === undefined) this.listeners.set(directive.name, [listener]);
    else listeners.push(listener);
    listener(this.values.get(directive.name)!);
  }

  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

/** A CONFIG SET failure: which argument (as given), and Redis' reason. */
export class ConfigSetError extends ConfigError {
  constructor(readonly given: string, reason: string) {
    super(reason);
  }
}

/** Why CONFIG SET may not change this directive at all, or undefined when it may. */
export function settableError(directive: Directive, config: Config): string | undefined {
  if (directive.immutable) return "can't set immutable config";
  if (directive.protected && config.get('enable-protected-configs') === 'no') return "can't set protected config";
  return undefined;
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
    const directive = findDirective(name!);
    if (!directive) throw new ConfigError(configFileError(index + 1, line, 'Bad directive or wrong number of arguments'));
    const value = rest.join(' ');
    // redis.conf lists one `save <seconds> <changes>` per line and they add up; `save ""` clears.
    const previous = directive.name === 'save' ? pairs.findIndex(([other]) => other === 'save') : -1;
    if (previous >= 0 && value !== '' && pairs[previous]![1] !== '') pairs[previous]![1] += ` ${value}`;
    else if (previous >= 0) pairs[previous]![1] = value;
    else pairs.push([directive.name, value]);
  });
  return pairs;
}

const GENERATED_MARK = '# Generated by CONFIG REWRITE';

/** A value as a config file line needs it: quoted when empty or holding spaces, quotes or controls. */
function quoteWord(value: string): string {
  if (value !== '' && /^[!-~]+$/.test(value) && !/["'\\]/.test(value)) return value;
  let text = '"';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === '"' || char === '\\') text += `\\${char}`;
    else if (char === '\n') text += '\\n';
    else if (char === '\r') text += '\\r';
    else if (char === '\t') text += '\\t';
    else if (code < 32 || code > 126) text += `\\x${code.toString(16).padStart(2, '0')}`;
    else text += char;
  }
  return `${text}"`;
}

/** Redis' rewriteConfigBytesOption: the largest binary unit that divides the value. */
function memoryWord(value: string): string {
  if (!/^\d+$/.test(value)) return value;
  const bytes = BigInt(value);
  if (bytes === 0n) return '0';
  if (bytes % 1073741824n === 0n) return `${bytes / 1073741824n}gb`;
  if (bytes % 1048576n === 0n) return `${bytes / 1048576n}mb`;
  if (bytes % 1024n === 0n) return `${bytes / 1024n}kb`;
  return value;
}

/** The config file line(s) for a directive's value. */
function directiveLines(directive: Directive, value: string): string[] {
  const name = directive.name;
  switch (directive.type.kind) {
    case 'memory':
      return [`${name} ${memoryWord(value)}`];
    case 'output-buffer-limit': {
      const words = value.split(' ');
      const lines: string[] = [];
      for (let i = 0; i + 3 < words.length; i += 4) {
        lines.push(`${name} ${words[i]} ${memoryWord(words[i + 1]!)} ${memoryWord(words[i + 2]!)} ${words[i + 3]}`);
      }
      return lines;
    }
    case 'save':
    case 'words':
      return [value === '' ? `${name} ""` : `${name} ${value}`];
    case 'string':
    case 'keyspace-events':
      return [`${name} ${quoteWord(value)}`];
    default:
      return [`${name} ${value}`];
  }
}

/**
 * CONFIG REWRITE, as Redis does it: every directive already in the file gets its line(s) replaced
 * by the current value in place (repeats dropped), comments and unknown lines stay, and directives
 * changed from their default that the file did not mention are appended after a marker line.
 * Written to a temporary file and renamed over the original so a crash never leaves half a file.
 */
export function rewriteConfigFile(path: string, config: Config): void {
  let original: string[] = [];
  try {
    original = readFileSync(path, 'latin1').split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (original.length > 0 && original[original.length - 1] === '') original.pop();
  const written = new Set<string>();
  const output: string[] = [];
  for (const rawLine of original) {
    const line = rawLine.trim();
    if (line === GENERATED_MARK) continue;
    const words = line === '' || line.startsWith('#') ? null : splitInlineArgs(line);
    const directive = words && words.length > 0 ? findDirective(words[0]!) : undefined;
    if (directive === undefined) {
      output.push(rawLine);
      continue;
    }
    if (written.has(directive.name)) continue;
    written.add(directive.name);
    output.push(...directiveLines(directive, config.get(directive.name)));
  }
  const appended: string[] = [];
  for (const directive of DIRECTIVES) {
    if (written.has(directive.name)) continue;
    const value = config.get(directive.name);
    if (value !== directive.default) appended.push(...directiveLines(directive, value));
  }
  if (appended.length > 0) output.push(GENERATED_MARK, ...appended);
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${output.join('\n')}\n`, 'latin1');
  renameSync(temporary, path);
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
