import { SLAB_CLASS_SIZES } from './store.js';
import type { MemcachedSession } from './session.js';

// `stats` and its subcommands, with memcached 1.6's names and order. Counters come from the store
// and the engine, kept incrementally; only the admin subcommands (items, slabs) walk the items.

function line(name: string, value: string | number): string {
  return 'STAT ' + name + ' ' + value + '\r\n';
}

function general(session: MemcachedSession): string {
  const engine = session.engine;
  const store = engine.store;
  const s = store.stats;
  const cpu = process.cpuUsage();
  const now = engine.clock.now;
  const seconds = (micros: number): string => (micros / 1e6).toFixed(6);
  return (
    line('pid', process.pid) +
    line('uptime', Math.floor((now - engine.startedAt) / 1000)) +
    line('time', Math.floor(now / 1000)) +
    line('version', engine.version) +
    line('pointer_size', 64) +
    line('rusage_user', seconds(cpu.user)) +
    line('rusage_system', seconds(cpu.system)) +
    line('max_connections', engine.maxConnections) +
    line('curr_connections', engine.sessions.size) +
    line('total_connections', engine.totalConnections) +
    line('rejected_connections', engine.rejectedConnections) +
    line('connection_structures', engine.sessions.size + 1) +
    line('cmd_get', s.cmdGet) +
    line('cmd_set', s.cmdSet) +
    line('cmd_flush', s.cmdFlush) +
    line('cmd_touch', s.cmdTouch) +
    line('cmd_meta', s.cmdMeta) +
    line('get_hits', s.getHits) +
    line('get_misses', s.getMisses) +
    line('get_expired', s.getExpired) +
    line('get_flushed', s.getFlushed) +
    line('delete_misses', s.deleteMisses) +
    line('delete_hits', s.deleteHits) +
    line('incr_misses', s.incrMisses) +
    line('incr_hits', s.incrHits) +
    line('decr_misses', s.decrMisses) +
    line('decr_hits', s.decrHits) +
    line('cas_misses', s.casMisses) +
    line('cas_hits', s.casHits) +
    line('cas_badval', s.casBadval) +
    line('touch_hits', s.touchHits) +
    line('touch_misses', s.touchMisses) +
    line('store_too_large', s.storeTooLarge) +
    line('store_no_memory', s.storeNoMemory) +
    line('auth_cmds', 0) +
    line('auth_errors', 0) +
    line('bytes_read', engine.bytesRead) +
    line('bytes_written', engine.bytesWritten) +
    line('limit_maxbytes', store.limits.memoryLimit) +
    line('accepting_conns', 1) +
    line('threads', 1) +
    line('bytes', store.bytes) +
    line('curr_items', store.currentItems) +
    line('total_items', s.totalItems) +
    line('expired_unfetched', s.expiredUnfetched) +
    line('evicted_unfetched', s.evictedUnfetched) +
    line('evictions', s.evictions) +
    line('reclaimed', s.reclaimed)
  );
}

function settings(session: MemcachedSession): string {
  const engine = session.engine;
  return (
    line('maxbytes', engine.store.limits.memoryLimit) +
    line('maxconns', engine.maxConnections) +
    line('tcpport', engine.port) +
    line('udpport', 0) +
    line('inter', engine.addresses.join(',') || 'NULL') +
    line('verbosity', engine.verbosity) +
    line('oldest', 0) +
    line('evictions', 'on') +
    line('domain_socket', 'NULL') +
    line('growth_factor', '1.25') +
    line('chunk_size', 48) +
    line('num_threads', 1) +
    line('cas_enabled', 'yes') +
    line('binding_protocol', 'ascii') +
    line('item_size_max', engine.store.limits.itemSizeMax) +
    line('slab_chunk_max', SLAB_CLASS_SIZES[SLAB_CLASS_SIZES.length - 1]!) +
    line('flush_enabled', 'yes') +
    line('lru_segmented', 'no')
  );
}

function items(session: MemcachedSession): string {
  let out = '';
  const classes = [...session.store.itemsPerClass()].sort((a, b) => a[0] - b[0]);
  for (const [id, entry] of classes) {
    out += line(`items:${id}:number`, entry.count) + line(`items:${id}:age`, entry.oldest) + line(`items:${id}:mem_requested`, entry.bytes);
  }
  return out;
}

function slabs(session: MemcachedSession): string {
  let out = '';
  const classes = [...session.store.itemsPerClass()].sort((a, b) => a[0] - b[0]);
  for (const [id, entry] of classes) {
    const size = SLAB_CLASS_SIZES[id - 1]!;
    out += line(`${id}:chunk_size`, size) + line(`${id}:chunks_per_page`, Math.max(1, Math.floor(1048576 / size))) + line(`${id}:used_chunks`, entry.count);
  }
  return out + line('active_slabs', classes.length) + line('total_malloced', session.store.bytes);
}

function conns(session: MemcachedSession): string {
  let out = '';
  const engine = session.engine;
  const now = engine.clock.now;
  for (const client of engine.sessions.values()) {
    out +=
      line(`${client.id}:addr`, 'tcp:' + client.address) +
      line(`${client.id}:state`, 'conn_parse_cmd') +
      line(`${client.id}:secs_since_last_cmd`, Math.floor((now - client.lastCommandAt) / 1000));
  }
  return out;
}

/** process_stat: `stats [items|slabs|sizes|settings|conns|reset]`; anything else is ERROR. */
export function runStats(session: MemcachedSession, tokens: string[], ntokens: number): void {
  if (ntokens === 2) {
    session.out += general(session) + 'END\r\n';
    return;
  }
  switch (tokens[1]) {
    case 'reset':
      session.engine.resetStats();
      session.reply('RESET');
      return;
    case 'settings':
      session.out += settings(session) + 'END\r\n';
      return;
    case 'items':
      session.out += items(session) + 'END\r\n';
      return;
    case 'slabs':
      session.out += slabs(session) + 'END\r\n';
      return;
    case 'sizes':
      session.out += line('sizes_status', 'disabled') + 'END\r\n';
      return;
    case 'conns':
      session.out += conns(session) + 'END\r\n';
      return;
    default:
      session.reply('ERROR');
  }
}
