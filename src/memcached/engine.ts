import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Clock } from '../server/clock.js';
import { MemcachedStore, StoreStats, type StoreLimits } from './store.js';
import { MemcachedSession } from './session.js';
import type { SaslCredentials } from './sasl.js';
import type { MemcachedCluster } from './cluster.js';
import { FlushQueue } from '../server/flush-queue.js';

/** The memcached version the engine reports (`version`, `stats`): the one its behaviour follows. */
export const MEMCACHED_VERSION = '1.6.18';
/**
 * How often the engine reads the time. memcached's clock ticks once a second (clock_handler); a
 * read per request costs as much as a small command's parsing, so the time is read on a timer.
 */
const CLOCK_TICK_MS = 100;

export interface MemcachedOptions extends StoreLimits {
  port: number;
  addresses: string[];
  backlog: number;
  maxConnections: number;
  /** Binary-protocol SASL PLAIN credentials; with them the node speaks only the binary protocol. */
  sasl: SaslCredentials | undefined;
}

/**
 * A memcached node inside this process: its listeners, its sessions and its own store (a
 * Memcached cluster is a separate keyspace from the Redis one, as on ElastiCache). Time is the
 * Redis node's Clock, so tests that move it move both engines.
 */
export class MemcachedEngine {
  readonly store: MemcachedStore;
  readonly sessions = new Map<number, MemcachedSession>();
  readonly version = MEMCACHED_VERSION;
  readonly startedAt: number;
  readonly addresses: string[];
  readonly maxConnections: number;
  readonly sasl: SaslCredentials | undefined;
  /** The cluster this node belongs to, for Auto Discovery (`config get cluster`). */
  cluster: MemcachedCluster | undefined = undefined;
  /** The port actually listened on (differs from the option when it was 0). */
  port = 0;
  verbosity = 0;
  totalConnections = 0;
  rejectedConnections = 0;
  bytesRead = 0;
  bytesWritten = 0;
  authCommands = 0;
  authErrors = 0;
  private readonly listeners: NetServer[] = [];
  private nextId = 1;
  private clockTick: NodeJS.Timeout | undefined = undefined;
  /** Sessions whose replies are written at the end of this event-loop turn. */
  readonly flushQueue = new FlushQueue();

  constructor(
    readonly clock: Clock,
    private readonly options: MemcachedOptions,
  ) {
    this.store = new MemcachedStore(clock, { memoryLimit: options.memoryLimit, itemSizeMax: options.itemSizeMax });
    this.startedAt = clock.now;
    this.addresses = options.addresses;
    this.maxConnections = options.maxConnections;
    this.sasl = options.sasl;
  }

  async listen(): Promise<void> {
    const clock = this.clock;
    this.clockTick = setInterval(() => clock.refresh(), CLOCK_TICK_MS);
    this.clockTick.unref();
    for (const address of this.options.addresses) {
      const listener = createServer({ noDelay: true }, (socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen({ host: address.replace(/^-/, ''), port: this.port || this.options.port, backlog: this.options.backlog }, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const bound = listener.address();
      if (bound !== null && typeof bound === 'object') this.port = bound.port;
      this.listeners.push(listener);
    }
  }

  private accept(socket: Socket): void {
    if (this.sessions.size >= this.maxConnections) {
      // memcached answers a connection over the limit with this line and closes it.
      this.rejectedConnections++;
      socket.end('ERROR Too many open connections\r\n');
      return;
    }
    this.totalConnections++;
    const session = new MemcachedSession(this, socket, this.nextId++);
    this.sessions.set(session.id, session);
  }

  removeSession(session: MemcachedSession): void {
    this.sessions.delete(session.id);
  }

  /** stats reset: the counters start again; the items and their bytes stay. */
  resetStats(): void {
    Object.assign(this.store.stats, new StoreStats());
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.bytesRead = 0;
    this.bytesWritten = 0;
    this.authCommands = 0;
    this.authErrors = 0;
  }

  async close(): Promise<void> {
    clearInterval(this.clockTick);
    for (const session of this.sessions.values()) session.kill();
    await Promise.all(this.listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
  }
}
