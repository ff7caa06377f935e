/**
 * Whether `length` bytes of `buffer` at `start` spell `text` (latin1, one char per byte), without
 * making a string of them.
 */
export function sameBytes(buffer: Uint8Array, start: number, length: number, text: string): boolean {
  if (text.length !== length) return false;
  // Keys that differ mostly differ at the end (key:000123 against key:000124): look there first.
  if (length > 0 && buffer[start + length - 1] !== text.charCodeAt(length - 1)) return false;
  for (let i = 0; i < length; i++) if (buffer[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Distinct lengths a PrefixViews keeps views for before it starts over. */
const KEPT_PREFIX_LENGTHS = 64;

/**
 * Views of a buffer's first N bytes, made once per N: making a view costs as much as parsing a
 * small command, and unpipelined traffic reads and writes a few recurring lengths.
 */
export class PrefixViews {
  private readonly views = new Map<number, Buffer>();

  constructor(readonly buffer: Buffer) {}

  of(length: number): Buffer {
    let view = this.views.get(length);
    if (view === undefined) {
      if (this.views.size === KEPT_PREFIX_LENGTHS) this.views.clear();
      view = this.buffer.subarray(0, length);
      this.views.set(length, view);
    }
    return view;
  }
}
