// Every configuration directive Redis 7.0.15 knows, as redis.conf, `--name value` flags,
// ELASTICACHE_* variables and CONFIG GET/SET see them. Types, ranges and defaults are Redis'
// (config.c's standardConfig table as a running 7.0.15 reports them), so values parse, fail and
// print the same way. Most have no effect here: they are kept so CONFIG GET answers like Redis and
// existing redis.conf files load.

export type DirectiveType =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  /** Redis' MEMORY_CONFIG numerics: a byte count with an optional unit; `percent` also takes N%. */
  | { kind: 'memory'; min?: number; max?: number; percent?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string' }
  /** Several words (bind, replicaof…), kept as given. */
  | { kind: 'words' }
  /** `save`: pairs of <seconds> <changes>. */
  | { kind: 'save' }
  /** client-output-buffer-limit: <class> <hard> <soft> <seconds> groups merged into all three classes. */
  | { kind: 'output-buffer-limit' }
  /** notify-keyspace-events: class characters, printed back in Redis' canonical order. */
  | { kind: 'keyspace-events' };

export interface Directive {
  name: string;
  type: DirectiveType;
  default: string;
  /** CONFIG SET refuses it ("can't set immutable config"); it is read at start only. */
  immutable?: boolean;
  /** CONFIG SET refuses it while enable-protected-configs is no (Redis' PROTECTED_CONFIG). */
  protected?: boolean;
  /** The older name Redis still accepts and lists (slave-*, *-ziplist-*, lua-time-limit). */
  alias?: string;
  /** Ours, not Redis': settable at start, invisible to CONFIG GET/SET. */
  internal?: boolean;
  /** A secret: CONFIG SET hides its value from SLOWLOG and MONITOR (Redis' SENSITIVE_CONFIG). */
  sensitive?: boolean;
}

const BOOL = { kind: 'bool' } as const;
const STRING = { kind: 'string' } as const;
const WORDS = { kind: 'words' } as const;
const MEMORY = { kind: 'memory' } as const;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;
/** LLONG_MAX as Redis prints it in range errors; values this large are never stored exactly. */
export const LONG_MAX = 9223372036854775807;
const int = (min: number, max: number): DirectiveType => ({ kind: 'int', min, max });
const oneOf = (...values: string[]): DirectiveType => ({ kind: 'enum', values });

export const EVICTION_POLICIES = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'noeviction',
] as const;

export const DIRECTIVES: readonly Directive[] = [
  { name: 'acl-pubsub-default', type: oneOf('allchannels', 'resetchannels'), default: 'resetchannels' },
  { name: 'aclfile', type: STRING, default: '', immutable: true },
  { name: 'acllog-max-len', type: int(0, LONG_MAX), default: '128' },
  { name: 'active-defrag-cycle-max', type: int(1, 99), default: '25' },
  { name: 'active-defrag-cycle-min', type: int(1, 99), default: '1' },
  { name: 'active-defrag-ignore-bytes', type: MEMORY, default: '104857600' },
  { name: 'active-defrag-max-scan-fields', type: int(1, LONG_MAX), default: '1000' },
  { name: 'active-defrag-threshold-lower', type: int(0, 1000), default: '10' },
  { name: 'active-defrag-threshold-upper', type: int(0, 1000), default: '100' },
  { name: 'active-expire-effort', type: int(1, 10), default: '1' },
  { name: 'activedefrag', type: BOOL, default: 'no' },
  { name: 'activerehashing', type: BOOL, default: 'yes' },
  { name: 'always-show-logo', type: BOOL, default: 'no', immutable: true },
  { name: 'aof-disable-auto-gc', type: BOOL, default: 'no' },
  { name: 'aof-load-truncated', type: BOOL, default: 'yes' },
  { name: 'aof-rewrite-incremental-fsync', type: BOOL, default: 'yes' },
  { name: 'aof-timestamp-enabled', type: BOOL, default: 'no' },
  { name: 'aof-use-rdb-preamble', type: BOOL, default: 'yes' },
  { name: 'aof_rewrite_cpulist', type: STRING, default: '', immutable: true },
  { name: 'appenddirname', type: STRING, default: 'appendonlydir', immutable: true },
  { name: 'appendfilename', type: STRING, default: 'appendonly.aof', immutable: true },
  { name: 'appendfsync', type: oneOf('everysec', 'always', 'no'), default: 'everysec' },
  { name: 'appendonly', type: BOOL, default: 'no' },
  { name: 'auto-aof-rewrite-min-size', type: MEMORY, default: '67108864' },
  { name: 'auto-aof-rewrite-percentage', type: int(0, INT_MAX), default: '100' },
  { name: 'bgsave_cpulist', type: STRING, default: '', immutable: true },
  { name: 'bind', type: WORDS, default: '127.0.0.1', immutable: true },
  { name: 'bind-source-addr', type: STRING, default: '' },
  { name: 'bio_cpulist', type: STRING, default: '', immutable: true },
  { name: 'busy-reply-threshold', type: int(0, LONG_MAX), default: '5000', alias: 'lua-time-limit' },
  { name: 'client-output-buffer-limit', type: { kind: 'output-buffer-limit' }, default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60' },
  { name: 'client-query-buffer-limit', type: { kind: 'memory', min: 1024 * 1024, max: LONG_MAX }, default: '1073741824' },
  { name: 'cluster-allow-pubsubshard-when-down', type: BOOL, default: 'yes' },
  { name: 'cluster-allow-reads-when-down', type: BOOL, default: 'no' },
  { name: 'cluster-allow-replica-migration', type: BOOL, default: 'yes' },
  { name: 'cluster-announce-bus-port', type: int(0, 65535), default: '0' },
  { name: 'cluster-announce-hostname', type: STRING, default: '' },
  { name: 'cluster-announce-ip', type: STRING, default: '' },
  { name: 'cluster-announce-port', type: int(0, 65535), default: '0' },
  { name: 'cluster-announce-tls-port', type: int(0, 65535), default: '0' },
  { name: 'cluster-config-file', type: STRING, default: 'nodes.conf', immutable: true },
  { name: 'cluster-enabled', type: BOOL, default: 'no', immutable: true },
  { name: 'cluster-link-sendbuf-limit', type: MEMORY, default: '0' },
  { name: 'cluster-migration-barrier', type: int(0, INT_MAX), default: '1' },
  { name: 'cluster-node-timeout', type: int(0, LONG_MAX), default: '15000' },
  { name: 'cluster-port', type: int(0, INT_MAX), default: '0', immutable: true },
  { name: 'cluster-preferred-endpoint-type', type: oneOf('ip', 'hostname', 'unknown-endpoint'), default: 'ip' },
  { name: 'cluster-replica-no-failover', type: BOOL, default: 'no', alias: 'cluster-slave-no-failover' },
  { name: 'cluster-replica-validity-factor', type: int(0, INT_MAX), default: '10', alias: 'cluster-slave-validity-factor' },
  { name: 'cluster-require-full-coverage', type: BOOL, default: 'yes' },
  { name: 'crash-log-enabled', type: BOOL, default: 'yes' },
  { name: 'crash-memcheck-enabled', type: BOOL, default: 'yes' },
  { name: 'daemonize', type: BOOL, default: 'no', immutable: true },
  { name: 'databases', type: int(0, INT_MAX), default: '16', immutable: true },
  { name: 'dbfilename', type: STRING, default: 'dump.rdb', protected: true },
  // Redis reports the working directory as an absolute path.
  { name: 'dir', type: STRING, default: process.cwd(), protected: true },
  { name: 'disable-thp', type: BOOL, default: 'yes', immutable: true },
  { name: 'dynamic-hz', type: BOOL, default: 'yes' },
  { name: 'enable-debug-command', type: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'enable-module-command', type: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'enable-protected-configs', type: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'hash-max-listpack-entries', type: int(0, LONG_MAX), default: '512', alias: 'hash-max-ziplist-entries' },
  { name: 'hash-max-listpack-value', type: MEMORY, default: '64', alias: 'hash-max-ziplist-value' },
  { name: 'hll-sparse-max-bytes', type: MEMORY, default: '3000' },
  { name: 'hz', type: int(0, INT_MAX), default: '10' },
  { name: 'ignore-warnings', type: STRING, default: '', immutable: true },
  { name: 'io-threads', type: int(0, INT_MAX), default: '1', immutable: true },
  { name: 'io-threads-do-reads', type: BOOL, default: 'no', immutable: true },
  { name: 'jemalloc-bg-thread', type: BOOL, default: 'yes' },
  { name: 'latency-monitor-threshold', type: int(0, LONG_MAX), default: '0' },
  { name: 'latency-tracking', type: BOOL, default: 'yes' },
  { name: 'latency-tracking-info-percentiles', type: STRING, default: '50 99 99.9' },
  { name: 'lazyfree-lazy-eviction', type: BOOL, default: 'no' },
  { name: 'lazyfree-lazy-expire', type: BOOL, default: 'no' },
  { name: 'lazyfree-lazy-server-del', type: BOOL, default: 'no' },
  { name: 'lazyfree-lazy-user-del', type: BOOL, default: 'no' },
  { name: 'lazyfree-lazy-user-flush', type: BOOL, default: 'no' },
  { name: 'lfu-decay-time', type: int(0, INT_MAX), default: '1' },
  { name: 'lfu-log-factor', type: int(0, INT_MAX), default: '10' },
  { name: 'list-compress-depth', type: int(0, INT_MAX), default: '0' },
  { name: 'list-max-listpack-size', type: int(INT_MIN, INT_MAX), default: '-2', alias: 'list-max-ziplist-size' },
  { name: 'logfile', type: STRING, default: '', immutable: true },
  { name: 'loglevel', type: oneOf('debug', 'verbose', 'notice', 'warning'), default: 'notice' },
  { name: 'masterauth', type: STRING, default: '', sensitive: true },
  { name: 'masteruser', type: STRING, default: '', sensitive: true },
  { name: 'maxclients', type: int(1, UINT_MAX), default: '10000' },
  { name: 'maxmemory', type: MEMORY, default: '0' },
  { name: 'maxmemory-clients', type: { kind: 'memory', percent: true }, default: '0' },
  { name: 'maxmemory-eviction-tenacity', type: int(0, 100), default: '10' },
  // ElastiCache's default parameter group evicts volatile keys by LRU; Redis' own default is noeviction.
  { name: 'maxmemory-policy', type: oneOf(...EVICTION_POLICIES), default: 'volatile-lru' },
  { name: 'maxmemory-samples', type: int(1, INT_MAX), default: '5' },
  { name: 'min-replicas-max-lag', type: int(0, INT_MAX), default: '10', alias: 'min-slaves-max-lag' },
  { name: 'min-replicas-to-write', type: int(0, INT_MAX), default: '0', alias: 'min-slaves-to-write' },
  { name: 'no-appendfsync-on-rewrite', type: BOOL, default: 'no' },
  { name: 'notify-keyspace-events', type: { kind: 'keyspace-events' }, default: '' },
  { name: 'oom-score-adj', type: oneOf('no', 'yes', 'relative', 'absolute'), default: 'no' },
  { name: 'oom-score-adj-values', type: WORDS, default: '0 200 800' },
  { name: 'pidfile', type: STRING, default: '', immutable: true },
  { name: 'port', type: int(0, 65535), default: '6379', immutable: true },
  { name: 'proc-title-template', type: STRING, default: '{title} {listen-addr} {server-mode}' },
  { name: 'propagation-error-behavior', type: oneOf('ignore', 'panic', 'panic-on-replicas'), default: 'ignore' },
  { name: 'protected-mode', type: BOOL, default: 'yes' },
  { name: 'proto-max-bulk-len', type: { kind: 'memory', min: 1024 * 1024, max: LONG_MAX }, default: '536870912' },
  { name: 'rdb-del-sync-files', type: BOOL, default: 'no' },
  { name: 'rdb-save-incremental-fsync', type: BOOL, default: 'yes' },
  { name: 'rdbchecksum', type: BOOL, default: 'yes', immutable: true },
  { name: 'rdbcompression', type: BOOL, default: 'yes' },
  { name: 'repl-backlog-size', type: MEMORY, default: '1048576' },
  { name: 'repl-backlog-ttl', type: int(0, LONG_MAX), default: '3600' },
  { name: 'repl-disable-tcp-nodelay', type: BOOL, default: 'no' },
  { name: 'repl-diskless-load', type: oneOf('disabled', 'on-empty-db', 'swapdb'), default: 'disabled' },
  { name: 'repl-diskless-sync', type: BOOL, default: 'yes' },
  { name: 'repl-diskless-sync-delay', type: int(0, INT_MAX), default: '5' },
  { name: 'repl-diskless-sync-max-replicas', type: int(0, INT_MAX), default: '0' },
  { name: 'repl-ping-replica-period', type: int(1, INT_MAX), default: '10', alias: 'repl-ping-slave-period' },
  { name: 'repl-timeout', type: int(1, INT_MAX), default: '60' },
  { name: 'replica-announce-ip', type: STRING, default: '', alias: 'slave-announce-ip' },
  { name: 'replica-announce-port', type: int(0, 65535), default: '0', alias: 'slave-announce-port' },
  { name: 'replica-announced', type: BOOL, default: 'yes' },
  { name: 'replica-ignore-disk-write-errors', type: BOOL, default: 'no' },
  { name: 'replica-ignore-maxmemory', type: BOOL, default: 'yes', alias: 'slave-ignore-maxmemory' },
  { name: 'replica-lazy-flush', type: BOOL, default: 'no', alias: 'slave-lazy-flush' },
  { name: 'replica-priority', type: int(0, INT_MAX), default: '100', alias: 'slave-priority' },
  { name: 'replica-read-only', type: BOOL, default: 'yes', alias: 'slave-read-only' },
  { name: 'replica-serve-stale-data', type: BOOL, default: 'yes', alias: 'slave-serve-stale-data' },
  { name: 'replicaof', type: WORDS, default: '', alias: 'slaveof' },
  { name: 'requirepass', type: STRING, default: '', sensitive: true },
  { name: 'sanitize-dump-payload', type: oneOf('no', 'yes', 'clients'), default: 'no' },
  { name: 'save', type: { kind: 'save' }, default: '3600 1 300 100 60 10000' },
  { name: 'server_cpulist', type: STRING, default: '', immutable: true },
  { name: 'set-max-intset-entries', type: int(0, LONG_MAX), default: '512' },
  { name: 'set-proc-title', type: BOOL, default: 'yes', immutable: true },
  { name: 'shutdown-on-sigint', type: STRING, default: 'default' },
  { name: 'shutdown-on-sigterm', type: STRING, default: 'default' },
  { name: 'shutdown-timeout', type: int(0, INT_MAX), default: '10' },
  { name: 'slowlog-log-slower-than', type: int(-1, LONG_MAX), default: '10000' },
  { name: 'slowlog-max-len', type: int(0, LONG_MAX), default: '128' },
  { name: 'socket-mark-id', type: int(0, INT_MAX), default: '0', immutable: true },
  { name: 'stop-writes-on-bgsave-error', type: BOOL, default: 'yes' },
  { name: 'stream-node-max-bytes', type: MEMORY, default: '4096' },
  { name: 'stream-node-max-entries', type: int(0, LONG_MAX), default: '100' },
  { name: 'supervised', type: BOOL, default: 'no', immutable: true },
  { name: 'syslog-enabled', type: BOOL, default: 'no', immutable: true },
  { name: 'syslog-facility', type: STRING, default: 'local0', immutable: true },
  { name: 'syslog-ident', type: STRING, default: 'redis', immutable: true },
  { name: 'tcp-backlog', type: int(0, INT_MAX), default: '511', immutable: true },
  { name: 'tcp-keepalive', type: int(0, INT_MAX), default: '300' },
  { name: 'timeout', type: int(0, INT_MAX), default: '0' },
  { name: 'tls-auth-clients', type: oneOf('no', 'yes', 'optional'), default: 'yes' },
  { name: 'tls-ca-cert-dir', type: STRING, default: '' },
  { name: 'tls-ca-cert-file', type: STRING, default: '' },
  { name: 'tls-cert-file', type: STRING, default: '' },
  { name: 'tls-ciphers', type: STRING, default: '' },
  { name: 'tls-ciphersuites', type: STRING, default: '' },
  { name: 'tls-client-cert-file', type: STRING, default: '' },
  { name: 'tls-client-key-file', type: STRING, default: '' },
  { name: 'tls-client-key-file-pass', type: STRING, default: '' },
  { name: 'tls-cluster', type: BOOL, default: 'no' },
  { name: 'tls-dh-params-file', type: STRING, default: '' },
  { name: 'tls-key-file', type: STRING, default: '' },
  { name: 'tls-key-file-pass', type: STRING, default: '' },
  { name: 'tls-port', type: int(0, 65535), default: '0' },
  { name: 'tls-prefer-server-ciphers', type: BOOL, default: 'no' },
  { name: 'tls-protocols', type: STRING, default: '' },
  { name: 'tls-replication', type: BOOL, default: 'no' },
  { name: 'tls-session-cache-size', type: int(0, INT_MAX), default: '20480' },
  { name: 'tls-session-cache-timeout', type: int(0, INT_MAX), default: '300' },
  { name: 'tls-session-caching', type: BOOL, default: 'yes' },
  { name: 'tracking-table-max-keys', type: int(0, LONG_MAX), default: '1000000' },
  { name: 'unixsocket', type: STRING, default: '', immutable: true },
  { name: 'unixsocketperm', type: STRING, default: '0', immutable: true },
  { name: 'zset-max-listpack-entries', type: int(0, LONG_MAX), default: '128', alias: 'zset-max-ziplist-entries' },
  { name: 'zset-max-listpack-value', type: MEMORY, default: '64', alias: 'zset-max-ziplist-value' },
  // Ours, not Redis': lets tests move the clock (DEBUG-like); read at start only, hidden from CONFIG.
  { name: 'enable-time-control', type: BOOL, default: 'no', immutable: true, internal: true },
  // Ours, not Redis': the memcached engine's listener (0 = off), its memory limit (memcached -m, 64 MB by
  // default, LRU eviction always on) and item size limit (memcached -I, 1 MB); read at start, hidden from CONFIG.
  { name: 'memcached-port', type: int(0, 65535), default: '11211', immutable: true, internal: true },
  { name: 'memcached-memory-limit', type: MEMORY, default: '67108864', immutable: true, internal: true },
  { name: 'memcached-max-item-size', type: { kind: 'memory', min: 1024, max: 1073741824 }, default: '1048576', immutable: true, internal: true },
  // Ours: how many memcached nodes (consecutive ports from memcached-port, each its own store), and
  // binary-protocol SASL PLAIN credentials "user:password" (empty: no SASL, as memcached without -S).
  { name: 'memcached-nodes', type: int(1, 64), default: '1', immutable: true, internal: true },
  { name: 'memcached-sasl', type: STRING, default: '', immutable: true, internal: true },
];
