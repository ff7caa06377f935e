import { SLAB_CLASS_SIZES } from './store.js';
import type { MemcachedSession } from './session.js';
import type { TextTokens } from '../protocol/memcached/text-parser.js';

// `stats` and its subcommands, with memcached 1.6's names and order. Counters come from the store
// and the engine, kept incrementally; only the admin subcommands (items, slabs) walk the items.
// Each group is a list of name/value pairs that the text protocol prints as STAT lines and the
// binary protocol sends as one packet each.

export type StatList = [name: string, value: string | number][];

export function generalStats(session: MemcachedSession): StatList {
  const engine = session.engine;
  const store = engine.store;
  const s = store.stats;
  const cpu = process.cpuUsage();
  const now = engine.clock.now;
  const seconds = (micros: number): string => (micros / 1e6).toFixed(6);
  return [
    ['pid', process.pid],
    ['uptime', Math.floor((now - engine.startedAt) / 1000)],
    ['time', Math.floor(now / 1000)],
    ['version', engine.version],
    ['pointer_size', 64],
    ['rusage_user', seconds(cpu.user)],
    ['rusage_system', seconds(cpu.system)],
    ['max_connections', engine.maxConnections],
    ['curr_connections', engine.sessions.size],
    ['total_connections', engine.totalConnections],
    ['rejected_connections', engine.rejectedConnections],
    ['connection_structures', engine.sessions.size + 1],
    ['cmd_get', s.cmdGet],
    ['cmd_set', s.cmdSet],
    ['cmd_flush', s.cmdFlush],
    ['cmd_touch', s.cmdTouch],
    ['cmd_meta', s.cmdMeta],
    ['get_hits', s.getHits],
    ['get_misses', s.getMisses],
    ['get_expired', s.getExpired],
    ['get_flushed', s.getFlushed],
    ['delete_misses', s.deleteMisses],
    ['delete_hits', s.deleteHits],
    ['incr_misses', s.incrMisses],
    ['incr_hits', s.incrHits],
    ['decr_misses', s.decrMisses],
    ['decr_hits', s.decrHits],
    ['cas_misses', s.casMisses],
    ['cas_hits', s.casHits],
    ['cas_badval', s.casBadval],
    ['touch_hits', s.touchHits],
    ['touch_misses', s.touchMisses],
    ['store_too_large', s.storeTooLarge],
    ['store_no_memory', s.storeNoMemory],
    ['auth_cmds', engine.authCommands],
    ['auth_errors', engine.authErrors],
    ['bytes_read', engine.bytesRead],
    ['bytes_written', engine.bytesWritten],
    ['limit_maxbytes', store.limits.memoryLimit],
    ['accepting_conns', 1],
    ['threads', 1],
    ['bytes', store.bytes],
    ['curr_items', store.currentItems],
    ['total_items', s.totalItems],
    ['expired_unfetched', s.expiredUnfetched],
    ['evicted_unfetched', s.evictedUnfetched],
    ['evictions', s.evictions],
    ['reclaimed', s.reclaimed],
  ];
}

export function settingsStats(session: MemcachedSession): StatList {
  const engine = session.engine;
  return [
    ['maxbytes', engine.store.limits.memoryLimit],
    ['maxconns', engine.maxConnections],
    ['tcpport', engine.port],
    ['udpport', 0],
    ['inter', engine.addresses.join(',') || 'NULL'],
    ['verbosity', engine.verbosity],
    ['oldest', 0],
    ['evictions', 'on'],
    ['domain_socket', 'NULL'],
    ['growth_factor', '1.25'],
    ['chunk_size', 48],
    ['num_threads', 1],
    ['cas_enabled', 'yes'],
    ['binding_protocol', engine.sasl !== undefined ? 'binary' : 'auto-negotiate'],
    ['item_size_max', engine.store.limits.itemSizeMax],
    ['slab_chunk_max', SLAB_CLASS_SIZES[SLAB_CLASS_SIZES.length - 1]!],
    ['flush_enabled', 'yes'],
    ['lru_segmented', 'no'],
  ];
}

export function itemStats(session: MemcachedSession): StatList {
  const out: StatList = [];
  const classes = [...session.store.itemsPerClass()].sort((a, b) => a[0] - b[0]);
  for (const [id, entry] of classes) {
    out.push([`items:${id}:number`, entry.count], [`items:${id}:age`, entry.oldest], [`items:${id}:mem_requested`, entry.bytes]);
  }
  return out;
}

export function slabStats(session: MemcachedSession): StatList {
  const out: StatList = [];
  const classes = [...session.store.itemsPerClass()].sort((a, b) => a[0] - b[0]);
  for (const [id, entry] of classes) {
    const size = SLAB_CLASS_SIZES[id - 1]!;
    out.push([`${id}:chunk_size`, size], [`${id}:chunks_per_page`, Math.max(1, Math.floor(1048576 / size))], [`${id}:used_chunks`, entry.count]);
  }
  out.push(['active_slabs', classes.length], ['total_malloced', session.store.bytes]);
  return out;
}

function connStats(session: MemcachedSession): StatList {
  const out: StatList = [];
  const engine = session.engine;
  const now = engine.clock.now;
  for (const client of engine.sessions.values()) {
    out.push(
      [`${client.id}:addr`, 'tcp:' + client.address],
      [`${client.id}:state`, 'conn_parse_cmd'],
      [`${client.id}:secs_since_last_cmd`, Math.floor((now - client.lastCommandAt) / 1000)],
    );
  }
  return out;
}

function text(stats: StatList): string {
  let out = '';
  for (const [name, value] of stats) out += 'STAT ' + name + ' ' + value + '\r\n';
  return out + 'END\r\n';
}

/** process_stat: `stats [items|slabs|sizes|settings|conns|reset]`; anything else is ERROR. */
export function runStats(session: MemcachedSession, tokens: TextTokens, ntokens: number): void {
  if (ntokens === 2) {
    session.out += text(generalStats(session));
    return;
  }
  switch (tokens.token(1)) {
    case 'reset':
      session.engine.resetStats();
      session.reply('RESET');
      return;
    case 'settings':
      session.out += text(settingsStats(session));
      return;
    case 'items':
      session.out += text(itemStats(session));
      return;
    case 'slabs':
      session.out += text(slabStats(session));
      return;
    case 'sizes':
      session.out += text([['sizes_status', 'disabled']]);
      return;
    case 'conns':
      session.out += text(connStats(session));
      return;
    default:
      session.reply('ERROR');
  }
}
