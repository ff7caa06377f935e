import { strtol32, strtoul32, strtoull } from '../protocol/memcached/numbers.js';
import { DeltaResult, StoreMode } from './store.js';
import type { MemcachedSession } from './session.js';
import type { TextTokens } from '../protocol/memcached/text-parser.js';
import { KEY_MAX_LENGTH, runUpdate } from './storage-commands.js';
import { META_COMMANDS } from './meta-commands.js';
import { runStats } from './stats.js';

// The text protocol's commands (memcached 1.6 proto_text.c), as a table from command name to
// handler. Handlers receive memcached's token count convention: `ntokens` is the number of tokens
// plus the terminal one, capped at 24 as memcached's tokenizer (MAX_TOKENS) caps it, so the
// WANT_TOKENS checks and `tokens.token(ntokens - 2)` (the noreply position) read exactly as in memcached.

type TextHandler = (session: MemcachedSession, tokens: TextTokens, ntokens: number, count: number) => void;

const MAX_TOKENS = 24;
/** The key ElastiCache engines before 1.4.14 kept the cluster configuration under (Auto Discovery). */
const CLUSTER_CONFIG_KEY = 'AmazonElastiCache:cluster';

function wantTokens(session: MemcachedSession, ntokens: number, min: number, max: number): boolean {
  if (ntokens < min || ntokens > max) {
    session.reply('ERROR');
    return false;
  }
  return true;
}

function setNoreplyMaybe(session: MemcachedSession, tokens: TextTokens, ntokens: number): boolean {
  if (tokens.is(ntokens - 2, 'noreply')) session.noreply = true;
  return session.noreply;
}

/**
 * get/gets/gat/gats: one VALUE block per live key, then END. A key over 250 bytes stops the
 * command: memcached then drops every reply of the batch not sent yet and answers only the error.
 */
function retrieve(session: MemcachedSession, tokens: TextTokens, count: number, withCas: boolean, touch: boolean): void {
  const store = session.store;
  const stats = store.stats;
  let first = 1;
  let exptime = 0;
  if (touch) {
    const parsed = strtol32(tokens.token(1));
    if (parsed === undefined) {
      session.reply('CLIENT_ERROR invalid exptime argument');
      return;
    }
    exptime = store.realtime(parsed);
    first = 2;
  }
  let out = session.out;
  let ended = false;
  for (let i = first; i < count; i++) {
    const key = tokens.token(i);
    if (key.length > KEY_MAX_LENGTH) {
      session.discardOutput();
      session.reply('CLIENT_ERROR bad command line format');
      return;
    }
    const item = touch ? store.touch(key, exptime) : store.fetch(key, true);
    if (item !== null) {
      if (i === count - 1 && !withCas) {
        // The last key's block and the END are the item's text as it is.
        out += item.text;
        ended = true;
      } else {
        out += item.valueBlock(withCas);
      }
      if (touch) {
        stats.cmdTouch++;
        stats.touchHits++;
      } else {
        stats.cmdGet++;
        stats.getHits++;
      }
    } else if (touch) {
      stats.cmdTouch++;
      stats.touchMisses++;
    } else if (key === CLUSTER_CONFIG_KEY && session.engine.cluster !== undefined) {
      // Not an item: every node answers it from the cluster's description unless a client stored one.
      const config = session.engine.cluster.describe();
      out += 'VALUE ' + CLUSTER_CONFIG_KEY + ' 0 ' + config.length + (withCas ? ' 0\r\n' : '\r\n') + config + '\r\n';
      stats.cmdGet++;
      stats.getHits++;
    } else {
      stats.cmdGet++;
      stats.getMisses++;
    }
  }
  session.out = ended ? out : out + 'END\r\n';
}

/**
 * The shared start of `incr`/`decr`/`touch <key> <value> [noreply]`: the token count, noreply
 * (which also silences the errors that follow, as memcached's out_string does) and the key's
 * length, each answered as memcached does. Returns the key, or undefined once answered.
 */
function keyWithOneArgument(session: MemcachedSession, tokens: TextTokens, ntokens: number): string | undefined {
  if (!wantTokens(session, ntokens, 4, 5)) return undefined;
  setNoreplyMaybe(session, tokens, ntokens);
  const key = tokens.token(1);
  if (key.length > KEY_MAX_LENGTH) {
    session.reply('CLIENT_ERROR bad command line format');
    return undefined;
  }
  return key;
}

function arithmetic(session: MemcachedSession, tokens: TextTokens, ntokens: number, incr: boolean): void {
  const key = keyWithOneArgument(session, tokens, ntokens);
  if (key === undefined) return;
  const delta = strtoull(tokens.token(2));
  if (delta === undefined) {
    session.reply('CLIENT_ERROR invalid numeric delta argument');
    return;
  }
  const store = session.store;
  switch (store.delta(key, incr, delta, 0)) {
    case DeltaResult.Ok:
      session.reply(store.lastDeltaValue);
      break;
    case DeltaResult.NonNumeric:
      session.reply('CLIENT_ERROR cannot increment or decrement non-numeric value');
      break;
    case DeltaResult.NotFound:
      if (incr) store.stats.incrMisses++;
      else store.stats.decrMisses++;
      session.reply('NOT_FOUND');
      break;
    case DeltaResult.CasMismatch:
      break;
  }
}

function deleteCommand(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (!wantTokens(session, ntokens, 3, 5)) return;
  if (ntokens > 3) {
    // Only the legacy "delete <key> 0" hold time and noreply are accepted after the key.
    const holdIsZero = tokens.token(2) === '0';
    const noreply = setNoreplyMaybe(session, tokens, ntokens);
    const valid = (ntokens === 4 && (holdIsZero || noreply)) || (ntokens === 5 && holdIsZero && noreply);
    if (!valid) {
      session.reply('CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]');
      return;
    }
  }
  const key = tokens.token(1);
  if (key.length > KEY_MAX_LENGTH) {
    session.reply('CLIENT_ERROR bad command line format');
    return;
  }
  const store = session.store;
  if (store.delete(key)) {
    store.stats.deleteHits++;
    session.reply('DELETED');
  } else {
    store.stats.deleteMisses++;
    session.reply('NOT_FOUND');
  }
}

function touchCommand(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  const key = keyWithOneArgument(session, tokens, ntokens);
  if (key === undefined) return;
  const exptime = strtol32(tokens.token(2));
  if (exptime === undefined) {
    session.reply('CLIENT_ERROR invalid exptime argument');
    return;
  }
  const store = session.store;
  store.stats.cmdTouch++;
  if (store.touch(key, store.realtime(exptime)) !== null) {
    store.stats.touchHits++;
    session.reply('TOUCHED');
  } else {
    store.stats.touchMisses++;
    session.reply('NOT_FOUND');
  }
}

function flushAll(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (!wantTokens(session, ntokens, 2, 4)) return;
  setNoreplyMaybe(session, tokens, ntokens);
  const store = session.store;
  store.stats.cmdFlush++;
  let delay = 0;
  if (ntokens !== (session.noreply ? 3 : 2)) {
    const parsed = strtol32(tokens.token(1));
    if (parsed === undefined) {
      session.reply('CLIENT_ERROR invalid exptime argument');
      return;
    }
    delay = parsed;
  }
  store.flushAll(delay);
  session.reply('OK');
}

/**
 * ElastiCache's `config get cluster` (Auto Discovery, engines 1.4.14 on): the cluster description
 * framed like a value, `CONFIG cluster 0 <bytes>`, the data, END. Anything else is ERROR, as from
 * a plain memcached.
 */
function configCommand(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  const cluster = session.engine.cluster;
  if (ntokens !== 4 || tokens.token(1) !== 'get' || tokens.token(2) !== 'cluster' || cluster === undefined) {
    session.reply('ERROR');
    return;
  }
  const config = cluster.describe();
  session.out += 'CONFIG cluster 0 ' + config.length + '\r\n' + config + '\r\nEND\r\n';
}

function verbosity(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (!wantTokens(session, ntokens, 3, 4)) return;
  setNoreplyMaybe(session, tokens, ntokens);
  const level = strtoul32(tokens.token(1));
  if (level === undefined) {
    session.reply('CLIENT_ERROR bad command line format');
    return;
  }
  session.engine.verbosity = Math.min(level, 2);
  session.reply('OK');
}

const getHandler: TextHandler = (session, tokens, ntokens, count) => {
  if (wantTokens(session, ntokens, 3, Infinity)) retrieve(session, tokens, count, false, false);
};

const TEXT_COMMANDS = new Map<string, TextHandler>([
  ['get', getHandler],
  // The ancient "binary get", still an alias of get in memcached 1.6.
  ['bget', getHandler],
  ['gets', (session, tokens, ntokens, count) => wantTokens(session, ntokens, 3, Infinity) && retrieve(session, tokens, count, true, false)],
  ['gat', (session, tokens, ntokens, count) => wantTokens(session, ntokens, 3, Infinity) && retrieve(session, tokens, count, false, true)],
  ['gats', (session, tokens, ntokens, count) => wantTokens(session, ntokens, 3, Infinity) && retrieve(session, tokens, count, true, true)],
  ['set', (session, tokens, ntokens) => runUpdate(session, tokens, ntokens, StoreMode.Set)],
  ['add', (session, tokens, ntokens) => runUpdate(session, tokens, ntokens, StoreMode.Add)],
  ['replace', (session, tokens, ntokens) => runUpdate(session, tokens, ntokens, StoreMode.Replace)],
  ['append', (session, tokens, ntokens) => runUpdate(session, tokens, ntokens, StoreMode.Append)],
  ['prepend', (session, tokens, ntokens) => runUpdate(session, tokens, ntokens, StoreMode.Prepend)],
  ['cas', (session, tokens, ntokens) => runUpdate(session, tokens, ntokens, StoreMode.Cas)],
  ['incr', (session, tokens, ntokens) => arithmetic(session, tokens, ntokens, true)],
  ['decr', (session, tokens, ntokens) => arithmetic(session, tokens, ntokens, false)],
  ['delete', deleteCommand],
  ['touch', touchCommand],
  ['flush_all', flushAll],
  ['verbosity', verbosity],
  ['config', configCommand],
  ['stats', (session, tokens, ntokens) => runStats(session, tokens, ntokens)],
  ['version', (session) => session.reply('VERSION ' + session.engine.version)],
  ['quit', (session) => session.close()],
  ['shutdown', (session) => session.reply('ERROR: shutdown not enabled')],
  ...META_COMMANDS,
]);

/** process_command_ascii: one command line. */
export function runCommandLine(session: MemcachedSession, tokens: TextTokens): void {
  const count = tokens.count;
  // No valid command is shorter than two bytes; an empty line is an error too.
  if (count === 0 || tokens.length(0) < 2) {
    session.reply('ERROR');
    return;
  }
  const handler = TEXT_COMMANDS.get(tokens.token(0));
  if (handler === undefined) {
    session.reply('ERROR');
    return;
  }
  handler(session, tokens, Math.min(count, MAX_TOKENS - 1) + 1, count);
}
