import type { Socket } from 'node:net';
import type { Database } from '../datastructures/database.js';
import { RequestParser } from '../protocol/resp/request-parser.js';
import { ReplyWriter } from '../protocol/resp/reply-writer.js';
import type { BlockedClient } from './blocking.js';
import type { ClientPause } from './client-pause.js';
import type { Server } from './server.js';
import { executeCommand } from './dispatch.js';
import { Transport } from './transport.js';

/** Replies past this size are written out mid-batch, so a congested client is noticed early. */
const OUTPUT_BATCH_LIMIT = 64 * 1024;

/** CLIENT REPLY: on, off, or skipping the reply of the next command (skip-next, then skip). */
export type ReplyMode = 'on' | 'off' | 'skip' | 'skip-next';

/** Redis' client types, as CLIENT LIST TYPE and CLIENT KILL TYPE filter them. */
export type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';

/** libuv's socket handle carries the file descriptor; Node does not type it. */
interface SocketWithHandle {
  _handle?: { fd?: unknown } | null;
}

/** Redis' peer id: ip:port, with IPv6 addresses in brackets (anetFormatAddr). */
function formatAddress(ip: string | undefined, port: number | undefined): string {
  const host = ip ?? '?';
  return host.includes(':') ? `[${host}]:${port ?? 0}` : `${host}:${port ?? 0}`;
}

/**
 * One client connection: its parser, its reply batch and its state (db, protocol, auth, name…).
 * Reads a chunk, runs every complete command in it, then writes all replies in one go.
 */
export class Session {
  readonly id: number;
  readonly parser: RequestParser;
  readonly writer = new ReplyWriter();
  readonly createdAt: number;
  db: Database;
  name = '';
  libName = '';
  libVersion = '';
  /** Set by AUTH / HELLO AUTH, or at connect and RESET when the default user had no password. */
  private authenticatedAsUser: boolean;
  /** The ACL user; only Redis' `default` user exists here. */
  userName = 'default';
  replyMode: ReplyMode = 'on';
  /** Pub/sub subscription counts (CLIENT LIST sub/psub/ssub; nonzero puts the client in pub/sub mode). */
  channelCount = 0;
  patternCount = 0;
  shardChannelCount = 0;
  /** The name of the last command run, for CLIENT LIST cmd=. */
  lastCommand = 'NULL';
  lastInteraction: number;
  /** Set by QUIT and CLIENT KILL: stop reading, flush what is there, then close. */
  closing = false;
  readonly address: string;
  readonly localAddress: string;
  /** The socket's file descriptor (CLIENT LIST fd=), -1 when the platform does not expose it. */
  readonly fd: number;
  /** The wait of a blocking command (BLPOP…) in progress; its pipelined commands wait meanwhile. */
  blocked: BlockedClient | null = null;
  /**
   * Redis' CLIENT_DENY_BLOCKING: inside MULTI/EXEC (and scripts) a blocking command with no data
   * answers at once as if it had timed out.
   */
  denyBlocking = false;
  /** Redis' CLIENT_MONITOR: MONITOR feeds this client every command; RESET ends it. */
  monitoring = false;
  /**
   * The command CLIENT PAUSE holds (Redis' BLOCKED_POSTPONE): it runs when the pause ends, and
   * what the client pipelined after it waits in the parser meanwhile.
   */
  postponedArgv: string[] | null = null;
  /** CLIENT NO-EVICT: exempt from client eviction (flag e in CLIENT LIST); Redis 7.0's RESET keeps it. */
  noEvict = false;
  /** The node's CLIENT PAUSE state. */
  readonly pause: ClientPause;
  private readonly transport: Transport;

  constructor(readonly server: Server, private readonly socket: Socket, id: number) {
    this.id = id;
    // A connection is an event of its own: its age counts from now, not from the last batch.
    server.clock.refresh();
    this.createdAt = server.clock.now;
    this.lastInteraction = this.createdAt;
    this.db = server.keyspace.databases[0]!;
    this.authenticatedAsUser = server.config.get('requirepass') === '';
    this.parser = new RequestParser(server.parserLimits);
    this.parser.authenticated = this.authenticatedAsUser;
    this.pause = server.clientPause;
    this.address = formatAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    const fd = (socket as unknown as SocketWithHandle)._handle?.fd;
    this.fd = typeof fd === 'number' ? fd : -1;
    socket.setNoDelay(true);
    this.transport = new Transport(socket, this);
    socket.on('error', () => this.socket.destroy());
    socket.on('close', () => server.removeSession(this));
  }

  get protocol(): 2 | 3 {
    return this.writer.protocol;
  }

  set protocol(version: 2 | 3) {
    this.writer.protocol = version;
  }

  get dbIndex(): number {
    return this.db.id;
  }

  get outputBytesPending(): number {
    return this.transport.outputBacklog + this.writer.pendingBytes;
  }

  get inputBytesPending(): number {
    return this.parser.pendingBytes;
  }

  /** Bytes handed to the socket that the kernel has not taken yet (CLIENT LIST omem). */
  get socketBytesPending(): number {
    return this.transport.outputBacklog;
  }

  /** Replies encoded in this batch, not yet handed to the socket (CLIENT LIST obl). */
  get batchBytesPending(): number {
    return this.writer.pendingBytes;
  }

  /**
   * The reply buffer's allocated size (CLIENT LIST rbs). ReplyWriter keeps it private; the element
   * access reads it without widening the writer's API for one diagnostic field.
   */
  get replyBufferSize(): number {
    return this.writer['out'].length;
  }

  get inPubSubMode(): boolean {
    return this.channelCount + this.patternCount + this.shardChannelCount > 0;
  }

  /** Redis' getClientType; replication and MONITOR arrive with their own issues. */
  get clientType(): ClientType {
    return this.inPubSubMode ? 'pubsub' : 'normal';
  }

  /** Waiting on something other than the network: a blocking command or a client pause. */
  get isBlocked(): boolean {
    return this.blocked !== null || this.postponedArgv !== null;
  }

  /** Transport callback: `chunk` is only valid during this call, so the parser keeps a copy of any leftover. */
  onData(chunk: Buffer): void {
    const server = this.server;
    server.stats.netInputBytes += chunk.length;
    server.stats.totalReadsProcessed++;
    server.clock.refresh();
    this.lastInteraction = server.clock.now;
    this.parser.feed(chunk);
    this.processInput();
    this.parser.retainLeftover();
    this.flush();
  }

  /**
   * Runs the complete commands the parser holds. Stops early while the network is not taking this
   * client's replies: a pipeline of big GETs then waits in the query buffer instead of as replies
   * in memory, and resumes on drain. A blocked client's commands wait in the parser, as in
   * Redis' query buffer, until its blocking command is answered or a client pause ends.
   */
  processInput(): void {
    const parser = this.parser;
    this.server.commandClock = performance.now();
    while (!this.closing && !this.transport.pausedForOutput && this.blocked === null && this.postponedArgv === null) {
      const argv = parser.next();
      if (argv === null) {
        if (parser.error !== undefined) this.protocolFailure();
        return;
      }
      if (this.pause.active && this.postponeIfPaused(argv)) return;
      executeCommand(this, argv);
      if (this.writer.pendingBytes > OUTPUT_BATCH_LIMIT) this.flush();
    }
  }

  /** Writes the batch; stops reading a client whose replies the network is not taking. */
  flush(): void {
    const before = this.writer.bytesWritten;
    this.writer.flush(this.transport);
    const written = this.writer.bytesWritten - before;
    if (written > 0) {
      this.server.stats.netOutputBytes += written;
      this.server.stats.totalWritesProcessed++;
    }
    if (this.closing) {
      this.transport.end();
      return;
    }
    this.transport.pauseWhileCongested();
  }

  /** Transport callback: the output backlog drained, so reading this client again is safe. */
  onDrain(): void {
    if (!this.transport.pausedForOutput) return;
    this.transport.resumeReading();
    this.server.clock.refresh();
    this.processInput();
    this.parser.retainLeftover();
    this.flush();
  }

  /** The blocking command was answered: write its reply and run what was pipelined behind it. */
  resumeAfterUnblock(): void {
    if (this.closing) return;
    if (!this.transport.pausedForOutput) {
      this.processInput();
      this.parser.retainLeftover();
    }
    this.flush();
  }

  /** Transport callback: the peer closed its side; Redis counts that read too (total_reads_processed). */
  onEndOfInput(): void {
    this.server.stats.totalReadsProcessed++;
  }

  /**
   * Holds `argv` if the client pause applies to it. The command is looked up as dispatch does, and
   * cmd= in CLIENT LIST shows it while it waits, as Redis sets lastcmd before its pause check.
   */
  private postponeIfPaused(argv: string[]): boolean {
    let command = this.server.commands.lookup(argv[0]!);
    if (command !== undefined && command.subcommands !== undefined && argv.length >= 2) {
      command = command.subcommands.get(argv[1]!.toLowerCase());
    }
    if (command === undefined || !this.pause.holds(this, command, argv.length)) return false;
    this.lastCommand = command.fullName;
    this.postponedArgv = argv;
    this.pause.postpone(this);
    return true;
  }

  /** The pause ended: run the held command, then what was pipelined behind it. */
  resumeAfterPause(): void {
    const argv = this.postponedArgv;
    this.postponedArgv = null;
    if (argv === null || this.closing || this.server.sessions.get(this.id) !== this) return;
    this.server.commandClock = performance.now();
    if (this.pause.active && this.postponeIfPaused(argv)) return;
    executeCommand(this, argv);
    if (!this.transport.pausedForOutput) {
      this.processInput();
      this.parser.retainLeftover();
    }
    this.flush();
  }

  private protocolFailure(): void {
    if (this.parser.overflow) {
      // Redis closes such a client without a reply (and logs it).
      this.server.log('warning', `Closing client that reached max query buffer length: id=${this.id} addr=${this.address}`);
      this.writer.discard();
      this.socket.destroy();
      this.closing = true;
      return;
    }
    this.server.stats.countError(`ERR ${this.parser.error}`);
    this.writer.error(`ERR ${this.parser.error}`);
    this.closing = true;
  }

  /** Closes after the replies already queued are written (QUIT, CLIENT KILL of oneself). */
  closeAfterReply(): void {
    this.closing = true;
  }

  /**
   * Closes now (CLIENT KILL by another client, timeout, shutdown). Like Redis' freeClient the client
   * leaves the client list at once, so a CLIENT LIST later in the same pipeline no longer shows it.
   */
  kill(): void {
    this.closing = true;
    this.writer.discard();
    this.socket.destroy();
    this.server.removeSession(this);
  }

  /**
   * Redis' authRequired() inverted: a client that never authenticated may still run commands once
   * CONFIG SET requirepass "" gives the default user no password. Authenticated clients (the hot
   * path) never look at the config.
   */
  get authenticated(): boolean {
    return this.authenticatedAsUser || this.server.config.get('requirepass') === '';
  }

  authenticate(): void {
    this.authenticatedAsUser = true;
    this.parser.authenticated = true;
  }

  /**
   * RESET: back to a freshly connected client (Redis' clearClientConnectionState): db 0, RESP2, no
   * name, the default user (unauthenticated when it has a password), replies on. A reply mode of
   * `skip` is the skip of this very command, which Redis leaves in place.
   */
  resetConnectionState(): void {
    this.db = this.server.keyspace.databases[0]!;
    this.protocol = 2;
    this.name = '';
    this.userName = 'default';
    const authenticated = this.server.config.get('requirepass') === '';
    this.authenticatedAsUser = authenticated;
    this.parser.authenticated = authenticated;
    if (this.replyMode !== 'skip') this.replyMode = 'on';
    this.monitoring = false;
  }
}
