import { arch, release, totalmem, type as osType } from 'node:os';
import type { Server } from './server.js';
import { SERVER_VERSION } from './server.js';

// INFO's sections, field for field in Redis 7.0.15's order (server.c genRedisInfoString). Values
// are true where we have them; subsystems this node does not have (forks, AOF, modules, TLS,
// replicas) report what an idle Redis with them switched off reports.

type SectionBuilder = (server: Server) => string[];

/** Redis' bytesToHuman: B below 1K, then K/M/G/T/P with two decimals. */
export function bytesToHuman(bytes: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes / 1024;
  for (const unit of units) {
    if (value < 1024 || unit === 'P') return `${value.toFixed(2)}${unit}`;
    value /= 1024;
  }
  return `${bytes}B`;
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

function serverSection(server: Server): string[] {
  // Uptime is a duration of the process, so it stays on real time when DEBUG CLOCK moves the node
  // clock; server_time_usec and lru_clock are times of day and follow the node clock.
  const uptime = Math.floor((Date.now() - server.startedAt) / 1000);
  return [
    `redis_version:${SERVER_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0',
    'redis_mode:standalone',
    `os:${osType()} ${release()} ${arch() === 'x64' ? 'x86_64' : arch()}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${server.runId}`,
    `tcp_port:${server.port}`,
    `server_time_usec:${server.clock.microseconds()}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${server.config.getInt('hz')}`,
    `configured_hz:${server.config.getInt('hz')}`,
    `lru_clock:${server.clock.lruNow & 0xffffff}`,
    `executable:${process.argv[1] ?? ''}`,
    `config_file:${server.configFile ?? ''}`,
    'io_threads_active:0',
  ];
}

function clientsSection(server: Server): string[] {
  let maxInput = 0;
  let maxOutput = 0;
  for (const session of server.sessions.values()) {
    maxInput = Math.max(maxInput, session.inputBytesPending);
    maxOutput = Math.max(maxOutput, session.outputBytesPending);
  }
  return [
    `connected_clients:${server.sessions.size}`,
    'cluster_connections:0',
    `maxclients:${server.config.getInt('maxclients')}`,
    `client_recent_max_input_buffer:${maxInput}`,
    `client_recent_max_output_buffer:${maxOutput}`,
    // Redis 7.0 counts clients postponed by CLIENT PAUSE among the blocked ones.
    `blocked_clients:${server.blocking.blockedCount + server.clientPause.postponedCount}`,
    'tracking_clients:0',
    `clients_in_timeout_table:${server.blocking.timedCount}`,
  ];
}

/**
 * Redis' getMemoryOverheadData with this node's true figures: used_memory is the keyspace's meter
 * (the node's base plus what the data costs in V8's heap); the allocator is V8 (allocated: heap
 * in use plus typed arrays' stores, active: the heap's reserved spaces plus those stores) and the
 * resident size is the process's RSS.
 */
export interface MemoryOverhead {
  used: number;
  peak: number;
  startup: number;
  clientsNormal: number;
  databases: { id: number; main: number; expires: number }[];
  overheadTotal: number;
  totalKeys: number;
  bytesPerKey: number;
  dataset: number;
  datasetPercent: number;
  peakPercent: number;
  allocatorAllocated: number;
  allocatorActive: number;
  allocatorResident: number;
  rss: number;
}

/** Heap a connection holds besides its buffers (measured over 2,000 idle connections; CLIENT LIST tot-mem). */
const SESSION_BYTES = 2400;

export function memoryOverhead(server: Server): MemoryOverhead {
  const usage = process.memoryUsage();
  const used = server.sampleMemory();
  const startup = server.usedMemoryStartup;
  let clientsNormal = 0;
  for (const session of server.sessions.values()) clientsNormal += SESSION_BYTES + session.inputBytesPending + session.outputBytesPending;
  const databases: MemoryOverhead['databases'] = [];
  let overheadTotal = startup;
  let totalKeys = 0;
  for (const db of server.keyspace.databases) {
    if (db.size === 0) continue;
    totalKeys += db.size;
    const main = db.overheadMain();
    const expires = db.overheadExpires();
    databases.push({ id: db.id, main, expires });
    overheadTotal += main + expires;
  }
  // The per-db overhead is charged inside used_memory, so the dataset is what remains of it.
  const dataset = Math.max(0, used - overheadTotal);
  const netUsage = used > startup ? used - startup : 1;
  return {
    used,
    peak: server.usedMemoryPeak,
    startup,
    clientsNormal,
    databases,
    overheadTotal,
    totalKeys,
    bytesPerKey: totalKeys === 0 ? 0 : Math.floor(netUsage / totalKeys),
    dataset,
    datasetPercent: Math.fround((dataset * 100) / netUsage),
    peakPercent: Math.fround((used * 100) / server.usedMemoryPeak),
    allocatorAllocated: usage.heapUsed + usage.arrayBuffers,
    allocatorActive: usage.heapTotal + usage.arrayBuffers,
    allocatorResident: usage.rss,
    rss: usage.rss,
  };
}

function memorySection(server: Server): string[] {
  const memory = memoryOverhead(server);
  const { used, peak, rss } = memory;
  const maxmemory = server.config.getInt('maxmemory');
  const total = totalmem();
  const allocated = memory.allocatorAllocated;
  const active = memory.allocatorActive;
  return [
    `used_memory:${used}`,
    `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${bytesToHuman(rss)}`,
    `used_memory_peak:${peak}`,
    `used_memory_peak_human:${bytesToHuman(peak)}`,
    `used_memory_peak_perc:${fixed(memory.peakPercent, 2)}%`,
    `used_memory_overhead:${memory.overheadTotal}`,
    `used_memory_startup:${memory.startup}`,
    `used_memory_dataset:${memory.dataset}`,
    `used_memory_dataset_perc:${fixed(memory.datasetPercent, 2)}%`,
    `allocator_allocated:${allocated}`,
    `allocator_active:${active}`,
    `allocator_resident:${rss}`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    'used_memory_lua:0',
    'used_memory_vm_eval:0',
    'used_memory_lua_human:0B',
    'used_memory_scripts_eval:0',
    'number_of_cached_scripts:0',
    'number_of_functions:0',
    'number_of_libraries:0',
    'used_memory_vm_functions:0',
    'used_memory_vm_total:0',
    'used_memory_vm_total_human:0B',
    'used_memory_functions:0',
    'used_memory_scripts:0',
    'used_memory_scripts_human:0B',
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${bytesToHuman(maxmemory)}`,
    `maxmemory_policy:${server.config.get('maxmemory-policy')}`,
    `allocator_frag_ratio:${fixed(allocated > 0 ? active / allocated : 0, 2)}`,
    `allocator_frag_bytes:${active - allocated}`,
    `allocator_rss_ratio:${fixed(active > 0 ? rss / active : 0, 2)}`,
    `allocator_rss_bytes:${rss - active}`,
    'rss_overhead_ratio:1.00',
    'rss_overhead_bytes:0',
    `mem_fragmentation_ratio:${fixed(used > 0 ? rss / used : 0, 2)}`,
    `mem_fragmentation_bytes:${rss - used}`,
    'mem_not_counted_for_evict:0',
    'mem_replication_backlog:0',
    'mem_total_replication_buffers:0',
    'mem_clients_slaves:0',
    `mem_clients_normal:${memory.clientsNormal}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:libc',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
}

function persistenceSection(server: Server): string[] {
  return [
    'loading:0',
    'async_loading:0',
    'current_cow_peak:0',
    'current_cow_size:0',
    'current_cow_size_age:0',
    'current_fork_perc:0.00',
    'current_save_keys_processed:0',
    'current_save_keys_total:0',
    `rdb_changes_since_last_save:${server.keyspace.stats.dirty}`,
    'rdb_bgsave_in_progress:0',
    `rdb_last_save_time:${server.lastSaveTime}`,
    'rdb_last_bgsave_status:ok',
    'rdb_last_bgsave_time_sec:-1',
    'rdb_current_bgsave_time_sec:-1',
    'rdb_saves:0',
    'rdb_last_cow_size:0',
    'rdb_last_load_keys_expired:0',
    'rdb_last_load_keys_loaded:0',
    `aof_enabled:${server.config.getBool('appendonly') ? 1 : 0}`,
    'aof_rewrite_in_progress:0',
    'aof_rewrite_scheduled:0',
    'aof_last_rewrite_time_sec:-1',
    'aof_current_rewrite_time_sec:-1',
    'aof_last_bgrewrite_status:ok',
    'aof_rewrites:0',
    'aof_rewrites_consecutive_failures:0',
    'aof_last_write_status:ok',
    'aof_last_cow_size:0',
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
  ];
}

function statsSection(server: Server): string[] {
  const stats = server.stats;
  const keyspace = server.keyspace.stats;
  const exceeded = server.keyspace.evictor.exceededTime(performance.now());
  return [
    `total_connections_received:${stats.totalConnectionsReceived}`,
    `total_commands_processed:${stats.totalCommandsProcessed}`,
    `instantaneous_ops_per_sec:${stats.instantaneousOpsPerSec}`,
    `total_net_input_bytes:${stats.netInputBytes}`,
    `total_net_output_bytes:${stats.netOutputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `instantaneous_input_kbps:${fixed(stats.instantaneousInputKbps, 2)}`,
    `instantaneous_output_kbps:${fixed(stats.instantaneousOutputKbps, 2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${stats.rejectedConnections}`,
    'sync_full:0',
    'sync_partial_ok:0',
    'sync_partial_err:0',
    `expired_keys:${keyspace.expiredKeys}`,
    `expired_stale_perc:${fixed(keyspace.expiredStalePerc * 100, 2)}`,
    'expired_time_cap_reached_count:0',
    `expire_cycle_cpu_milliseconds:${Math.round(keyspace.expireCycleCpuMs)}`,
    `evicted_keys:${keyspace.evictedKeys}`,
    'evicted_clients:0',
    `total_eviction_exceeded_time:${Math.floor(exceeded.total)}`,
    `current_eviction_exceeded_time:${Math.floor(exceeded.current)}`,
    `keyspace_hits:${keyspace.keyspaceHits}`,
    `keyspace_misses:${keyspace.keyspaceMisses}`,
    'pubsub_channels:0',
    'pubsub_patterns:0',
    'pubsubshard_channels:0',
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    'tracking_total_keys:0',
    'tracking_total_items:0',
    'tracking_total_prefixes:0',
    `unexpected_error_replies:${stats.unexpectedErrorReplies}`,
    `total_error_replies:${stats.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    `total_reads_processed:${stats.totalReadsProcessed}`,
    `total_writes_processed:${stats.totalWritesProcessed}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
  ];
}

function replicationSection(server: Server): string[] {
  return [
    'role:master',
    'connected_slaves:0',
    'master_failover_state:no-failover',
    `master_replid:${server.replId}`,
    'master_replid2:0000000000000000000000000000000000000000',
    'master_repl_offset:0',
    'second_repl_offset:-1',
    'repl_backlog_active:0',
    `repl_backlog_size:${server.config.get('repl-backlog-size')}`,
    'repl_backlog_first_byte_offset:0',
    'repl_backlog_histlen:0',
  ];
}

function cpuSection(): string[] {
  // Node runs the commands on its main thread, so the process and main-thread figures agree.
  const usage = process.cpuUsage();
  const system = fixed(usage.system / 1e6, 6);
  const user = fixed(usage.user / 1e6, 6);
  return [
    `used_cpu_sys:${system}`,
    `used_cpu_user:${user}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${system}`,
    `used_cpu_user_main_thread:${user}`,
  ];
}

function commandstatsSection(server: Server): string[] {
  const lines: string[] = [];
  const add = (name: string, calls: number, usec: number, rejected: number, failed: number): void => {
    // Redis lists a command once it has been called, rejected or failed.
    if (calls === 0 && rejected === 0 && failed === 0) return;
    const total = Math.round(usec);
    const perCall = calls === 0 ? 0 : total / calls;
    lines.push(`cmdstat_${name}:calls=${calls},usec=${total},usec_per_call=${fixed(perCall, 2)},rejected_calls=${rejected},failed_calls=${failed}`);
  };
  for (const command of server.commands.all()) {
    if (command.subcommands === undefined) {
      add(command.fullName, command.calls, command.usec, command.rejectedCalls, command.failedCalls);
      continue;
    }
    for (const sub of command.subcommands.values()) add(sub.fullName, sub.calls, sub.usec, sub.rejectedCalls, sub.failedCalls);
  }
  return lines;
}

function errorstatsSection(server: Server): string[] {
  const lines: string[] = [];
  // Redis keeps the codes in a radix tree, so INFO lists them in byte order.
  const codes = [...server.stats.errorCodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [code, count] of codes) lines.push(`errorstat_${code}:count=${count}`);
  return lines;
}

function keyspaceSection(server: Server): string[] {
  const lines: string[] = [];
  for (const db of server.keyspace.databases) {
    if (db.size === 0) continue;
    lines.push(`db${db.id}:keys=${db.size},expires=${db.expiresCount},avg_ttl=${db.avgTtl}`);
  }
  return lines;
}

interface Section {
  name: string;
  title: string;
  build: SectionBuilder;
  /** In plain INFO (Redis' default set). */
  inDefault: boolean;
}

const SECTIONS: readonly Section[] = [
  { name: 'server', title: 'Server', build: serverSection, inDefault: true },
  { name: 'clients', title: 'Clients', build: clientsSection, inDefault: true },
  { name: 'memory', title: 'Memory', build: memorySection, inDefault: true },
  { name: 'persistence', title: 'Persistence', build: persistenceSection, inDefault: true },
  { name: 'stats', title: 'Stats', build: statsSection, inDefault: true },
  { name: 'replication', title: 'Replication', build: replicationSection, inDefault: true },
  { name: 'cpu', title: 'CPU', build: cpuSection, inDefault: true },
  { name: 'modules', title: 'Modules', build: () => [], inDefault: true },
  { name: 'commandstats', title: 'Commandstats', build: commandstatsSection, inDefault: false },
  { name: 'errorstats', title: 'Errorstats', build: errorstatsSection, inDefault: true },
  // No latency histograms are kept, so this section lists no commands.
  { name: 'latencystats', title: 'Latencystats', build: () => [], inDefault: false },
  { name: 'cluster', title: 'Cluster', build: (server) => [`cluster_enabled:${server.config.getBool('cluster-enabled') ? 1 : 0}`], inDefault: true },
  { name: 'keyspace', title: 'Keyspace', build: keyspaceSection, inDefault: true },
];

/**
 * The INFO text for the requested section names (any case; none means "default"): "default",
 * "all" and "everything" (the same here: no module adds sections) may be mixed with names.
 * Sections come out in Redis' fixed order, each headed "# Title", separated by a blank line,
 * every line ending in CRLF.
 */
export function buildInfo(server: Server, requested: readonly string[]): string {
  const wanted = new Set<string>();
  let all = false;
  const names = requested.length === 0 ? ['default'] : requested;
  for (const raw of names) {
    const name = raw.toLowerCase();
    if (name === 'all' || name === 'everything') {
      all = true;
    } else if (name === 'default') {
      for (const section of SECTIONS) if (section.inDefault) wanted.add(section.name);
    } else {
      wanted.add(name);
    }
  }
  let text = '';
  for (const section of SECTIONS) {
    if (!all && !wanted.has(section.name)) continue;
    if (text !== '') text += '\r\n';
    text += `# ${section.title}\r\n`;
    for (const line of section.build(server)) text += `${line}\r\n`;
  }
  return text;
}
