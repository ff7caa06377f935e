import { parseInt64 } from './args.js';
import type { CommandSpec, FoundKey, KeySpec, KeySpecFlag } from './spec.js';

// Key specs: a command's declared ones, or the single range spec its legacy key positions mean,
// and the extraction of key positions from an argv by them (Redis' getKeysUsingKeySpecs).

/** Flags for a spec derived from legacy positions: the declared ones, else a write command updates its keys and others read. */
function derivedFlags(spec: CommandSpec): readonly KeySpecFlag[] {
  if (spec.keyFlags !== undefined) return spec.keyFlags;
  return spec.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
}

/** A spec for the one key at `index` (or, with `lastKey`, the range from it). */
export function keyAt(index: number, flags: readonly KeySpecFlag[], lastKey = 0): KeySpec {
  return { flags, begin: { index }, find: { lastKey, keyStep: 1, limit: 0 } };
}

export function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  if (spec.keySpecs !== undefined) return spec.keySpecs;
  const keys = spec.keys;
  if (keys === undefined || keys.first === 0) return [];
  return [
    {
      ...(spec.keyNotes !== undefined ? { notes: spec.keyNotes } : {}),
      flags: derivedFlags(spec),
      begin: { index: keys.first },
      find: { lastKey: keys.last < 0 ? keys.last : keys.last - keys.first, keyStep: keys.step, limit: 0 },
    },
  ];
}

/** Redis' movablekeys: some key positions depend on the arguments (a keyword, a key count, unknown). */
export function hasMovableKeys(spec: CommandSpec): boolean {
  if (spec.findKeys !== undefined) return true;
  return keySpecsOf(spec).some(
    (keySpec) => keySpec.begin === 'unknown' || keySpec.find === 'unknown' || 'keyword' in keySpec.begin || 'keynumIndex' in keySpec.find,
  );
}

/** The keys of a full argv (argv[0] the command): the command's own finder, else its key specs. */
export function keysOf(spec: CommandSpec, argv: readonly string[]): FoundKey[] | undefined {
  if (spec.findKeys !== undefined) return spec.findKeys(argv);
  const found = extractKeys(keySpecsOf(spec), argv);
  if (found === undefined || spec.variableKeyFlags === undefined) return found;
  const flags = spec.variableKeyFlags(argv);
  return found.map((key) => ({ position: key.position, flags }));
}

/**
 * The argv positions of the keys (argv[0] is the command name), with their spec's flags; undefined
 * when a key count is not a count, which Redis reports as "Invalid arguments specified for command".
 */
export function extractKeys(specs: readonly KeySpec[], argv: readonly string[]): FoundKey[] | undefined {
  const found: FoundKey[] = [];
  const argc = argv.length;
  for (const keySpec of specs) {
    // Specs Redis cannot follow from positions give no keys here (a finder covers them).
    if (keySpec.begin === 'unknown' || keySpec.find === 'unknown') continue;
    let begin: number;
    if ('index' in keySpec.begin) {
      begin = keySpec.begin.index;
    } else {
      const { keyword, startFrom } = keySpec.begin;
      const upper = keyword.toUpperCase();
      begin = -1;
      const forward = startFrom > 0;
      for (let i = forward ? startFrom : argc + startFrom; forward ? i < argc : i > 0; i += forward ? 1 : -1) {
        if (argv[i]!.toUpperCase() === upper) {
          begin = i + 1;
          break;
        }
      }
      if (begin < 0) continue;
    }
    if (begin >= argc) continue;
    const find = keySpec.find;
    let first: number;
    let last: number;
    let step: number;
    if ('keynumIndex' in find) {
      const count = parseInt64(argv[begin + find.keynumIndex] ?? '');
      if (typeof count !== 'number' || count < 0) return undefined;
      first = begin + find.firstKey;
      step = find.keyStep;
      // Redis counts the last key without the step (last = first + numkeys - 1).
      last = first + count - 1;
    } else {
      first = begin;
      step = find.keyStep;
      if (find.lastKey >= 0) last = first + find.lastKey;
      else if (find.limit === 0) last = argc + find.lastKey;
      else last = first + (Math.floor((argc - first) / find.limit) + find.lastKey);
    }
    // Too few arguments for the spec: Redis takes no keys from it and lets the command report.
    if (last >= argc || last < first) continue;
    for (let position = first; position <= last; position += step) found.push({ position, flags: keySpec.flags });
  }
  return found;
}
