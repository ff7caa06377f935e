import {
  BinaryRequestParser,
  BinaryResponseWriter,
  Opcode,
  Status,
  statusText,
} from '../protocol/memcached/binary-protocol.js';
import { DeltaResult, StoreMode, StoreResult } from './store.js';
import type { MemcachedSession } from './session.js';
import { KEY_MAX_LENGTH } from './storage-commands.js';
import { generalStats, itemStats, settingsStats, slabStats, type StatList } from './stats.js';
import { checkPlainAuth, SASL_MECHANISMS } from './sasl.js';

// The binary protocol's commands, as memcached 1.6's proto_bin.c runs them: the checks of
// dispatch_bin_command in its order (lengths, SASL, key length, then each opcode's shape), the
// quiet variants (a success is silent, an error never is; a quiet get is silent on a miss only),
// the opaque echoed and the item's CAS in every response that has one. A storage command reads
// its value after the checks, as conn_nread does; a refused one skips it (conn_swallow).

/** memcached's MAX_SASL_MECH_LEN. */
const MAX_SASL_MECH_LEN = 32;
/** An incr/decr expiration of all ones means "do not create a missing counter". */
const NO_INITIAL_VALUE = 0xffffffff;

/** One binary connection's protocol state, kept on its MemcachedSession. */
export class BinaryConnection {
  readonly parser = new BinaryRequestParser();
  readonly writer = new BinaryResponseWriter();
  /** The request being answered: its opcode (the quiet one as sent), opaque and quietness. */
  opcode = 0;
  opaque = 0;
  quiet = false;
  /** What to do with the value being read: a store, or SASL data. */
  pendingMode: StoreMode = StoreMode.Set;
  pendingSasl = false;
  pendingKey = '';
  pendingFlags = 0;
  pendingExptime = 0;
  pendingCas = 0;
  /** SASL: a successful PLAIN auth on this connection (reset by every new attempt, as init_sasl_conn does). */
  authenticated = false;
  saslStarted = false;
}

function respond(binary: BinaryConnection, status: Status, extrasLength: number, keyLength: number, bodyLength: number, cas: number): void {
  binary.writer.header(binary.opcode, status, extrasLength, keyLength, bodyLength, binary.opaque, cas);
}

/** write_bin_response: a success, silent for the quiet variants. */
function success(binary: BinaryConnection, cas: number): void {
  if (!binary.quiet) respond(binary, Status.Success, 0, 0, 0, cas);
}

/** write_bin_error: sent even for quiet commands; `swallow` bytes of the request's value are skipped. */
function error(binary: BinaryConnection, status: Status, swallow: number, text = statusText(status)): void {
  respond(binary, status, 0, 0, text.length, 0);
  binary.writer.latin1(text);
  // memcached sends its pending responses after an error unless it goes on to skip the value.
  if (swallow > 0) binary.parser.swallow(swallow);
  else binary.writer.commit();
}

/** An error after which memcached closes the connection (handle_binary_protocol_error and the like). */
function fatal(session: MemcachedSession, binary: BinaryConnection, status: Status): void {
  error(binary, status, 0);
  session.close();
}

/** The opcode a quiet opcode stands for, or -1 when it is not a quiet one. */
function loudOpcode(opcode: number): number {
  switch (opcode) {
    case Opcode.SetQ:
      return Opcode.Set;
    case Opcode.AddQ:
      return Opcode.Add;
    case Opcode.ReplaceQ:
      return Opcode.Replace;
    case Opcode.DeleteQ:
      return Opcode.Delete;
    case Opcode.IncrementQ:
      return Opcode.Increment;
    case Opcode.DecrementQ:
      return Opcode.Decrement;
    case Opcode.QuitQ:
      return Opcode.Quit;
    case Opcode.FlushQ:
      return Opcode.Flush;
    case Opcode.AppendQ:
      return Opcode.Append;
    case Opcode.PrependQ:
      return Opcode.Prepend;
    case Opcode.GetQ:
      return Opcode.Get;
    case Opcode.GetKQ:
      return Opcode.GetK;
    case Opcode.GatQ:
      return Opcode.Gat;
    case Opcode.GatKQ:
      return Opcode.GatK;
    default:
      return -1;
  }
}

/** dispatch_bin_command: a request's header, extras and key have arrived. */
export function runBinaryRequest(session: MemcachedSession, binary: BinaryConnection): void {
  const parser = binary.parser;
  const extrasLength = parser.extrasLength;
  const keyLength = parser.keyLength;
  const bodyLength = parser.bodyLength;
  binary.opcode = parser.opcode;
  binary.opaque = parser.opaque;
  binary.quiet = false;
  if (keyLength + extrasLength > bodyLength) {
    fatal(session, binary, Status.UnknownCommand);
    return;
  }
  const engine = session.engine;
  if (engine.sasl !== undefined && !binary.authenticated && !allowedBeforeAuth(parser.opcode)) {
    fatal(session, binary, Status.AuthError);
    return;
  }
  if (keyLength > KEY_MAX_LENGTH) {
    fatal(session, binary, Status.InvalidArguments);
    return;
  }
  let opcode = loudOpcode(parser.opcode);
  if (opcode >= 0) binary.quiet = true;
  else opcode = parser.opcode;
  let valid: boolean;
  switch (opcode) {
    case Opcode.Version:
      valid = extrasLength === 0 && keyLength === 0 && bodyLength === 0;
      if (valid) {
        respond(binary, Status.Success, 0, 0, engine.version.length, 0);
        binary.writer.latin1(engine.version);
      }
      break;
    case Opcode.Flush:
      valid = keyLength === 0 && bodyLength === extrasLength && (extrasLength === 0 || extrasLength === 4);
      if (valid) flush(session, binary);
      break;
    case Opcode.Noop:
      valid = extrasLength === 0 && keyLength === 0 && bodyLength === 0;
      if (valid) {
        success(binary, 0);
        // "NOOP forces pipeline flush."
        binary.writer.commit();
      }
      break;
    case Opcode.Set:
    case Opcode.Add:
    case Opcode.Replace:
      valid = extrasLength === 8 && keyLength !== 0 && bodyLength >= keyLength + 8;
      if (valid) update(session, binary, opcode);
      break;
    case Opcode.Get:
    case Opcode.GetK:
      valid = extrasLength === 0 && bodyLength === keyLength && keyLength > 0;
      if (valid) getOrTouch(session, binary, opcode);
      break;
    case Opcode.Delete:
      valid = keyLength > 0 && extrasLength === 0 && bodyLength === keyLength;
      if (valid) deleteItem(session, binary);
      break;
    case Opcode.Increment:
    case Opcode.Decrement:
      valid = keyLength > 0 && extrasLength === 20 && bodyLength === keyLength + extrasLength;
      if (valid) arithmetic(session, binary, opcode === Opcode.Increment);
      break;
    case Opcode.Append:
    case Opcode.Prepend:
      valid = keyLength > 0 && extrasLength === 0;
      if (valid) appendPrepend(session, binary, opcode === Opcode.Append ? StoreMode.Append : StoreMode.Prepend);
      break;
    case Opcode.Stat:
      valid = extrasLength === 0;
      if (valid) stats(session, binary);
      break;
    case Opcode.Quit:
      valid = keyLength === 0 && extrasLength === 0 && bodyLength === 0;
      if (valid) {
        success(binary, 0);
        session.close();
      }
      break;
    case Opcode.SaslListMechs:
      valid = extrasLength === 0 && keyLength === 0 && bodyLength === 0;
      if (valid) listMechanisms(session, binary);
      break;
    case Opcode.SaslAuth:
    case Opcode.SaslStep:
      valid = extrasLength === 0 && keyLength !== 0;
      if (valid) startSasl(session, binary);
      break;
    case Opcode.Touch:
    case Opcode.Gat:
    case Opcode.GatK:
      valid = extrasLength === 4 && keyLength !== 0;
      if (valid) getOrTouch(session, binary, opcode);
      break;
    case Opcode.ConfigGet:
      valid = extrasLength === 0 && keyLength !== 0 && bodyLength === keyLength;
      if (valid) configGet(session, binary);
      break;
    default:
      // memcached skips bodylen more bytes, although the extras and key are already consumed.
      error(binary, Status.UnknownCommand, bodyLength);
      return;
  }
  if (!valid) fatal(session, binary, Status.InvalidArguments);
}

/** With SASL on, these are the only commands an unauthenticated connection may send. */
function allowedBeforeAuth(opcode: number): boolean {
  return opcode === Opcode.SaslListMechs || opcode === Opcode.SaslAuth || opcode === Opcode.SaslStep || opcode === Opcode.Version;
}

/** The request's value has arrived: finish the storage or SASL command waiting for it. */
export function completeBinaryValue(session: MemcachedSession, binary: BinaryConnection): void {
  if (binary.pendingSasl) {
    completeSasl(session, binary);
    return;
  }
  const store = session.store;
  store.stats.cmdSet++;
  const mode = binary.pendingMode;
  const result = store.store(mode, binary.pendingKey, binary.parser.value, binary.pendingFlags, binary.pendingExptime, binary.pendingCas);
  switch (result) {
    case StoreResult.Stored:
      success(binary, store.lastCas);
      return;
    case StoreResult.Exists:
      error(binary, Status.KeyExists, 0);
      return;
    case StoreResult.NotFound:
      error(binary, Status.KeyNotFound, 0);
      return;
    default:
      // complete_update_bin: a refused add means the key exists, a refused replace that it does not.
      error(binary, mode === StoreMode.Add ? Status.KeyExists : mode === StoreMode.Replace ? Status.KeyNotFound : Status.NotStored, 0);
  }
}

/**
 * item_alloc's verdict before the value is read: E2BIG or ENOMEM, and the value skipped. A refused
 * set also drops the old value so a stale one does not outlive the failed write. True when it fits.
 */
function allocate(session: MemcachedSession, binary: BinaryConnection, key: string, valueLength: number, flags: number, dropOld: boolean): boolean {
  const store = session.store;
  const verdict = store.allocationResult(key.length, valueLength, flags);
  if (verdict === StoreResult.Stored) return true;
  if (verdict === StoreResult.TooLarge) {
    store.stats.storeTooLarge++;
    error(binary, Status.TooLarge, valueLength);
  } else {
    store.stats.storeNoMemory++;
    // out_of_memory strips "SERVER_ERROR " from its text for the binary protocol.
    error(binary, Status.OutOfMemory, valueLength, 'Out of memory allocating item');
  }
  if (dropOld) store.delete(key);
  return false;
}

function expectValue(binary: BinaryConnection, mode: StoreMode, flags: number, exptime: number, valueLength: number): void {
  const parser = binary.parser;
  binary.pendingSasl = false;
  binary.pendingMode = mode;
  binary.pendingKey = parser.key;
  binary.pendingFlags = flags;
  binary.pendingExptime = exptime;
  binary.pendingCas = parser.cas;
  parser.expectValue(valueLength);
}

/** process_bin_update: set/add/replace; a CAS in the header makes any of them a compare-and-swap. */
function update(session: MemcachedSession, binary: BinaryConnection, opcode: Opcode): void {
  const parser = binary.parser;
  const flags = parser.extras.readUInt32BE(0);
  const exptime = parser.extras.readUInt32BE(4);
  const valueLength = parser.bodyLength - parser.keyLength - 8;
  if (!allocate(session, binary, parser.key, valueLength, flags, opcode === Opcode.Set)) return;
  const mode = parser.cas !== 0 ? StoreMode.Cas : opcode === Opcode.Set ? StoreMode.Set : opcode === Opcode.Add ? StoreMode.Add : StoreMode.Replace;
  expectValue(binary, mode, flags, session.store.realtime(exptime), valueLength);
}

/** process_bin_append_prepend: no extras; a header CAS must match the item's. */
function appendPrepend(session: MemcachedSession, binary: BinaryConnection, mode: StoreMode): void {
  const parser = binary.parser;
  const valueLength = parser.bodyLength - parser.keyLength;
  if (!allocate(session, binary, parser.key, valueLength, 0, false)) return;
  expectValue(binary, mode, 0, 0, valueLength);
}

/** process_bin_get_or_touch: get/getk (and quiet), touch, gat/gatk (and quiet). */
function getOrTouch(session: MemcachedSession, binary: BinaryConnection, opcode: Opcode): void {
  const parser = binary.parser;
  const store = session.store;
  const stats = store.stats;
  const key = parser.key;
  const touch = opcode === Opcode.Touch || opcode === Opcode.Gat || opcode === Opcode.GatK;
  const returnKey = opcode === Opcode.GetK || opcode === Opcode.GatK;
  const item = touch ? store.touch(key, store.realtime(parser.extras.readUInt32BE(0))) : store.fetch(key, true);
  if (touch) stats.cmdTouch++;
  else stats.cmdGet++;
  const writer = binary.writer;
  if (item !== null) {
    if (touch) stats.touchHits++;
    else stats.getHits++;
    const value = opcode === Opcode.Touch ? '' : item.value;
    const keyLength = returnKey ? key.length : 0;
    respond(binary, Status.Success, 4, keyLength, 4 + keyLength + value.length, item.cas);
    writer.uint32(item.flags);
    if (returnKey) writer.latin1(key);
    writer.latin1(value);
    return;
  }
  if (touch) stats.touchMisses++;
  else stats.getMisses++;
  if (binary.quiet) return;
  if (returnKey) {
    // write_bin_miss_response: getk's miss carries the key instead of a message.
    respond(binary, Status.KeyNotFound, 0, key.length, key.length, 0);
    writer.latin1(key);
  } else {
    error(binary, Status.KeyNotFound, 0);
  }
}

/** process_bin_delete: a header CAS must match the item's. */
function deleteItem(session: MemcachedSession, binary: BinaryConnection): void {
  const store = session.store;
  const item = store.fetch(binary.parser.key, false);
  if (item === null) {
    store.stats.deleteMisses++;
    error(binary, Status.KeyNotFound, 0);
    return;
  }
  const cas = binary.parser.cas;
  if (cas !== 0 && cas !== item.cas) {
    error(binary, Status.KeyExists, 0);
    return;
  }
  store.stats.deleteHits++;
  store.unlink(item);
  success(binary, 0);
}

/**
 * complete_incr_bin: extras are delta (64 bits), initial value (64 bits) and expiration (32 bits).
 * A missing counter is created with the initial value unless the expiration is all ones; the
 * reply's body is the new value as a 64-bit number.
 */
function arithmetic(session: MemcachedSession, binary: BinaryConnection, incr: boolean): void {
  const parser = binary.parser;
  const store = session.store;
  const extras = parser.extras;
  const key = parser.key;
  switch (store.delta(key, incr, extras.readBigUInt64BE(0), parser.cas)) {
    case DeltaResult.Ok:
      counterValue(binary, BigInt(store.lastDeltaValue), store.lastCas);
      return;
    case DeltaResult.NonNumeric:
      error(binary, Status.NonNumeric, 0);
      return;
    case DeltaResult.CasMismatch:
      error(binary, Status.KeyExists, 0);
      return;
    case DeltaResult.NotFound:
      break;
  }
  const expiration = extras.readUInt32BE(16);
  if (expiration === NO_INITIAL_VALUE) {
    if (incr) store.stats.incrMisses++;
    else store.stats.decrMisses++;
    error(binary, Status.KeyNotFound, 0);
    return;
  }
  const initial = extras.readBigUInt64BE(8);
  if (store.store(StoreMode.Add, key, initial.toString(), 0, store.realtime(expiration), 0) === StoreResult.Stored) {
    counterValue(binary, initial, store.lastCas);
  } else {
    error(binary, Status.NotStored, 0);
  }
}

function counterValue(binary: BinaryConnection, value: bigint, cas: number): void {
  if (binary.quiet) return;
  respond(binary, Status.Success, 0, 0, 8, cas);
  binary.writer.uint64(value);
}

/** process_bin_flush: an optional 4-byte delay in the extras. */
function flush(session: MemcachedSession, binary: BinaryConnection): void {
  const parser = binary.parser;
  const store = session.store;
  store.flushAll(parser.extrasLength === 4 ? parser.extras.readUInt32BE(0) : 0);
  store.stats.cmdFlush++;
  success(binary, 0);
}

/** One packet per statistic (key = name, value = value), then an empty one ends the list. */
function sendStats(binary: BinaryConnection, list: StatList): void {
  const writer = binary.writer;
  for (const [name, value] of list) {
    const text = String(value);
    writer.header(Opcode.Stat, Status.Success, 0, name.length, name.length + text.length, binary.opaque, 0);
    writer.latin1(name);
    writer.latin1(text);
  }
  writer.header(Opcode.Stat, Status.Success, 0, 0, 0, binary.opaque, 0);
}

/**
 * process_bin_stat: the key names the group. "reset" and "settings" match as prefixes (memcached
 * compares only their length); the rest must match exactly; an unknown group is KEY_ENOENT.
 */
function stats(session: MemcachedSession, binary: BinaryConnection): void {
  const group = binary.parser.key;
  if (group.length === 0) sendStats(binary, generalStats(session));
  else if (group.startsWith('reset')) {
    session.engine.resetStats();
    sendStats(binary, []);
  } else if (group.startsWith('settings')) sendStats(binary, settingsStats(session));
  else if (group === 'items') sendStats(binary, itemStats(session));
  else if (group === 'slabs') sendStats(binary, slabStats(session));
  else if (group === 'sizes') sendStats(binary, [['sizes_status', 'disabled']]);
  else error(binary, Status.KeyNotFound, 0);
}

/** ElastiCache's binary config get: the cluster configuration as a value with zero flags. */
function configGet(session: MemcachedSession, binary: BinaryConnection): void {
  const cluster = session.engine.cluster;
  if (binary.parser.key !== 'cluster' || cluster === undefined) {
    error(binary, Status.KeyNotFound, 0);
    return;
  }
  const config = cluster.describe();
  respond(binary, Status.Success, 4, 0, 4 + config.length, 0);
  binary.writer.uint32(0);
  binary.writer.latin1(config);
}

/** bin_list_sasl_mechs: without SASL configured memcached does not know the command. */
function listMechanisms(session: MemcachedSession, binary: BinaryConnection): void {
  if (session.engine.sasl === undefined) {
    error(binary, Status.UnknownCommand, 0);
    return;
  }
  respond(binary, Status.Success, 0, 0, SASL_MECHANISMS.length, 0);
  binary.writer.latin1(SASL_MECHANISMS);
}

/** process_bin_sasl_auth: the mechanism is the key, the client's data the value (read next). */
function startSasl(session: MemcachedSession, binary: BinaryConnection): void {
  const parser = binary.parser;
  const valueLength = parser.bodyLength - parser.keyLength;
  if (session.engine.sasl === undefined) {
    error(binary, Status.UnknownCommand, valueLength);
    return;
  }
  if (parser.keyLength > MAX_SASL_MECH_LEN) {
    error(binary, Status.InvalidArguments, valueLength);
    return;
  }
  binary.pendingSasl = true;
  binary.pendingKey = parser.key;
  parser.expectValue(valueLength);
}

/** process_bin_complete_sasl_auth: PLAIN completes in one step; a step has nothing to continue. */
function completeSasl(session: MemcachedSession, binary: BinaryConnection): void {
  binary.pendingSasl = false;
  binary.authenticated = false;
  const engine = session.engine;
  const credentials = engine.sasl!;
  let ok = false;
  if (binary.opcode === Opcode.SaslAuth) {
    ok = binary.pendingKey === 'PLAIN' && checkPlainAuth(binary.parser.value, credentials);
    binary.saslStarted = ok;
  }
  engine.authCommands++;
  if (ok) {
    binary.authenticated = true;
    respond(binary, Status.Success, 0, 0, 13, 0);
    binary.writer.latin1('Authenticated');
  } else {
    engine.authErrors++;
    error(binary, Status.AuthError, 0);
  }
}

