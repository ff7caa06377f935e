import { strtol32, strtoul32, strtoull } from '../protocol/memcached/numbers.js';
import { StoreMode, StoreResult } from './store.js';
import type { MemcachedSession } from './session.js';
import type { TextTokens } from '../protocol/memcached/text-parser.js';
import { encodeKey } from './keys.js';

// set/add/replace/append/prepend/cas (process_update_command) and the data-block half shared with
// meta ms (complete_nread_ascii): the line is checked and the item "allocated" first; only then is
// the data block read (or swallowed after a refusal), and the store happens when it has arrived.

/** memcached's KEY_MAX_LENGTH. */
export const KEY_MAX_LENGTH = 250;
/** vlen + 2 must fit an int (INT_MAX - 2). */
const MAX_VALUE_LENGTH = 2147483645;

/** A storage command between its line and its data block (one per session, reused). */
export interface PendingStore {
  active: boolean;
  /** Came from ms: the reply is a meta status with return flags. */
  meta: boolean;
  mode: StoreMode;
  key: string;
  flags: number;
  exptime: number;
  cas: number;
  staleOk: boolean;
  keyBinary: boolean;
  /** ms return flags in request order: "k", "c" or an opaque token "O…". */
  returnFlags: string[];
}

/** Text storage commands: `set <key> <flags> <exptime> <bytes> [noreply]`, cas with `<cas unique>` before noreply. */
export function runUpdate(session: MemcachedSession, tokens: TextTokens, ntokens: number, mode: StoreMode): void {
  const handleCas = mode === StoreMode.Cas;
  if (handleCas ? ntokens !== 7 && ntokens !== 8 : ntokens !== 6 && ntokens !== 7) {
    session.reply('ERROR');
    return;
  }
  if (tokens.is(ntokens - 2, 'noreply')) session.noreply = true;
  const key = tokens.token(1);
  if (key.length > KEY_MAX_LENGTH) {
    session.reply('CLIENT_ERROR bad command line format');
    return;
  }
  const flags = strtoul32(tokens.token(2));
  const exptime = strtol32(tokens.token(3));
  const length = strtol32(tokens.token(4));
  if (flags === undefined || exptime === undefined || length === undefined) {
    session.reply('CLIENT_ERROR bad command line format');
    return;
  }
  let cas = 0;
  if (handleCas) {
    const parsed = strtoull(tokens.token(5));
    if (parsed === undefined) {
      session.reply('CLIENT_ERROR bad command line format');
      return;
    }
    cas = Number(parsed);
  }
  if (length < 0 || length > MAX_VALUE_LENGTH) {
    session.reply('CLIENT_ERROR bad command line format');
    return;
  }
  const store = session.store;
  if (!allocate(session, key, length, flags, mode === StoreMode.Set)) return;
  const pending = session.pending;
  pending.active = true;
  pending.meta = false;
  pending.mode = mode;
  pending.key = key;
  pending.flags = flags;
  pending.exptime = store.realtime(exptime);
  pending.cas = cas;
  pending.staleOk = false;
  pending.keyBinary = false;
  session.parser.expectData(length);
}

/**
 * item_alloc's check before the data block: too large or beyond the memory limit replies with
 * memcached's SERVER_ERROR and swallows the block. A refused set (or any ms) also drops the old
 * value, so a stale one does not outlive the failed write. True when the block should be read.
 */
export function allocate(session: MemcachedSession, key: string, length: number, flags: number, dropOld: boolean): boolean {
  const store = session.store;
  const verdict = store.allocationResult(key.length, length, flags);
  if (verdict === StoreResult.Stored) return true;
  if (verdict === StoreResult.TooLarge) {
    store.stats.storeTooLarge++;
    session.reply('SERVER_ERROR object too large for cache');
  } else {
    store.stats.storeNoMemory++;
    session.reply('SERVER_ERROR out of memory storing object');
  }
  session.parser.swallow(length + 2);
  if (dropOld) store.delete(key);
  return false;
}

const TEXT_RESULTS = ['STORED', 'EXISTS', 'NOT_FOUND', 'NOT_STORED'];
const META_RESULTS = ['HD', 'EX', 'NF', 'NS'];

/** complete_nread_ascii: the data block arrived; check its terminator, store, reply. */
export function completeStorage(session: MemcachedSession): void {
  const pending = session.pending;
  pending.active = false;
  const parser = session.parser;
  const store = session.store;
  store.stats.cmdSet++;
  if (!parser.blockTerminated) {
    // ms always reports a bad chunk, even in quiet mode.
    if (pending.meta) session.noreply = false;
    session.reply('CLIENT_ERROR bad data chunk');
    return;
  }
  const result = store.store(pending.mode, pending.key, parser.data, pending.flags, pending.exptime, pending.cas, pending.staleOk);
  if (!pending.meta) {
    session.reply(TEXT_RESULTS[result]!);
    return;
  }
  const stored = result === StoreResult.Stored;
  if (stored && pending.keyBinary) store.lastItem!.keyBinary = true;
  // Only the nominal HD is silenced by q.
  if (!stored) session.noreply = false;
  let line = META_RESULTS[result]!;
  const returnFlags = pending.returnFlags;
  for (let i = 0; i < returnFlags.length; i++) {
    const flag = returnFlags[i]!;
    if (flag === 'k') line += ' k' + encodeKey(pending.key, pending.keyBinary);
    else if (flag === 'c') line += ' c' + String(stored ? store.lastCas : 0);
    else line += ' ' + flag;
  }
  session.reply(line);
}
