import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Diagnostics } from './diagnostics.js';
import { randomBytes } from 'node:crypto';
import { Keyspace } from '../datastructures/keyspace.js';
import type { HashLimits } from '../datastructures/hash.js';
import type { ZsetLimits } from '../datastructures/sorted-set.js';
import { ExpiryCycle } from '../datastructures/expiry-cycle.js';
import type { EvictResult } from '../datastructures/eviction.js';
import { CommandTable } from '../commands/registry.js';
import { COMMAND_GROUPS } from '../commands/index.js';
import type { ParserLimits } from '../protocol/resp/request-parser.js';
import { BlockingRegistry } from './blocking.js';
import { Clock } from './clock.js';
import { collectIfWasteful, collectWhenIdle } from './heap-collector.js';
import { Config } from './config.js';
import { ServerStats } from './stats.js';
import { Session } from './session.js';
import { MemcachedCluster } from '../memcached/cluster.js';
import { parseSaslCredentials } from '../memcached/sasl.js';
import { ClientPause } from './client-pause.js';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
const LOG_LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const LOG_MARKS: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };

export const SERVER_VERSION = '7.0.15';

/** A Redis node: its listeners, sessions, keyspace, command table, clock and background cycle. */
export class Server {
  readonly clock = new Clock();
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable(COMMAND_GROUPS);
  readonly stats = new ServerStats();
  readonly sessions = new Map<number, Session>();
  /** Clients blocked on keys (BLPOP, BZPOPMIN…) and the keys ready to serve them. */
  readonly blocking = new BlockingRegistry(this);
  /** CLIENT PAUSE's state. */
  readonly clientPause = new ClientPause(this);
  /** The slow log, the latency monitor and the MONITOR feed. */
  readonly diagnostics: Diagnostics;
  readonly parserLimits: ParserLimits = { protoMaxBulkLen: 0, queryBufferLimit: 0 };
  readonly runId = randomBytes(20).toString('hex');
  /** Replication id, as INFO replication reports it for a master with no history. */
  readonly replId = randomBytes(20).toString('hex');
  readonly startedAt = Date.now();
  /**
   * The collection encoding limits (*-max-listpack-*, set-max-intset-entries), kept current by
   * CONFIG SET: collection writes read them on every call, where a config lookup costs ~190 ns.
   */
  readonly encodingLimits = {
    hash: { maxListpackEntries: 0, maxListpackValue: 0 } satisfies HashLimits,
    zset: { maxEntries: 0, maxValue: 0 } satisfies ZsetLimits,
    setMaxIntsetEntries: 0,
  };
  /** When the previous command finished (or the current batch began): commandstats time each command from it. */
  commandClock = 0;
  /** The port actually listened on (differs from the config when it was 0). */
  port = 0;
  /** Absolute path of the config file the node started from, for INFO and CONFIG REWRITE. */
  configFile: string | undefined = undefined;
  /** DEBUG SET-ACTIVE-EXPIRE turns the cron's expiry cycle off and on, as Redis' active_expire_enabled. */
  activeExpireEnabled = true;
  /** Unix seconds of the last successful save (the start, until persistence saves). */
  lastSaveTime = Math.floor(Date.now() / 1000);
  /** Highest used_memory seen, as Redis' stat_peak_memory (sampled by the cron and INFO). */
  usedMemoryPeak = 0;
  /** used_memory when the node was ready, before any data (Redis' used_memory_startup). */
  readonly usedMemoryStartup: number;
  private evictionScheduled = false;
  private readonly listeners: NetServer[] = [];
  /** The memcached node(s) on their own ports and keyspaces (memcached-port 0: none). */
  memcached: MemcachedCluster | undefined = undefined;
  private readonly expiryCycle: ExpiryCycle;
  private cronTimer: NodeJS.Timeout | undefined;
  private nextClientId = 1;
  private cronTicks = 0;
  /** total_commands_processed at the last once-a-second cron step. */
  private commandsAtLastSecond = 0;
  private shuttingDown = false;

  constructor(readonly config: Config) {
    // used_memory starts from what the process holds before any data (V8's heap and buffers with
    // the code loaded): Redis' used_memory_startup, measured once.
    const startup = process.memoryUsage();
    this.usedMemoryStartup = startup.heapUsed + startup.arrayBuffers;
    this.keyspace = new Keyspace(this.clock, config.getInt('databases'), this.usedMemoryStartup);
    this.expiryCycle = new ExpiryCycle(this.keyspace);
    this.diagnostics = new Diagnostics(config);
    config.watch('proto-max-bulk-len', (value) => (this.parserLimits.protoMaxBulkLen = Number(value)));
    config.watch('client-query-buffer-limit', (value) => (this.parserLimits.queryBufferLimit = Number(value)));
    config.watch('hz', () => this.scheduleCron());
    this.keyspace.events.collectionAdded = (db, key) => this.blocking.signalKeyAsReady(db, key);
    const limits = this.encodingLimits;
    config.watch('hash-max-listpack-entries', (value) => (limits.hash.maxListpackEntries = Number(value)));
    config.watch('hash-max-listpack-value', (value) => (limits.hash.maxListpackValue = Number(value)));
    config.watch('set-max-intset-entries', (value) => (limits.setMaxIntsetEntries = Number(value)));
    config.watch('zset-max-listpack-entries', (value) => (limits.zset.maxEntries = Number(value)));
    config.watch('zset-max-listpack-value', (value) => (limits.zset.maxValue = Number(value)));
    const access = this.keyspace.access;
    const evictor = this.keyspace.evictor;
    config.watch('maxmemory-policy', (policy) => {
      access.lfu = policy.endsWith('-lfu');
      evictor.setPolicy(policy);
    });
    config.watch('maxmemory-samples', (samples) => evictor.setSamples(Number(samples)));
    config.watch('maxmemory-eviction-tenacity', (tenacity) => evictor.setTenacity(Number(tenacity)));
    config.watch('maxmemory', (value) => this.applyMaxmemory(Number(value)));
    config.watch('lfu-log-factor', (factor) => (access.lfuLogFactor = Number(factor)));
    config.watch('lfu-decay-time', (minutes) => (access.lfuDecayTime = Number(minutes)));
  }

  async start(): Promise<void> {
    const addresses = this.config.get('bind').split(/\s+/).filter((address) => address !== '');
    const port = this.config.getInt('port');
    const backlog = this.config.getInt('tcp-backlog');
    for (const address of addresses) {
      const listener = createServer({ noDelay: true }, (socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen({ host: address.replace(/^-/, ''), port: this.port || port, backlog }, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const bound = listener.address();
      if (bound !== null && typeof bound === 'object') this.port = bound.port;
      this.listeners.push(listener);
    }
    this.log('notice', `Running mode=standalone, port=${this.port}.`);
    const memcachedPort = this.config.getInt('memcached-port');
    if (memcachedPort !== 0) {
      const cluster = new MemcachedCluster(this.clock, {
        port: memcachedPort,
        addresses: addresses.map((address) => address.replace(/^-/, '')),
        backlog,
        maxConnections: this.config.getInt('maxclients'),
        memoryLimit: this.config.getInt('memcached-memory-limit'),
        itemSizeMax: this.config.getInt('memcached-max-item-size'),
        sasl: parseSaslCredentials(this.config.get('memcached-sasl')),
      }, this.config.getInt('memcached-nodes'));
      try {
        await cluster.listen();
        this.memcached = cluster;
        this.log('notice', `Memcached engine listening, memcached-port=${cluster.first.port}, nodes=${cluster.nodes.length}.`);
      } catch (error) {
        // The Redis node stays up when the memcached port is taken (a real memcached often holds 11211).
        await cluster.close();
        this.log('warning', `Memcached engine not started: ${(error as Error).message}`);
      }
    }
    this.log('notice', 'Server initialized');
    this.log('notice', 'Ready to accept connections tcp');
  }

  private accept(socket: Socket): void {
    // Redis counts a connection as received only once it passes the maxclients check.
    if (this.sessions.size >= this.config.getInt('maxclients')) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    this.stats.totalConnectionsReceived++;
    const keepAlive = this.config.getInt('tcp-keepalive');
    if (keepAlive > 0) socket.setKeepAlive(true, keepAlive * 1000);
    const session = new Session(this, socket, this.nextClientId++);
    this.sessions.set(session.id, session);
  }

  /** A client left (closed or killed; may be called twice): a blocked one leaves its queues too. */
  removeSession(session: Session): void {
    this.sessions.delete(session.id);
    if (session.blocked !== null) this.blocking.remove(session);
  }

  private scheduleCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.max(1, Math.min(500, this.config.getInt('hz')));
    this.cronTimer = setInterval(() => this.cron(hz), 1000 / hz);
    this.cronTimer.unref();
  }

  /** Redis' serverCron: active expiry, the ops/sec sample, idle client timeouts. */
  private cron(hz: number): void {
    this.clock.refresh();
    const effort = this.config.getInt('active-expire-effort');
    // Redis gives the slow expiry cycle 25% of each tick, a little more per unit of effort.
    const budgetMs = ((1000 / hz) * (25 + 2 * (effort - 1))) / 100;
    // While writes are paused Redis expires nothing, so replicas and the paused clients see no change.
    if (this.activeExpireEnabled && !this.clientPause.pausesWrites) this.expiryCycle.run(budgetMs);
    // Rates are measured on the real clock: a frozen or advanced test clock must not skew ops/sec.
    this.stats.sampleOps(performance.now());
    const used = this.sampleMemory();
    if (this.keyspace.meter.limit !== Infinity) collectIfWasteful(used);
    if (++this.cronTicks % hz === 0) {
      this.closeIdleClients();
      const commands = this.stats.totalCommandsProcessed;
      collectWhenIdle(used, commands - this.commandsAtLastSecond);
      this.commandsAtLastSecond = commands;
    }
  }

  /** used_memory now (the keyspace's meter), updating the peak as Redis does per cron. */
  sampleMemory(): number {
    const used = this.keyspace.meter.used;
    if (used > this.usedMemoryPeak) this.usedMemoryPeak = used;
    return used;
  }

  /** maxmemory set (at start or by CONFIG SET): a limit under the current use evicts at once, as Redis' updateMaxmemory. */
  private applyMaxmemory(maxmemory: number): void {
    const meter = this.keyspace.meter;
    meter.limit = maxmemory === 0 ? Infinity : maxmemory;
    if (meter.used <= meter.limit) return;
    this.log('warning', `WARNING: the new maxmemory value set via CONFIG SET (${maxmemory}) is smaller than the current memory usage (${meter.used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`);
    this.evict();
  }

  /**
   * Redis' performEvictions before a command (dispatch calls it only when over the limit): a
   * pass that ran out of time goes on in the next turn of the event loop, as Redis' evictionTimeProc.
   */
  evict(): EvictResult {
    const result = this.keyspace.evictor.perform();
    if (this.keyspace.evictor.pending && !this.evictionScheduled) {
      this.evictionScheduled = true;
      setImmediate(this.continueEviction);
    }
    return result;
  }

  private readonly continueEviction = (): void => {
    this.evictionScheduled = false;
    this.clock.refresh();
    this.evict();
  };

  private closeIdleClients(): void {
    const timeout = this.config.getInt('timeout');
    if (timeout <= 0) return;
    const limit = this.clock.now - timeout * 1000;
    // As Redis' clientsCronHandleTimeout, a client waiting in a blocking command is not idle.
    for (const session of this.sessions.values()) {
      if (session.lastInteraction < limit && !session.isBlocked) session.kill();
    }
  }

  /** Stops listening, drops every client and ends the process's hold on the event loop. */
  async shutdown(reason: string): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log('warning', reason);
    if (this.cronTimer) clearInterval(this.cronTimer);
    for (const session of this.sessions.values()) session.kill();
    await this.memcached?.close();
    await Promise.all(this.listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
    this.log('warning', 'Redis is now ready to exit, bye bye...');
  }

  /** SHUTDOWN and SIGTERM: close everything, then end the process with status 0 as Redis does. */
  shutdownAndExit(reason: string): void {
    void this.shutdown(reason).then(() => process.exit(0));
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  log(level: LogLevel, message: string): void {
    const configured = this.config.get('loglevel') as LogLevel;
    if (LOG_LEVELS[level] < LOG_LEVELS[configured]) return;
    const stamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
    process.stdout.write(`${process.pid}:M ${stamp} ${LOG_MARKS[level]} ${message}\n`);
  }
}
