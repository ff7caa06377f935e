import type { CollectionValue } from './values.js';
import { ARRAY_BYTES, DETACHED_METER, OBJECT_HEADER_BYTES, POINTER_BYTES, stringBytes, type MemoryMeter } from './memory-meter.js';

// A Redis list: a ring-buffer deque of latin1 strings. Push and pop at either end are O(1)
// (amortised over the doublings), an index is one mask away, and LRANGE copies a contiguous run
// of slots, so the benchmarked commands touch no per-element object beyond the strings themselves.
// Insertion and removal in the middle (LINSERT, LREM, LSET keeps its slot) shift the shorter
// side, which is O(N) as Redis' quicklist is for the same commands.

/** Which end of the list: Redis' LIST_HEAD (left) and LIST_TAIL (right). */
export const LIST_HEAD = 0;
export const LIST_TAIL = 1;
export type ListEnd = typeof LIST_HEAD | typeof LIST_TAIL;

const MIN_CAPACITY = 8;
/** The ListValue object (seven fields) and its slot array without the slots. */
const LIST_BYTES = OBJECT_HEADER_BYTES + 7 * POINTER_BYTES + ARRAY_BYTES;

export class ListValue implements CollectionValue {
  /** Slots, a power-of-two count; free ones hold undefined so popped strings can be collected. */
  private items: (string | undefined)[];
  private mask: number;
  private head = 0;
  private length = 0;
  /** The object, its slot array and the element strings; each change is charged as it happens. */
  bytes: number;
  meter: MemoryMeter = DETACHED_METER;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity) size *= 2;
    this.items = new Array<string | undefined>(size).fill(undefined);
    this.mask = size - 1;
    this.bytes = LIST_BYTES + size * POINTER_BYTES;
  }

  /** A list holding `elements` in order (SORT ... STORE, RESTORE). */
  static from(elements: readonly string[]): ListValue {
    const list = new ListValue(elements.length);
    let elementBytes = 0;
    for (let i = 0; i < elements.length; i++) {
      list.items[i] = elements[i];
      elementBytes += stringBytes(elements[i]!.length);
    }
    list.length = elements.length;
    list.charge(elementBytes);
    return list;
  }

  get kind(): 'list' {
    return 'list';
  }

  /** Redis 7.0 keeps every list as a quicklist, whatever its size (7.2 added listpack lists). */
  get encoding(): string {
    return 'quicklist';
  }

  get size(): number {
    return this.length;
  }

  /** The slot capacity, for tests of growth and shrinking. */
  get capacity(): number {
    return this.mask + 1;
  }

  clone(): ListValue {
    return ListValue.from(this.toArray());
  }

  pushHead(element: string): void {
    if (this.length === this.mask + 1) this.resize((this.mask + 1) * 2);
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = element;
    this.length++;
    this.charge(stringBytes(element.length));
  }

  pushTail(element: string): void {
    if (this.length === this.mask + 1) this.resize((this.mask + 1) * 2);
    this.items[(this.head + this.length) & this.mask] = element;
    this.length++;
    this.charge(stringBytes(element.length));
  }

  push(element: string, where: ListEnd): void {
    if (where === LIST_HEAD) this.pushHead(element);
    else this.pushTail(element);
  }

  /** Removes and returns the first element, undefined when empty. */
  popHead(): string | undefined {
    if (this.length === 0) return undefined;
    const element = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    this.charge(-stringBytes(element!.length));
    this.maybeShrink();
    return element;
  }

  /** Removes and returns the last element, undefined when empty. */
  popTail(): string | undefined {
    if (this.length === 0) return undefined;
    const slot = (this.head + this.length - 1) & this.mask;
    const element = this.items[slot];
    this.items[slot] = undefined;
    this.length--;
    this.charge(-stringBytes(element!.length));
    this.maybeShrink();
    return element;
  }

  pop(where: ListEnd): string | undefined {
    return where === LIST_HEAD ? this.popHead() : this.popTail();
  }

  /** The element at a 0-based index from the head; the caller keeps 0 <= index < size. */
  at(index: number): string {
    return this.items[(this.head + index) & this.mask]!;
  }

  /** Replaces the element at 0 <= index < size. */
  set(index: number, element: string): void {
    const slot = (this.head + index) & this.mask;
    this.charge(stringBytes(element.length) - stringBytes(this.items[slot]!.length));
    this.items[slot] = element;
  }

  /** The elements from `start` for `count` elements (0 <= start, start + count <= size), head to tail. */
  range(start: number, count: number): string[] {
    const out = new Array<string>(count);
    const items = this.items;
    const mask = this.mask;
    let slot = this.head + start;
    for (let i = 0; i < count; i++) out[i] = items[slot++ & mask]!;
    return out;
  }

  /** Like range() but tail to head: the elements from index `last` down for `count` elements. */
  rangeReversed(last: number, count: number): string[] {
    const out = new Array<string>(count);
    const items = this.items;
    const mask = this.mask;
    let slot = this.head + last;
    for (let i = 0; i < count; i++) out[i] = items[slot-- & mask]!;
    return out;
  }

  toArray(): string[] {
    return this.range(0, this.length);
  }

  /** Index of the first element equal to `element` from the head, -1 when none. */
  indexOf(element: string): number {
    for (let i = 0; i < this.length; i++) if (this.items[(this.head + i) & this.mask] === element) return i;
    return -1;
  }

  /** Inserts `element` so that it ends up at `index` (0 <= index <= size), shifting the shorter side. */
  insertAt(index: number, element: string): void {
    if (index === 0) return this.pushHead(element);
    if (index === this.length) return this.pushTail(element);
    if (this.length === this.mask + 1) this.resize((this.mask + 1) * 2);
    const items = this.items;
    const mask = this.mask;
    if (index < this.length - index) {
      // Move the first `index` elements one slot towards the head.
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) items[(this.head + i) & mask] = items[(this.head + i + 1) & mask];
    } else {
      for (let i = this.length; i > index; i--) items[(this.head + i) & mask] = items[(this.head + i - 1) & mask];
    }
    items[(this.head + index) & mask] = element;
    this.length++;
    this.charge(stringBytes(element.length));
  }

  /** Removes `count` elements from `start` (0 <= start, start + count <= size), closing the gap from the shorter side. */
  removeRange(start: number, count: number): void {
    if (count <= 0) return;
    const items = this.items;
    const mask = this.mask;
    let removedBytes = 0;
    for (let i = start; i < start + count; i++) removedBytes += stringBytes(items[(this.head + i) & mask]!.length);
    this.charge(-removedBytes);
    const after = this.length - start - count;
    if (start < after) {
      // Shift the elements before the gap towards the tail.
      for (let i = start - 1; i >= 0; i--) items[(this.head + i + count) & mask] = items[(this.head + i) & mask];
      for (let i = 0; i < count; i++) items[(this.head + i) & mask] = undefined;
      this.head = (this.head + count) & mask;
    } else {
      for (let i = start; i < start + after; i++) items[(this.head + i) & mask] = items[(this.head + i + count) & mask];
      for (let i = start + after; i < this.length; i++) items[(this.head + i) & mask] = undefined;
    }
    this.length -= count;
    this.maybeShrink();
  }

  /**
   * LREM: removes up to `limit` elements equal to `element` (0 = all), scanning from the tail
   * when `fromTail`; one compacting pass. Returns how many it removed.
   */
  removeMatching(element: string, limit: number, fromTail: boolean): number {
    const items = this.items;
    const mask = this.mask;
    const length = this.length;
    let removed = 0;
    if (!fromTail) {
      let write = 0;
      for (let read = 0; read < length; read++) {
        const value = items[(this.head + read) & mask]!;
        if (value === element && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) items[(this.head + write) & mask] = value;
        write++;
      }
      for (let i = write; i < length; i++) items[(this.head + i) & mask] = undefined;
    } else {
      let write = length - 1;
      for (let read = length - 1; read >= 0; read--) {
        const value = items[(this.head + read) & mask]!;
        if (value === element && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) items[(this.head + write) & mask] = value;
        write--;
      }
      for (let i = 0; i <= write; i++) items[(this.head + i) & mask] = undefined;
      this.head = (this.head + removed) & mask;
    }
    this.length -= removed;
    this.charge(-removed * stringBytes(element.length));
    this.maybeShrink();
    return removed;
  }

  /** Keeps a quarter-full ring from pinning the memory of its largest size. */
  private maybeShrink(): void {
    const capacity = this.mask + 1;
    if (capacity > MIN_CAPACITY && this.length < capacity >>> 2) this.resize(capacity >>> 1);
  }

  private resize(capacity: number): void {
    const next = new Array<string | undefined>(capacity).fill(undefined);
    const items = this.items;
    const mask = this.mask;
    for (let i = 0; i < this.length; i++) next[i] = items[(this.head + i) & mask];
    this.items = next;
    this.charge((capacity - this.mask - 1) * POINTER_BYTES);
    this.mask = capacity - 1;
    this.head = 0;
  }

  /** Adds a change of the list's cost to it and to the keyspace's meter. */
  private charge(delta: number): void {
    this.bytes += delta;
    this.meter.used += delta;
  }
}
