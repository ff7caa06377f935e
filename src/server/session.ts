import type { Socket } from 'node:net';
import type { Database } from '../datastructures/database.js';
import { RequestParser } from '../protocol/resp/request-parser.js';
import { ReplyWriter } from '../protocol/resp/reply-writer.js';
import type { Server } from './server.js';
import { executeCommand } from './dispatch.js';

/** CLIENT REPLY: on, off, or skipping the reply of the next command (skip-next, then skip). */
export type ReplyMode = 'on' | 'off' | 'skip' | 'skip-next';

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
  authenticated: boolean;
  replyMode: ReplyMode = 'on';
  /** The name of the last command run, for CLIENT LIST cmd=. */
  lastCommand = 'NULL';
  lastInteraction: number;
  /** Set by QUIT and CLIENT KILL: stop reading, flush what is there, then close. */
  closing = false;
  readonly address: string;
  readonly localAddress: string;
  private pausedForOutput = false;

  constructor(readonly server: Server, private readonly socket: Socket, id: number) {
    this.id = id;
    this.createdAt = server.clock.now;
    this.lastInteraction = this.createdAt;
    this.db = server.keyspace.databases[0]!;
    this.authenticated = server.config.get('requirepass') === '';
    this.parser = new RequestParser(server.parserLimits);
    this.parser.authenticated = this.authenticated;
    this.address = `${socket.remoteAddress}:${socket.remotePort}`;
    this.localAddress = `${socket.localAddress}:${socket.localPort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
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
    return this.socket.writableLength + this.writer.pendingBytes;
  }

  get inputBytesPending(): number {
    return this.parser.pendingBytes;
  }

  private onData(chunk: Buffer): void {
    const server = this.server;
    server.stats.netInputBytes += chunk.length;
    server.clock.refresh();
    this.lastInteraction = server.clock.now;
    this.parser.feed(chunk);
    this.processInput();
    this.flush();
  }

  processInput(): void {
    const parser = this.parser;
    while (!this.closing) {
      const argv = parser.next();
      if (argv === null) {
        if (parser.error !== undefined) this.protocolFailure();
        return;
      }
      executeCommand(this, argv);
    }
  }

  /** Writes the batch; stops reading a client whose replies the network is not taking. */
  flush(): void {
    const before = this.writer.bytesWritten;
    this.writer.flush(this.socket);
    this.server.stats.netOutputBytes += this.writer.bytesWritten - before;
    if (this.closing) {
      this.socket.end();
      return;
    }
    if (!this.pausedForOutput && this.socket.writableNeedDrain) {
      this.pausedForOutput = true;
      this.socket.pause();
    }
  }

  private onDrain(): void {
    if (!this.pausedForOutput) return;
    this.pausedForOutput = false;
    this.socket.resume();
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

  /** Closes now (CLIENT KILL, shutdown). */
  kill(): void {
    this.closing = true;
    this.writer.discard();
    this.socket.destroy();
  }

  authenticate(): void {
    this.authenticated = true;
    this.parser.authenticated = true;
  }
}
