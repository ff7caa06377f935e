import { strtol32, strtoul32, strtoull } from '../protocol/memcached/numbers.js';
import { DeltaResult, StoreMode, StoreResult, itemTotalSize, slabClassOf, type Item } from './store.js';
import type { MemcachedSession } from './session.js';
import type { TextTokens } from '../protocol/memcached/text-parser.js';
import { KEY_MAX_LENGTH, allocate } from './storage-commands.js';
import { decodeBase64Key, encodeKey } from './keys.js';

// The meta protocol (mg, ms, md, ma, mn, me) as memcached 1.6 answers it: a key, then flags of
// one letter each, some with a token after the letter. Flags are checked once up front
// (_meta_flag_preparse: duplicates, unknown letters, bad numbers), then the reply's return flags
// are written in the order the request gave them.

type MetaHandler = (session: MemcachedSession, tokens: TextTokens, ntokens: number) => void;

/** memcached's MFLAG_MAX_OPT_LENGTH: more tokens than this are refused. */
const MAX_OPT_TOKENS = 20;
/** MFLAG_MAX_OPAQUE_LENGTH: an O token (letter included) longer than this is refused. */
const MAX_OPAQUE_LENGTH = 32;

/** The parsed flags of one meta command (one reused object: the hot path allocates none). */
const flags = {
  error: '',
  /** The key after base64 decoding. */
  key: '',
  keyBinary: false,
  noUpdate: false,
  locked: false,
  vivify: false,
  value: false,
  setStale: false,
  noReply: false,
  hasCas: false,
  newTtl: false,
  mode: '',
  exptime: 0,
  autovivExptime: 0,
  recacheTime: 0,
  clientFlags: 0,
  reqCas: 0,
  delta: 1n,
  initial: 0n,
};
const seen = new Uint8Array(128);

const BAD_FORMAT = 'CLIENT_ERROR bad command line format';
const BAD_TOKEN = 'CLIENT_ERROR bad token in command line format';

/** _meta_flag_preparse: true when every flag parsed; otherwise flags.error says why. */
function preparse(session: MemcachedSession, tokens: TextTokens, ntokens: number, start: number): boolean {
  const store = session.store;
  seen.fill(0);
  const f = flags;
  f.error = BAD_FORMAT;
  f.key = tokens.token(1);
  f.keyBinary = f.noUpdate = f.locked = f.vivify = f.value = f.setStale = f.noReply = f.hasCas = f.newTtl = false;
  f.mode = '';
  f.exptime = f.autovivExptime = f.recacheTime = f.clientFlags = f.reqCas = 0;
  f.delta = 1n;
  f.initial = 0n;
  let failed = false;
  for (let i = start; i < ntokens - 1; i++) {
    const token = tokens.token(i);
    const letter = token.charCodeAt(0);
    if (letter >= 127 || seen[letter] !== 0) {
      f.error = 'CLIENT_ERROR duplicate flag';
      return false;
    }
    seen[letter] = 1;
    const argument = token.slice(1);
    switch (token[0]) {
      case 'b': {
        const decoded = decodeBase64Key(tokens.token(1));
        if (decoded === undefined) {
          f.error = 'CLIENT_ERROR error decoding key';
          failed = true;
        } else f.key = decoded;
        f.keyBinary = true;
        break;
      }
      case 'N':
      case 'T':
      case 'R': {
        f.locked = true;
        const value = strtol32(argument);
        if (value === undefined) {
          f.error = BAD_TOKEN;
          failed = true;
          if (token[0] === 'N') f.vivify = true;
          break;
        }
        const time = store.realtime(value);
        if (token[0] === 'N') {
          f.vivify = true;
          f.autovivExptime = time;
        } else if (token[0] === 'T') {
          f.exptime = time;
          f.newTtl = true;
        } else f.recacheTime = time;
        break;
      }
      case 'l':
      case 'h':
        // Reported as they were before this access: the LRU bump waits until the reply is built.
        f.locked = true;
        break;
      case 'O':
      case 'P':
      case 'L':
      case 'k':
      case 's':
      case 't':
      case 'c':
      case 'f':
        break;
      case 'v':
        f.value = true;
        break;
      case 'u':
        f.noUpdate = true;
        break;
      case 'q':
        f.noReply = true;
        break;
      case 'F': {
        const value = strtoul32(argument);
        if (value === undefined) failed = true;
        else f.clientFlags = value;
        break;
      }
      case 'C': {
        const value = strtoull(argument);
        if (value === undefined) {
          f.error = BAD_TOKEN;
          failed = true;
        } else {
          f.reqCas = Number(value);
          f.hasCas = true;
        }
        break;
      }
      case 'M':
        if (token.length !== 2) {
          f.error = 'CLIENT_ERROR incorrect length for M token';
          failed = true;
        } else f.mode = token[1]!;
        break;
      case 'J': {
        const value = strtoull(argument);
        if (value === undefined) {
          f.error = 'CLIENT_ERROR invalid numeric initial value';
          failed = true;
        } else f.initial = value;
        break;
      }
      case 'D': {
        const value = strtoull(argument);
        if (value === undefined) {
          f.error = 'CLIENT_ERROR invalid numeric delta value';
          failed = true;
        } else f.delta = value;
        break;
      }
      case 'I':
        f.setStale = true;
        break;
      default:
        f.error = 'CLIENT_ERROR invalid flag';
        return false;
    }
  }
  return !failed;
}

/** out_errstring: errors are always sent, whatever q asked. */
function error(session: MemcachedSession, text: string): void {
  session.noreply = false;
  session.reply(text);
}

/** The remaining TTL as memcached prints it: -1 for none, else an unsigned 32-bit difference. */
function ttlOf(item: Item, now: number): string {
  return item.exptime === 0 ? '-1' : String((item.exptime - now) >>> 0);
}

function mg(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (ntokens < 3) return session.reply('ERROR');
  if (tokens.token(1).length > KEY_MAX_LENGTH) return error(session, BAD_FORMAT);
  if (ntokens > MAX_OPT_TOKENS) return error(session, 'CLIENT_ERROR options flags are too long');
  if (!preparse(session, tokens, ntokens, 2)) return error(session, flags.error);
  const f = flags;
  session.noreply = f.noReply;
  const store = session.store;
  const stats = store.stats;
  const key = f.key;
  let item = store.fetch(key, !f.locked && !f.noUpdate);
  let created = false;
  if (item === null && f.vivify) {
    store.store(StoreMode.Add, key, '', 0, 0, 0);
    item = store.lastItem!;
    created = true;
  }
  let ttlSet = false;
  if (item === null) {
    stats.cmdGet++;
    stats.getMisses++;
    let line = 'EN';
    for (let i = 2; i < ntokens - 1; i++) {
      const token = tokens.token(i);
      if (token[0] === 'O') {
        if (token.length > MAX_OPAQUE_LENGTH) return error(session, 'CLIENT_ERROR opaque token too long');
        line += ' ' + token;
      } else if (token[0] === 'k') line += ' k' + encodeKey(key, f.keyBinary);
    }
    session.reply(line);
    return;
  }
  const now = store.currentTime;
  let wonToken = false;
  let line = f.value ? 'VA ' + item.valueLength : 'HD';
  for (let i = 2; i < ntokens - 1; i++) {
    const token = tokens.token(i);
    switch (token[0]) {
      case 'T':
        ttlSet = true;
        item.exptime = f.exptime;
        break;
      case 'N':
        if (created) {
          item.exptime = f.autovivExptime;
          wonToken = true;
        }
        break;
      case 'R':
        // Recache: the first client to see a TTL under the threshold wins the right to refresh it.
        if (!item.tokenSent && !created && item.exptime !== 0 && item.exptime < f.recacheTime) wonToken = true;
        break;
      case 's':
        line += ' s' + item.valueLength;
        break;
      case 't':
        line += ' t' + ttlOf(item, now);
        break;
      case 'c':
        line += ' c' + item.cas;
        break;
      case 'f':
        line += ' f' + item.flags;
        break;
      case 'l':
        line += ' l' + (now - item.time);
        break;
      case 'h':
        line += item.fetched ? ' h1' : ' h0';
        break;
      case 'O':
        if (token.length > MAX_OPAQUE_LENGTH) return error(session, 'CLIENT_ERROR opaque token too long');
        line += ' ' + token;
        break;
      case 'k':
        line += ' k' + encodeKey(item.key, item.keyBinary);
        break;
    }
  }
  // A token already handed out shows as Z (and never W again); a stale item hands one out now.
  if (item.tokenSent) line += ' Z';
  if (item.stale) {
    line += ' X';
    if (!item.tokenSent) wonToken = true;
  }
  if (wonToken) {
    line += ' W';
    item.tokenSent = true;
  }
  session.noreply = false;
  session.out += f.value ? line + '\r\n' + item.value + '\r\n' : line + '\r\n';
  if (f.locked && !f.noUpdate) store.bump(item);
  if (ttlSet) {
    stats.cmdTouch++;
    stats.touchHits++;
  } else {
    stats.cmdGet++;
    stats.getHits++;
  }
}

/** An ms refused after its length was read: the error, and its data block is swallowed. */
function refuse(session: MemcachedSession, text: string, length: number): void {
  error(session, text);
  session.parser.swallow(length + 2);
}

const MS_MODES: Record<string, StoreMode> = { E: StoreMode.Add, A: StoreMode.Append, P: StoreMode.Prepend, R: StoreMode.Replace, S: StoreMode.Set };

function ms(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (ntokens < 3) return session.reply('ERROR');
  if (tokens.token(1).length > KEY_MAX_LENGTH) return error(session, BAD_FORMAT);
  if (ntokens === 3) return error(session, BAD_FORMAT);
  if (ntokens > MAX_OPT_TOKENS) return error(session, 'CLIENT_ERROR options flags too long');
  const length = strtol32(tokens.token(2));
  if (length === undefined || length < 0 || length > 2147483645) return error(session, BAD_FORMAT);
  // From here on a refusal still swallows the data block the client is sending.
  if (!preparse(session, tokens, ntokens, 3)) return refuse(session, flags.error, length);
  const f = flags;
  session.noreply = f.noReply;
  const pending = session.pending;
  const returnFlags = pending.returnFlags;
  returnFlags.length = 0;
  let errorText = '';
  for (let i = 3; i < ntokens - 1; i++) {
    const token = tokens.token(i);
    if (token[0] === 'O') {
      if (token.length > MAX_OPAQUE_LENGTH) errorText = 'CLIENT_ERROR opaque token too long';
      else returnFlags.push(token);
    } else if (token[0] === 'k' || token[0] === 'c') returnFlags.push(token[0]);
  }
  let mode = StoreMode.Set;
  if (f.mode !== '') {
    const chosen = MS_MODES[f.mode];
    if (chosen === undefined) return refuse(session, 'CLIENT_ERROR invalid mode for ms M token', length);
    mode = chosen;
  }
  // A CAS turns set and replace into cas (replace + CAS behaves as cas).
  if (f.hasCas && (mode === StoreMode.Set || mode === StoreMode.Replace)) mode = StoreMode.Cas;
  if (errorText !== '') return refuse(session, errorText, length);
  const key = f.key;
  if (!allocate(session, key, length, f.clientFlags, true)) {
    session.noreply = false;
    return;
  }
  pending.active = true;
  pending.meta = true;
  pending.mode = mode;
  pending.key = key;
  pending.flags = f.clientFlags;
  pending.exptime = f.exptime;
  pending.cas = f.reqCas;
  pending.staleOk = f.setStale && mode === StoreMode.Cas;
  pending.keyBinary = f.keyBinary;
  session.parser.expectData(length);
}

/** Appends the O and k return flags (all a reply without an item can carry); false on a too-long opaque. */
function opaqueAndKey(session: MemcachedSession, tokens: TextTokens, ntokens: number, key: string, binary: boolean): string | undefined {
  let suffix = '';
  for (let i = 2; i < ntokens - 1; i++) {
    const token = tokens.token(i);
    if (token[0] === 'O') {
      if (token.length > MAX_OPAQUE_LENGTH) return undefined;
      suffix += ' ' + token;
    } else if (token[0] === 'k') suffix += ' k' + encodeKey(key, binary);
  }
  return suffix;
}

function md(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (ntokens < 3) return session.reply('ERROR');
  if (tokens.token(1).length > KEY_MAX_LENGTH) return session.reply(BAD_FORMAT);
  if (ntokens > MAX_OPT_TOKENS) return session.reply('CLIENT_ERROR options flags too long');
  if (!preparse(session, tokens, ntokens, 2)) return error(session, 'CLIENT_ERROR invalid or duplicate flag');
  const f = flags;
  session.noreply = f.noReply;
  const key = f.key;
  const suffix = opaqueAndKey(session, tokens, ntokens, key, f.keyBinary);
  if (suffix === undefined) return error(session, 'CLIENT_ERROR opaque token too long');
  const store = session.store;
  const item = store.fetch(key, false);
  let status: string;
  if (item === null) {
    store.stats.deleteMisses++;
    status = 'NF';
  } else if (f.hasCas && item.cas !== f.reqCas) {
    store.stats.deleteMisses++;
    status = 'EX';
  } else if (f.setStale) {
    // I: keep the item but mark it stale (new CAS, optional new TTL) so one client wins the recache.
    store.markStale(item, f.newTtl ? f.exptime : undefined);
    status = 'HD';
  } else {
    store.stats.deleteHits++;
    store.unlink(item);
    status = 'HD';
  }
  // Only the nominal HD is silenced by q.
  if (status !== 'HD') session.noreply = false;
  session.reply(status + suffix);
}

function ma(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (ntokens < 3) return session.reply('ERROR');
  if (tokens.token(1).length > KEY_MAX_LENGTH) return session.reply(BAD_FORMAT);
  if (ntokens > MAX_OPT_TOKENS) return session.reply('CLIENT_ERROR options flags too long');
  if (!preparse(session, tokens, ntokens, 2)) return error(session, 'CLIENT_ERROR invalid or duplicate flag');
  const f = flags;
  session.noreply = f.noReply;
  let incr = true;
  switch (f.mode) {
    case '':
    case 'I':
    case '+':
      break;
    case 'D':
    case '-':
      incr = false;
      break;
    default:
      return error(session, 'CLIENT_ERROR invalid mode for ma M token');
  }
  const store = session.store;
  const key = f.key;
  let item: Item | null = null;
  let created = false;
  let value = '';
  let status = '';
  switch (store.delta(key, incr, f.delta, f.reqCas)) {
    case DeltaResult.Ok:
      item = store.lastItem;
      value = store.lastDeltaValue;
      break;
    case DeltaResult.NonNumeric:
      return error(session, 'CLIENT_ERROR cannot increment or decrement non-numeric value');
    case DeltaResult.NotFound:
      if (f.vivify) {
        value = f.initial.toString();
        if (store.store(StoreMode.Add, key, value, 0, 0, 0) === StoreResult.Stored) {
          item = store.lastItem;
          created = true;
        } else status = 'NS';
        // An autovivified reply is sent even in quiet mode, as memcached does.
        session.noreply = false;
      } else {
        if (incr) store.stats.incrMisses++;
        else store.stats.decrMisses++;
        session.noreply = false;
        status = 'NF';
      }
      break;
    case DeltaResult.CasMismatch:
      session.noreply = false;
      status = 'EX';
      break;
  }
  if (item === null) {
    const suffix = opaqueAndKey(session, tokens, ntokens, key, f.keyBinary);
    if (suffix === undefined) return error(session, 'CLIENT_ERROR opaque token too long');
    return session.reply(status + suffix);
  }
  const now = store.currentTime;
  let line = f.value ? 'VA ' + value.length : 'HD';
  for (let i = 2; i < ntokens - 1; i++) {
    const token = tokens.token(i);
    switch (token[0]) {
      case 'c':
        line += ' c' + item.cas;
        break;
      case 't':
        line += ' t' + ttlOf(item, now);
        break;
      case 'T':
        item.exptime = f.exptime;
        break;
      case 'N':
        if (created) item.exptime = f.autovivExptime;
        break;
      case 'O':
        if (token.length > MAX_OPAQUE_LENGTH) return error(session, 'CLIENT_ERROR opaque token too long');
        line += ' ' + token;
        break;
      case 'k':
        line += ' k' + encodeKey(key, f.keyBinary);
        break;
    }
  }
  session.reply(f.value ? line + '\r\n' + value : line);
}

/** me: memcached's debug line for one item (exp is printed with memcached's inverted sign). */
function me(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (ntokens < 3 || tokens.token(1).length > KEY_MAX_LENGTH) return session.reply(BAD_FORMAT);
  let key = tokens.token(1);
  if (ntokens >= 4 && tokens.token(2) === 'b') {
    const decoded = decodeBase64Key(key);
    if (decoded === undefined) return session.reply(BAD_FORMAT);
    key = decoded;
  }
  const store = session.store;
  store.stats.cmdMeta++;
  const item = store.fetch(key, false);
  if (item === null) return session.reply('EN');
  const now = store.currentTime;
  const size = itemTotalSize(item.key.length, item.valueLength, item.flags);
  session.reply(
    `ME ${item.keyBinary ? Buffer.from(item.key, 'latin1').toString('base64') : item.key} ` +
      `exp=${item.exptime === 0 ? -1 : now - item.exptime} la=${now - item.time} cas=${item.cas} ` +
      `fetch=${item.fetched ? 'yes' : 'no'} cls=${slabClassOf(size)} size=${size}`,
  );
}

export const META_COMMANDS: [string, MetaHandler][] = [
  ['mg', mg],
  ['ms', ms],
  ['md', md],
  ['ma', ma],
  ['mn', (session) => session.reply('MN')],
  ['me', me],
];
