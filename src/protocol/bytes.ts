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
