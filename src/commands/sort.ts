import type { Database } from '../datastructures/database.js';
import type { HashValue } from '../datastructures/hash.js';
import { ListValue } from '../datastructures/list.js';
import type { SetValue } from '../datastructures/set.js';
import type { SortedSet, ZsetLimits } from '../datastructures/sorted-set.js';
import type { ZsetNode } from '../datastructures/zset-tree.js';
import { CommandError, ERR_NOT_INTEGER, ERR_SORT_SCORES, ERR_SYNTAX, ERR_WRONGTYPE } from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { isToken, parseFloat64, parseInt64 } from './args.js';
import { addList } from './list-generic.js';
import type { ArgumentSpec, CommandSpec, FoundKey, KeySpec } from './spec.js';
import { keyAt } from './key-specs.js';

// SORT and SORT_RO as Redis 7.0's sort.c: the same option grammar, the same LIMIT clamping, the
// same element order where Redis does not sort (BY a constant), the same comparison (numeric with
// ties broken by the bytes, ALPHA as strcoll in the C locale, which stops at a NUL byte, binary
// when storing), glibc's stable merge sort for a full sort and Redis' partial quicksort (pqsort)
// when BY and LIMIT select a range — so even ties come out in Redis' order.

/** One element being sorted: Redis' redisSortObject. */
interface SortEntry {
  element: string;
  score: number;
  /** ALPHA with BY: the looked-up value, null when missing. */
  byValue: string | null;
}

/** How a SORT compares, Redis' server.sort_* globals. */
interface SortMode {
  desc: boolean;
  alpha: boolean;
  byPattern: boolean;
  store: boolean;
}

/** No zset fits these limits: SORT converts a listpack zset to skiplist, as Redis' zsetConvert. */
const SKIPLIST_ONLY: ZsetLimits = { maxEntries: -1, maxValue: -1 };

/** The C string view of a byte string: everything before its first NUL (strcoll, strchr, strtod). */
function cString(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C (or C.UTF-8) locale: strcmp over the bytes up to the first NUL. */
function collate(a: string, b: string): number {
  return binaryCompare(cString(a), cString(b));
}

const C_SPACE = /^[ \t\n\v\f\r]*/;

/**
 * glibc strtod as SORT uses it: leading white space skipped, the whole C string must be the
 * number (an empty string is 0: no conversion, and the end pointer is at the NUL), and a result
 * that overflows or underflows (ERANGE: infinite from finite digits, zero or subnormal from
 * non-zero digits) or is NaN is refused. Returns undefined when Redis would say the score can't
 * be converted.
 */
export function parseSortScore(raw: string): number | undefined {
  const text = cString(raw);
  if (text.length === 0) return 0;
  const body = text.replace(C_SPACE, '');
  const value = parseFloat64(body);
  if (value === undefined) return undefined;
  if (!Number.isFinite(value)) return /inf/i.test(body) ? value : undefined;
  if (Math.abs(value) < 2.2250738585072014e-308) {
    const digits = body.replace(/^[+-]?(0[xX])?/, '').replace(/[eEpP].*$/, '');
    const hex = /^[+-]?0[xX]/.test(body);
    if ((hex ? /[1-9a-fA-F]/ : /[1-9]/).test(digits)) return undefined;
  }
  return value;
}

/**
 * Redis' lookupKeyByPattern: "#" is the element itself; otherwise the first '*' of the pattern
 * is replaced by the element to name a key, whose string value is taken, or with "->field" after
 * the '*' the field of the hash at that key. A pattern without '*', a missing key or one of
 * another type gives null. The pattern is read as a C string for '*' and "->", as Redis does.
 */
function lookupByPattern(db: Database, pattern: string, element: string): string | null {
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return element;
  const visible = cString(pattern);
  const star = visible.indexOf('*');
  if (star < 0) return null;
  const arrow = visible.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < visible.length;
  const key = pattern.slice(0, star) + element + (hasField ? pattern.slice(star + 1, arrow) : pattern.slice(star + 1));
  const slot = db.findForRead(key);
  if (slot < 0) return null;
  const value = db.valueAt(slot);
  if (hasField) {
    if (typeof value === 'string' || value.kind !== 'hash') return null;
    return (value as HashValue).get(pattern.slice(arrow + 2)) ?? null;
  }
  return typeof value === 'string' ? value : null;
}

/**
 * Redis' pqsort: Bentley & McIlroy's quicksort (the NetBSD libc qsort) that only recurses into
 * partitions overlapping positions lrange..rrange. It is not stable, so to give ties the order
 * Redis gives them (SORT BY … LIMIT), this follows the same steps: median-of-three (ninther above
 * 40 elements) pivot, the four-way partition that parks equal keys at both ends, insertion sort
 * below 7 elements or when a partition pass swapped nothing.
 */
function partialQuicksort<T>(v: T[], cmp: (a: T, b: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = v[i]!;
    v[i] = v[j]!;
    v[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const insertionSort = (a: number, n: number): void => {
    for (let m = a + 1; m < a + n; m++) for (let l = m; l > a && cmp(v[l - 1]!, v[l]!) > 0; l--) swap(l, l - 1);
  };
  const med3 = (a: number, b: number, c: number): number =>
    cmp(v[a]!, v[b]!) < 0
      ? cmp(v[b]!, v[c]!) < 0 ? b : cmp(v[a]!, v[c]!) < 0 ? c : a
      : cmp(v[b]!, v[c]!) > 0 ? b : cmp(v[a]!, v[c]!) < 0 ? a : c;
  const sort = (first: number, count: number): void => {
    let a = first;
    let n = count;
    for (;;) {
      if (n < 7) return insertionSort(a, n);
      let pm = a + Math.floor(n / 2);
      if (n > 7) {
        let pl = a;
        let pn = a + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(a, pm);
      let pa = a + 1;
      let pb = pa;
      let pc = a + n - 1;
      let pd = pc;
      let swapped = false;
      for (;;) {
        let result: number;
        while (pb <= pc && (result = cmp(v[pb]!, v[a]!)) <= 0) {
          if (result === 0) {
            swapped = true;
            swap(pa++, pb);
          }
          pb++;
        }
        while (pb <= pc && (result = cmp(v[pc]!, v[a]!)) >= 0) {
          if (result === 0) {
            swapped = true;
            swap(pc, pd--);
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
        swapped = true;
      }
      if (!swapped) return insertionSort(a, n);
      const end = a + n;
      let r = Math.min(pa - a, pb - pa);
      vecswap(a, pb - r, r);
      r = Math.min(pd - pc, end - pd - 1);
      vecswap(pb, end - r, r);
      // Recurse only into the parts that hold some of the wanted positions.
      r = pb - pa;
      if (r > 1 && lrange <= a + r - 1 && rrange >= a) sort(a, r);
      r = pd - pc;
      if (r <= 1) return;
      a = end - r;
      n = r;
      if (!(lrange <= a + r - 1 && rrange >= a)) return;
    }
  };
  sort(0, v.length);
}

function compareEntries(a: SortEntry, b: SortEntry, mode: SortMode): number {
  let cmp: number;
  if (!mode.alpha) {
    cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.element, b.element);
  } else if (mode.byPattern) {
    if (a.byValue === null || b.byValue === null) cmp = a.byValue === b.byValue ? 0 : a.byValue === null ? -1 : 1;
    else cmp = mode.store ? binaryCompare(a.byValue, b.byValue) : collate(a.byValue, b.byValue);
  } else {
    cmp = mode.store ? binaryCompare(a.element, b.element) : collate(a.element, b.element);
  }
  return mode.desc ? -cmp : cmp;
}

function limitArgument(text: string): number {
  const value = parseInt64(text);
  if (value === undefined) throw new CommandError(ERR_NOT_INTEGER);
  return Number(value);
}

function zsetRange(zset: SortedSet, start: number, count: number, desc: boolean): string[] {
  const out: string[] = [];
  const size = zset.size;
  let node: ZsetNode | null = count > 0 ? zset.nodeAt(desc ? size - 1 - start : start) : null;
  for (let i = 0; i < count && node !== null; i++) {
    out.push(node.member);
    node = desc ? node.backward : node.next;
  }
  return out;
}

function sortGeneric(session: Session, argv: string[], readonly: boolean): Reply {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortBy: string | null = null;
  let dontSort = false;
  let storeKey: string | null = null;
  const getPatterns: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const option = argv[j]!;
    const left = argv.length - j - 1;
    if (isToken(option, 'ASC')) {
      desc = false;
    } else if (isToken(option, 'DESC')) {
      desc = true;
    } else if (isToken(option, 'ALPHA')) {
      alpha = true;
    } else if (isToken(option, 'LIMIT') && left >= 2) {
      limitStart = limitArgument(argv[j + 1]!);
      limitCount = limitArgument(argv[j + 2]!);
      j += 2;
    } else if (!readonly && isToken(option, 'STORE') && left >= 1) {
      storeKey = argv[++j]!;
    } else if (isToken(option, 'BY') && left >= 1) {
      sortBy = argv[++j]!;
      // A pattern without '*' names no per-element key: nothing to sort by (BY nosort).
      if (!cString(sortBy).includes('*')) dontSort = true;
    } else if (isToken(option, 'GET') && left >= 1) {
      getPatterns.push(argv[++j]!);
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }

  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  let kind: 'list' | 'set' | 'zset' = 'list';
  let source: ListValue | SetValue | SortedSet | null = null;
  if (slot >= 0) {
    const value = db.valueAt(slot);
    if (typeof value === 'string' || (value.kind !== 'list' && value.kind !== 'set' && value.kind !== 'zset')) throw new CommandError(ERR_WRONGTYPE);
    kind = value.kind;
    source = value as ListValue | SetValue | SortedSet;
  }
  // A set has no order of its own: stored (or scripted) results are sorted so replicas agree.
  if (dontSort && kind === 'set' && storeKey !== null) {
    dontSort = false;
    alpha = true;
    sortBy = null;
  }
  if (kind === 'zset') (source as SortedSet).fitEncoding(SKIPLIST_ONLY);

  const length = source === null ? 0 : source.size;
  let start = Math.min(Math.max(limitStart, 0), length);
  limitCount = Math.min(Math.max(limitCount, -1), length);
  let end = limitCount < 0 ? length - 1 : start + limitCount - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  // Load the elements; lists and zsets not sorted load only the LIMIT range, in their order.
  let elements: string[];
  if (dontSort && kind !== 'set' && (start !== 0 || end !== length - 1)) {
    const count = Math.max(end - start + 1, 0);
    if (source === null || count === 0) elements = [];
    else if (kind === 'list') elements = desc ? (source as ListValue).rangeReversed(length - 1 - start, count) : (source as ListValue).range(start, count);
    else elements = zsetRange(source as SortedSet, start, count, desc);
    if (count > 0) {
      end -= start;
      start = 0;
    }
  } else if (source === null) {
    elements = [];
  } else if (kind === 'list') {
    elements = dontSort && desc ? (source as ListValue).rangeReversed(length - 1, length) : (source as ListValue).toArray();
  } else if (kind === 'set') {
    elements = (source as SetValue).toArray();
  } else {
    elements = dontSort ? zsetRange(source as SortedSet, 0, length, desc) : [...(source as SortedSet).dict.keys()];
  }

  const entries: SortEntry[] = elements.map((element) => ({ element, score: 0, byValue: null }));
  let conversionError = false;
  if (!dontSort) {
    for (const entry of entries) {
      let by: string | null = entry.element;
      if (sortBy !== null) {
        by = lookupByPattern(db, sortBy, entry.element);
        if (by === null) continue;
      }
      if (alpha) {
        if (sortBy !== null) entry.byValue = by;
      } else {
        const score = parseSortScore(by);
        if (score === undefined) conversionError = true;
        else entry.score = score;
      }
    }
    const mode: SortMode = { desc, alpha, byPattern: sortBy !== null, store: storeKey !== null };
    const compare = (a: SortEntry, b: SortEntry): number => compareEntries(a, b, mode);
    if (sortBy !== null && (start !== 0 || end !== entries.length - 1)) partialQuicksort(entries, compare, start, end);
    // glibc's qsort is a stable merge sort, as Array.prototype.sort is.
    else entries.sort(compare);
  }

  if (conversionError) throw new CommandError(ERR_SORT_SCORES);
  const output: (string | null)[] = [];
  for (let j = start; j <= end; j++) {
    const element = entries[j]!.element;
    if (getPatterns.length === 0) output.push(element);
    for (const pattern of getPatterns) output.push(lookupByPattern(db, pattern, element));
  }
  if (storeKey === null) return output;

  // STORE: a list of the results (a missing GET stores ""), replacing any value and TTL; an
  // empty result deletes the destination. Redis counts one change per stored element.
  if (output.length > 0) {
    const list = ListValue.from(output.map((item) => item ?? ''));
    const target = db.find(storeKey);
    if (target < 0) {
      addList(session, storeKey, list);
    } else {
      db.set(storeKey, list);
    }
    db.markChanged(output.length - 1);
  } else {
    db.delete(storeKey);
  }
  return output.length;
}

function sortCommand(session: Session, argv: string[]): Reply {
  return sortGeneric(session, argv, false);
}

function sortRoCommand(session: Session, argv: string[]): Reply {
  return sortGeneric(session, argv, true);
}

const SORT_COMPLEXITY =
  'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';

function sortArguments(store: boolean): ArgumentSpec[] {
  return [
    { name: 'key', type: 'key' },
    { name: 'pattern', type: 'pattern', token: 'BY', optional: true },
    { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
    { name: 'pattern', type: 'pattern', token: 'GET', optional: true, multiple: true },
    { name: 'order', type: 'oneof', optional: true, arguments: [{ name: 'asc', type: 'pure-token', token: 'ASC' }, { name: 'desc', type: 'pure-token', token: 'DESC' }] },
    { name: 'sorting', type: 'pure-token', token: 'ALPHA', optional: true },
    ...(store ? [{ name: 'destination', type: 'key', token: 'STORE', optional: true } as ArgumentSpec] : []),
  ];
}

// Redis also flags both "movablekeys" (BY/GET name keys), a flag CommandFlag does not name yet.
const SORTED_KEY_SPEC: KeySpec = keyAt(1, ['RO', 'access']);
const PATTERN_KEYS_SPEC: KeySpec = {
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  flags: ['RO', 'access'],
  begin: 'unknown',
  find: 'unknown',
};
const STORE_KEY_SPEC: KeySpec = {
  notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
  flags: ['OW', 'update'],
  begin: 'unknown',
  find: 'unknown',
};
/** Options of SORT and how many arguments follow each, for finding STORE (Redis' sortGetKeys). */
const OPTION_ARGUMENTS = new Map([
  ['limit', 2],
  ['get', 1],
  ['by', 1],
]);

/** The sorted key, and the last STORE destination when there is one, skipping option arguments. */
function sortKeys(argv: readonly string[]): FoundKey[] {
  const keys: FoundKey[] = [{ position: 1, flags: SORTED_KEY_SPEC.flags }];
  let store: FoundKey | undefined;
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i]!.toLowerCase();
    const skip = OPTION_ARGUMENTS.get(option);
    if (skip !== undefined) i += skip;
    else if (option === 'store' && i + 1 < argv.length) store = { position: i + 1, flags: STORE_KEY_SPEC.flags };
  }
  if (store !== undefined) keys.push(store);
  return keys;
}

export const sortCommands: CommandSpec[] = [
  {
    name: 'sort',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [SORTED_KEY_SPEC, PATTERN_KEYS_SPEC, STORE_KEY_SPEC],
    findKeys: sortKeys,
    acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    group: 'generic',
    since: '1.0.0',
    summary: 'Sort the elements in a list, set or sorted set',
    complexity: SORT_COMPLEXITY,
    arguments: sortArguments(true),
    handler: sortCommand,
  },
  {
    name: 'sort_ro',
    arity: -2,
    flags: ['readonly'],
    keys: { first: 1, last: 1, step: 1 },
    keySpecs: [SORTED_KEY_SPEC, PATTERN_KEYS_SPEC],
    acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    group: 'generic',
    since: '7.0.0',
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.',
    complexity: SORT_COMPLEXITY,
    arguments: sortArguments(false),
    handler: sortRoCommand,
  },
];
