import type { Socket } from 'node:net';
import { MemcachedTextParser, TextFrame } from '../protocol/memcached/text-parser.js';
import { Transport } from '../server/transport.js';
import type { MemcachedEngine } from './engine.js';
import { runCommandLine } from './commands.js';
import { completeStorage, type PendingStore } from './storage-commands.js';

/** Replies past this size are written out mid-batch, so a congested client is noticed early. */
const OUTPUT_BATCH_LIMIT = 64 * 1024;

/**
 * One memcached client connection (text and meta protocols). Reads a chunk, runs every complete
 * command in it, then writes all replies in one socket write, as the Redis Session does. Replies
 * are latin1 text appended to `out`; `reply()` honours noreply the way memcached's out_string does.
 */
export class MemcachedSession {
  readonly id: number;
  readonly parser = new MemcachedTextParser();
  /** This batch's replies, not yet written. */
  out = '';
  /** Set by a command's noreply (or meta q): the next reply() is skipped, as out_string does. */
  noreply = false;
  /** A storage command waiting for its data block. */
  readonly pending: PendingStore = {
    active: false,
    meta: false,
    mode: 0,
    key: '',
    flags: 0,
    exptime: 0,
    cas: 0,
    staleOk: false,
    keyBinary: false,
    returnFlags: [],
  };
  readonly address: string;
  readonly createdAt: number;
  lastCommandAt: number;
  private closing = false;
  private pausedForOutput = false;
  private readonly transport: Transport;

  constructor(readonly engine: MemcachedEngine, socket: Socket, id: number) {
    this.id = id;
    this.createdAt = engine.clock.now;
    this.lastCommandAt = this.createdAt;
    this.address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    this.transport = new Transport(socket, this);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => engine.removeSession(this));
  }

  get store() {
    return this.engine.store;
  }

  /** out_string: one reply line, skipped (and noreply cleared) when the command asked for no reply. */
  reply(line: string): void {
    if (this.noreply) {
      this.noreply = false;
      return;
    }
    this.out += line + '\r\n';
  }

  /** Transport callback: `chunk` is only valid during this call. */
  onData(chunk: Buffer): void {
    const engine = this.engine;
    engine.clock.refresh();
    engine.bytesRead += chunk.length;
    this.lastCommandAt = engine.clock.now;
    this.parser.feed(chunk);
    this.processInput();
    this.parser.retainLeftover();
    this.flush();
  }

  onDrain(): void {
    if (!this.pausedForOutput) return;
    this.pausedForOutput = false;
    this.transport.resumeReading();
    this.engine.clock.refresh();
    this.processInput();
    this.parser.retainLeftover();
    this.flush();
  }

  private processInput(): void {
    const parser = this.parser;
    while (!this.closing && !this.pausedForOutput) {
      const frame = parser.next();
      if (frame === TextFrame.Incomplete) return;
      if (frame === TextFrame.Close) {
        // memcached drops the connection (conn_closing) without sending what was pending.
        this.out = '';
        this.closing = true;
        this.transport.destroy();
        return;
      }
      if (frame === TextFrame.Data) completeStorage(this);
      else {
        this.noreply = false;
        runCommandLine(this, parser.tokens, parser.tokenCount);
      }
      if (this.out.length > OUTPUT_BATCH_LIMIT) this.flush();
    }
  }

  /** quit: stop reading, send what is there, then close. */
  close(): void {
    this.closing = true;
  }

  /** Drops this batch's unsent replies (a get with a too-long key does this in memcached). */
  discardOutput(): void {
    this.out = '';
  }

  flush(): void {
    const out = this.out;
    if (out.length > 0) {
      this.out = '';
      this.engine.bytesWritten += out.length;
      this.transport.write(out);
    }
    if (this.closing) {
      this.transport.end();
      return;
    }
    if (!this.pausedForOutput && this.transport.congested) {
      this.pausedForOutput = true;
      this.transport.pauseReading();
    }
  }

  kill(): void {
    this.closing = true;
    this.transport.destroy();
  }
}
