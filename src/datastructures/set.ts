import type { CollectionValue } from './values.js';
import { ARRAY_BYTES, DETACHED_METER, MAP_BYTES, MAP_ENTRY_BYTES, OBJECT_HEADER_BYTES, POINTER_BYTES, stringBytes, type MemoryMeter } from './memory-meter.js';

// A Redis set, in the two encodings Redis 7.0 has (7.2 added listpack sets; 7.0.15 has no
// set-max-listpack-entries):
//
// - intset: every member is an integer in canonical int64 form and there are at most
//   set-max-intset-entries of them. Kept as Redis keeps it, a sorted array (here of the members'
//   text, ordered numerically): iteration is ascending as SMEMBERS of an intset is, membership is
//   a binary search, insertion and removal shift the tail (O(N), as intsetAdd's memmove).
// - hashtable: a dense array of members plus a Map from member to its position. Membership is one
//   Map lookup; a random member is one index into the array (O(1) per SPOP/SRANDMEMBER pick, no
//   walk); removal swaps the last member into the hole.
//
// Conversion is one way, intset → hashtable, when a non-integer arrives or the size passes the
// limit, as setTypeAdd converts. Only SPOP with a large count builds a fresh set from what is left
// (Redis' spopWithCountCommand "case 3"), which may come out as an intset again.

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/**
 * Whether Redis' isSdsRepresentableAsLongLong accepts the text (string2ll): an optional '-',
 * digits without a leading zero ("0" alone is fine), within int64. Allocation-free.
 */
export function isCanonicalInt64(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 20) return false;
  const negative = text.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  const digits = length - start;
  if (digits === 0) return false;
  const first = text.charCodeAt(start);
  if (first === 48) return length === 1;
  if (first < 49 || first > 57) return false;
  for (let i = start + 1; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (digits < 19) return true;
  if (digits > 19) return false;
  const limit = negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS;
  for (let i = 0; i < 19; i++) {
    const d = text.charCodeAt(start + i) - limit.charCodeAt(i);
    if (d !== 0) return d < 0;
  }
  return true;
}

/** Numeric order of two canonical int64 texts, without parsing them (sign, then length, then digits). */
export function compareCanonicalInts(a: string, b: string): number {
  const aNegative = a.charCodeAt(0) === 45;
  const bNegative = b.charCodeAt(0) === 45;
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  const sign = aNegative ? -1 : 1;
  if (a.length !== b.length) return a.length < b.length ? -sign : sign;
  if (a === b) return 0;
  return a < b ? -sign : sign;
}

export type SetEncoding = 'intset' | 'hashtable';

/** The SetValue object (five fields) and its member array without the members. */
const SET_BYTES = OBJECT_HEADER_BYTES + 5 * POINTER_BYTES + ARRAY_BYTES;
/** Per member of the array, which grows as push does (about a quarter of slack). */
const MEMBER_SLOT_BYTES = 10;
/** An intset's array grows by splice, which leaves spare cells (16 at a time; 10 on average, calibrated). */
const INTSET_SLACK_BYTES = 10 * POINTER_BYTES;

export class SetValue implements CollectionValue {
  /** intset: members sorted numerically; hashtable: members in dense, unordered positions. */
  private members: string[];
  /** hashtable only: member → its position in `members`; null while the set is an intset. */
  private index: Map<string, number> | null;
  /** The member strings, summed as they come and go. */
  private elementBytes = 0;
  bytes = 0;
  meter: MemoryMeter = DETACHED_METER;

  private constructor(members: string[], index: Map<string, number> | null) {
    this.members = members;
    this.index = index;
    this.recharge();
  }

  /**
   * An empty set that can hold `firstMember` (Redis' setTypeCreate): an intset when it is an
   * integer, a hashtable otherwise. The caller adds the member.
   */
  static forMember(firstMember: string): SetValue {
    return isCanonicalInt64(firstMember) ? new SetValue([], null) : new SetValue([], new Map());
  }

  /** An empty intset (the start of SINTERSTORE/SUNIONSTORE/SDIFFSTORE's result, createIntsetObject). */
  static empty(): SetValue {
    return new SetValue([], null);
  }

  /** A set of the given distinct members, built as adding them one by one to an intset would. */
  static of(members: readonly string[], maxIntsetEntries: number): SetValue {
    const set = SetValue.empty();
    for (let i = 0; i < members.length; i++) set.add(members[i]!, maxIntsetEntries);
    return set;
  }

  get kind(): 'set' {
    return 'set';
  }

  get encoding(): SetEncoding {
    return this.index === null ? 'intset' : 'hashtable';
  }

  get isIntset(): boolean {
    return this.index === null;
  }

  get size(): number {
    return this.members.length;
  }

  clone(): SetValue {
    const copy = new SetValue(this.members.slice(), this.index === null ? null : new Map(this.index));
    copy.elementBytes = this.elementBytes;
    copy.recharge();
    return copy;
  }

  has(member: string): boolean {
    if (this.index !== null) return this.index.has(member);
    return isCanonicalInt64(member) && this.intsetSearch(member) >= 0;
  }

  /**
   * Adds a member; true when it was not there. `maxIntsetEntries` (set-max-intset-entries) only
   * matters while the set is an intset.
   */
  add(member: string, maxIntsetEntries: number): boolean {
    const index = this.index;
    if (index !== null) {
      if (index.has(member)) return false;
      index.set(member, this.members.length);
      this.members.push(member);
    } else if (!isCanonicalInt64(member)) {
      this.convertToHashtable().set(member, this.members.length);
      this.members.push(member);
    } else {
      const found = this.intsetSearch(member);
      if (found >= 0) return false;
      this.members.splice(-found - 1, 0, member);
      if (this.members.length > maxIntsetEntries) this.convertToHashtable();
    }
    this.elementBytes += stringBytes(member.length);
    this.recharge();
    return true;
  }

  /** Removes a member; true when it was there. */
  remove(member: string): boolean {
    const index = this.index;
    if (index !== null) {
      const position = index.get(member);
      if (position === undefined) return false;
      this.removeHashtableAt(position, index);
    } else {
      if (!isCanonicalInt64(member)) return false;
      const found = this.intsetSearch(member);
      if (found < 0) return false;
      this.members.splice(found, 1);
    }
    this.elementBytes -= stringBytes(member.length);
    this.recharge();
    return true;
  }

  /** A uniformly random member of a non-empty set, O(1). */
  randomMember(): string {
    return this.members[Math.floor(Math.random() * this.members.length)]!;
  }

  /** Removes and returns a uniformly random member of a non-empty set. */
  popRandom(): string {
    const position = Math.floor(Math.random() * this.members.length);
    const member = this.members[position]!;
    if (this.index !== null) this.removeHashtableAt(position, this.index);
    else this.members.splice(position, 1);
    this.elementBytes -= stringBytes(member.length);
    this.recharge();
    return member;
  }

  /** The member at an iteration position (0 ≤ position < size): ascending for an intset. */
  memberAt(position: number): string {
    return this.members[position]!;
  }

  /** Every member in iteration order (ascending for an intset), as a new array. */
  toArray(): string[] {
    return this.members.slice();
  }

  /**
   * Picks `count` distinct random members (0 < count < size) and removes them, as SPOP with a
   * count does; returns them. Redis uses two strategies and so shall we, because they leave the
   * set in different states: when few are taken, random pops (the encoding stays); when most are
   * taken ("case 3"), the ones to keep are drawn and the set is rebuilt from them, which makes an
   * intset again if they are all integers and few enough. The members taken out of an intset come
   * out in ascending order then, as Redis iterates the old set to reply.
   */
  popRandomMany(count: number, maxIntsetEntries: number): string[] {
    const size = this.members.length;
    const remaining = size - count;
    if (remaining * 5 > count) {
      const popped = new Array<string>(count);
      for (let i = 0; i < count; i++) popped[i] = this.popRandom();
      return popped;
    }
    const members = this.members;
    const wasIntset = this.index === null;
    // Partial Fisher–Yates: the first `remaining` positions end up a uniform sample to keep.
    for (let i = 0; i < remaining; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const kept = members[j]!;
      members[j] = members[i]!;
      members[i] = kept;
    }
    const popped = members.slice(remaining);
    const rebuilt = SetValue.of(members.slice(0, remaining), maxIntsetEntries);
    this.members = rebuilt.members;
    this.index = rebuilt.index;
    this.elementBytes = rebuilt.elementBytes;
    this.recharge();
    if (wasIntset) popped.sort(compareCanonicalInts);
    return popped;
  }

  /**
   * `count` distinct random members (0 < count < size), in random order, set unchanged
   * (SRANDMEMBER with a positive count smaller than the set).
   */
  randomDistinct(count: number): string[] {
    const size = this.members.length;
    if (count * 3 > size) {
      // Most of the set: a partial shuffle of a copy beats rejection sampling.
      const copy = this.members.slice();
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        const picked = copy[j]!;
        copy[j] = copy[i]!;
        copy[i] = picked;
      }
      copy.length = count;
      return copy;
    }
    const seen = new Set<number>();
    const picked: string[] = [];
    while (picked.length < count) {
      const position = Math.floor(Math.random() * size);
      if (seen.has(position)) continue;
      seen.add(position);
      picked.push(this.members[position]!);
    }
    return picked;
  }

  /**
   * One step of SSCAN over a hashtable: visits up to `count` positions below `cursor` (0 starts
   * at the top), returns the next cursor, 0 when done. Removal swaps the last member (already
   * visited, or above the cursor) into the hole, so a member present for the whole scan is
   * returned at least once, as Redis guarantees.
   */
  scan(cursor: number, count: number, found: string[]): number {
    const members = this.members;
    let position = cursor === 0 || cursor > members.length ? members.length : cursor;
    let visited = 0;
    while (position > 0 && visited < count) {
      position--;
      visited++;
      found.push(members[position]!);
    }
    return position;
  }

  /** The cost of the set as it stands: O(1), from its sizes and the string sum. */
  private recharge(): void {
    const members = this.members.length;
    let bytes = SET_BYTES + members * MEMBER_SLOT_BYTES + this.elementBytes;
    if (this.index !== null) bytes += MAP_BYTES + members * MAP_ENTRY_BYTES;
    else if (members > 0) bytes += INTSET_SLACK_BYTES;
    this.meter.used += bytes - this.bytes;
    this.bytes = bytes;
  }

  /** Binary search of a canonical int in the sorted intset: its position, or -(insertion point) - 1. */
  private intsetSearch(member: string): number {
    const members = this.members;
    let low = 0;
    let high = members.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = compareCanonicalInts(members[middle]!, member);
      if (order < 0) low = middle + 1;
      else if (order > 0) high = middle - 1;
      else return middle;
    }
    return -low - 1;
  }

  private convertToHashtable(): Map<string, number> {
    const members = this.members;
    const index = new Map<string, number>();
    for (let i = 0; i < members.length; i++) index.set(members[i]!, i);
    this.index = index;
    return index;
  }

  private removeHashtableAt(position: number, index: Map<string, number>): void {
    const members = this.members;
    const member = members[position]!;
    const last = members.length - 1;
    if (position !== last) {
      const moved = members[last]!;
      members[position] = moved;
      index.set(moved, position);
    }
    members.pop();
    index.delete(member);
  }
}
