// Meta commands take keys base64-encoded with the b flag (binary keys) and print them back the same
// way. memcached's decoder refuses anything that is not whole, well-formed base64 groups.

const BASE64_GROUPS = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The key's bytes (latin1) from its base64 form, or undefined when memcached would fail to decode it. */
export function decodeBase64Key(encoded: string): string | undefined {
  if (encoded.length === 0 || !BASE64_GROUPS.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('latin1');
  return decoded.length === 0 ? undefined : decoded;
}

/** A key as a meta reply prints it: as is, or base64 followed by the b flag for a binary key. */
export function encodeKey(key: string, binary: boolean): string {
  return binary ? Buffer.from(key, 'latin1').toString('base64') + ' b' : key;
}
