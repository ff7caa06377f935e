import type { Database } from '../datastructures/database.js';
import type { CollectionValue, StoredValue } from '../datastructures/values.js';
import { CommandError, ERR_WRONGTYPE } from '../protocol/errors.js';

// Key lookup with the type check, shared by every command. Each does one Map lookup and returns
// the slot, so a read-modify-write command never looks the key up twice.

/** The string at `key` for a read (counts hits/misses), undefined when missing; WRONGTYPE otherwise. */
export function readString(db: Database, key: string): string | undefined {
  const slot = db.findForRead(key);
  if (slot < 0) return undefined;
  const value = db.valueAt(slot);
  if (typeof value !== 'string') throw new CommandError(ERR_WRONGTYPE);
  return value;
}

/** The slot of the string at `key` for a write, -1 when missing; WRONGTYPE when it holds another type. */
export function findStringSlot(db: Database, key: string): number {
  const slot = db.find(key);
  if (slot >= 0 && typeof db.valueAt(slot) !== 'string') throw new CommandError(ERR_WRONGTYPE);
  return slot;
}

/** The collection of kind `kind` at `key`, undefined when missing; WRONGTYPE when it is another type. */
export function readCollection<T extends CollectionValue>(db: Database, key: string, kind: T['kind'], forRead = true): T | undefined {
  const slot = forRead ? db.findForRead(key) : db.find(key);
  if (slot < 0) return undefined;
  const value: StoredValue = db.valueAt(slot);
  if (typeof value === 'string' || value.kind !== kind) throw new CommandError(ERR_WRONGTYPE);
  return value as T;
}
