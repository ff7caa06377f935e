// What a key can hold. A Redis string is a JS string with one char per byte (latin1), which is
// binary-safe and the most compact V8 representation; collections are objects tagged by kind.

export type ValueKind = 'string' | 'list' | 'set' | 'zset' | 'hash';

export interface CollectionValue {
  readonly kind: Exclude<ValueKind, 'string'>;
}

export type StoredValue = string | CollectionValue;

export function kindOf(value: StoredValue): ValueKind {
  return typeof value === 'string' ? 'string' : value.kind;
}
