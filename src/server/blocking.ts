import type { Database } from '../datastructures/database.js';
import type { ValueKind } from '../datastructures/values.js';
import { CommandError, ERR_UNBLOCKED } from '../protocol/errors.js';
import { ErrorReply, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import type { Command } from '../commands/registry.js';
import type { Server } from './server.js';
import type { Session } from './session.js';

// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN…), after Redis 7.0's blocked.c:
// - a blocked client waits in a FIFO per (db, key); its pipelined commands wait in its query buffer;
// - a write that gives data to a key somebody waits on only records the key as ready (cheap);
// - after the command that did it (or its MULTI/EXEC) finishes, dispatch serves the ready keys,
//   first blocked first served, re-running each waiter's serve step against the key; a BLMOVE
//   pushing into another key makes that key ready in turn, served in the same pass;
// - one timer, set for the earliest deadline of all, ends the waits that time out with a null.
// Redis 7.0 serves a key only to clients waiting for its type: a BLPOP waiter stays blocked when the
// key becomes a string or a sorted set, until a list appears under it again.

/** The part of a blocking command that serves a waiting client once one of its keys has data. */
export interface BlockingServe {
  /** The type of value that wakes the client (a list for BLPOP, a sorted set for BZPOPMIN). */
  readonly kind: Extract<ValueKind, 'list' | 'zset'>;
  /**
   * Pops for `session` from `key`, which holds a non-empty value of `kind`, and returns the reply
   * (or throws a CommandError, e.g. BLMOVE's WRONGTYPE destination).
   */
  serve(session: Session, argv: readonly string[], key: string): Reply;
}

/** One blocked client: what it waits for and how its wait ends. */
export class BlockedClient {
  /** False once unblocked: the timeout heap drops such entries lazily. */
  active = true;

  constructor(
    readonly session: Session,
    readonly command: Command,
    readonly handler: BlockingServe,
    readonly argv: readonly string[],
    readonly keys: readonly string[],
    readonly dbId: number,
    /** Absolute ms on the server clock; 0 waits forever. */
    readonly deadline: number,
    /** The reply mode said "reply" when the command ran (CLIENT REPLY OFF/SKIP silence it). */
    readonly replies: boolean,
  ) {}
}

/** setTimeout's longest delay; a later deadline is re-armed when this one fires. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

export class BlockingRegistry {
  /** Dispatch's one check after each command: keys became ready and wait to be served. */
  readyPending = false;
  /** Blocked clients (INFO blocked_clients). */
  blockedCount = 0;
  /** Blocked clients with a deadline (INFO clients_in_timeout_table). */
  timedCount = 0;
  /** Per db index: key → its waiters in blocking order (a Set keeps insertion order, O(1) removal). */
  private readonly waiting: (Map<string, Set<BlockedClient>> | undefined)[] = [];
  /** Ready keys in signalling order, and per db the same keys to signal each only once. */
  private readyKeys: { db: Database; key: string }[] = [];
  private readonly readyByDb: (Set<string> | undefined)[] = [];
  private serving = false;
  /** Min-heap of waiters by deadline; unblocked ones stay until they surface or a compaction. */
  private heap: BlockedClient[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline = 0;
  /** Unblocked sessions whose pipelined commands run on the next turn (Redis' unblocked_clients). */
  private resumeQueue: Session[] = [];
  private resumeScheduled = false;
  private readonly runResumes = (): void => this.resumeUnblocked();
  private readonly onTimer = (): void => this.expireWaits();

  constructor(private readonly server: Server) {}

  /**
   * Blocks `session` on `keys` (duplicates wait once, as Redis' bpop.keys dict) until one of them
   * receives a value of `handler.kind`, the deadline passes, CLIENT UNBLOCK or disconnection.
   */
  block(session: Session, command: Command, handler: BlockingServe, argv: readonly string[], keys: readonly string[], deadline: number): void {
    const dbId = session.db.id;
    const unique = keys.length === 1 ? keys : [...new Set(keys)];
    const client = new BlockedClient(session, command, handler, argv, unique, dbId, deadline, session.replyMode === 'on');
    let waiting = this.waiting[dbId];
    if (waiting === undefined) {
      waiting = new Map();
      this.waiting[dbId] = waiting;
    }
    for (const key of unique) {
      let queue = waiting.get(key);
      if (queue === undefined) {
        queue = new Set();
        waiting.set(key, queue);
      }
      queue.add(client);
    }
    session.blocked = client;
    this.blockedCount++;
    if (deadline > 0) {
      this.timedCount++;
      this.pushDeadline(client);
    }
  }

  /**
   * Redis' signalKeyAsReady: `key` in `db` may now hold data for its waiters. The keyspace calls it
   * for every collection added, so it returns at once when nobody waits on it.
   */
  signalKeyAsReady(db: Database, key: string): void {
    if (this.blockedCount === 0) return;
    const waiting = this.waiting[db.id];
    if (waiting === undefined || !waiting.has(key)) return;
    let ready = this.readyByDb[db.id];
    if (ready === undefined) {
      ready = new Set();
      this.readyByDb[db.id] = ready;
    }
    if (ready.has(key)) return;
    ready.add(key);
    this.readyKeys.push({ db, key });
    this.readyPending = true;
  }

  /**
   * Dispatch calls this after every command while somebody is blocked: serves the keys that the
   * command made ready (the keyspace reports each collection added under a key, however it got
   * there: a push, RENAME, MOVE, COPY, a STORE, SWAPDB).
   */
  afterCommand(session: Session): void {
    if (this.readyPending && !session.denyBlocking) this.serveReadyKeys();
  }

  /**
   * Redis' handleClientsBlockedOnKeys, run by dispatch after a command that made keys ready:
   * serves each ready key's waiters in blocking order. Keys made ready meanwhile (BLMOVE's push)
   * are served in the same call.
   */
  serveReadyKeys(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.readyKeys.length > 0) {
        const batch = this.readyKeys;
        this.readyKeys = [];
        for (const { db, key } of batch) {
          this.readyByDb[db.id]!.delete(key);
          this.serveKey(db, key);
        }
      }
    } finally {
      this.readyPending = false;
      this.serving = false;
    }
  }

  private clearReady(): void {
    for (const { db, key } of this.readyKeys) this.readyByDb[db.id]!.delete(key);
    this.readyKeys = [];
    this.readyPending = false;
  }

  private serveKey(db: Database, key: string): void {
    const queue = this.waiting[db.id]?.get(key);
    if (queue === undefined) return;
    const slot = db.find(key);
    if (slot < 0) return;
    const value = db.valueAt(slot);
    if (typeof value === 'string') return;
    const kind = value.kind;
    // Deleting from a Set while iterating it is safe and the iteration goes on in order.
    for (const client of queue) {
      if (client.handler.kind !== kind) continue;
      const started = performance.now();
      let reply: Reply;
      try {
        reply = client.handler.serve(client.session, client.argv, key);
      } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        reply = error;
      }
      const servedMicros = (performance.now() - started) * 1000;
      client.command.usec += servedMicros;
      // Redis logs a blocked command in SLOWLOG and LATENCY when it is served, not when it blocked.
      this.server.diagnostics.recordUnblocked(client.session, client.command, client.argv, Math.floor(servedMicros));
      if (reply instanceof ErrorReply) {
        client.command.failedCalls++;
        this.server.stats.countError(reply.text);
      }
      this.unblock(client, reply);
      // The value emptied and left the keyspace: nobody else can be served from it.
      if (value.size === 0) break;
    }
  }

  /**
   * CLIENT UNBLOCK: ends a wait as a timeout (the null reply) or with the UNBLOCKED error.
   * Redis 7.0.15 counts a failed call of the unblocked command either way.
   */
  unblockById(id: number, withError: boolean): boolean {
    const session = this.server.sessions.get(id);
    const client = session?.blocked;
    if (client === null || client === undefined) return false;
    client.command.failedCalls++;
    if (withError) {
      this.server.stats.countError(ERR_UNBLOCKED);
      this.unblock(client, new ErrorReply(ERR_UNBLOCKED));
    } else {
      this.unblock(client, NULL_ARRAY);
    }
    return true;
  }

  /** A blocked session disconnected: it leaves every queue without a reply. */
  remove(session: Session): void {
    const client = session.blocked;
    if (client !== null) this.release(client);
  }

  /** Takes a client out of every queue it waits in; its heap entry goes lazily. */
  private release(client: BlockedClient): void {
    client.active = false;
    const waiting = this.waiting[client.dbId]!;
    for (const key of client.keys) {
      const queue = waiting.get(key)!;
      queue.delete(client);
      if (queue.size === 0) waiting.delete(key);
    }
    client.session.blocked = null;
    this.blockedCount--;
    if (client.deadline > 0) this.timedCount--;
    // Dispatch stops looking once nobody is blocked: forget keys signalled for nobody.
    if (this.blockedCount === 0 && this.readyPending && !this.serving) this.clearReady();
    // Lazily deleted heap entries are dropped when they outnumber the live ones.
    if (this.heap.length > 64 && this.heap.length > 2 * this.timedCount) this.compactHeap();
  }

  /** Ends a wait with `reply`; the session's pipelined commands run on the next turn. */
  private unblock(client: BlockedClient, reply: Reply): void {
    this.release(client);
    const session = client.session;
    if (client.replies) session.writer.write(reply);
    this.resumeQueue.push(session);
    if (!this.resumeScheduled) {
      this.resumeScheduled = true;
      setImmediate(this.runResumes);
    }
  }

  /**
   * Redis' processUnblockedClients (beforeSleep): writes the unblocked clients' replies and runs
   * the commands they pipelined behind the blocking one. After the current turn, so the client that
   * woke them has its own reply written first, as Redis writes clients in the order they got replies.
   */
  private resumeUnblocked(): void {
    this.resumeScheduled = false;
    const queue = this.resumeQueue;
    this.resumeQueue = [];
    this.server.clock.refresh();
    for (const session of queue) session.resumeAfterUnblock();
  }

  private pushDeadline(client: BlockedClient): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(client);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.deadline <= client.deadline) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = client;
    if (this.timer === undefined || client.deadline < this.timerDeadline) this.armTimer(client.deadline);
  }

  private popDeadline(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    const length = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && heap[right]!.deadline < heap[left]!.deadline ? right : left;
      if (heap[child]!.deadline >= last.deadline) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }

  private compactHeap(): void {
    const live = this.heap.filter((client) => client.active);
    live.sort((a, b) => a.deadline - b.deadline);
    this.heap = live;
  }

  private armTimer(deadline: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDeadline = deadline;
    // On the node's clock, so a frozen clock (tests) re-arms at the same distance instead of spinning.
    const delay = Math.min(MAX_TIMER_DELAY, Math.max(0, deadline - this.server.clock.now));
    this.timer = setTimeout(this.onTimer, delay);
    this.timer.unref();
  }

  /** The timer fired: every wait past its deadline ends with the null reply. */
  private expireWaits(): void {
    this.timer = undefined;
    this.server.clock.refresh();
    const now = this.server.clock.now;
    const heap = this.heap;
    while (heap.length > 0) {
      const first = heap[0]!;
      if (first.active && first.deadline > now) break;
      this.popDeadline();
      if (first.active) this.unblock(first, NULL_ARRAY);
    }
    while (heap.length > 0 && !heap[0]!.active) this.popDeadline();
    if (heap.length > 0) this.armTimer(heap[0]!.deadline);
  }
}
