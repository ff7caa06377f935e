import type { Socket } from 'node:net';
import { MemcachedTextParser, TextFrame } from '../protocol/memcached/text-parser.js';
import { Transport } from '../server/transport.js';
import type { MemcachedEngine } from './engine.js';
import { runCommandLine } from './commands.js';
import { completeStorage, type PendingStore } from './storage-commands.js';
import { BinaryFrame, REQUEST_MAGIC } from '../protocol/memcached/binary-protocol.js';
import { BinaryConnection, completeBinaryValue, runBinaryRequest } from './binary-commands.js';

/** Replies past this size are written out mid-batch, so a congested client is noticed early. */
const OUTPUT_BATCH_LIMIT = 64 * 1024;

/**
 * One memcached client connection. Reads a chunk and runs every complete command in it; all its
 * replies go out in one socket write once every connection readable in this event-loop turn has
 * run its commands (see FlushQueue). The first byte decides the protocol
 * for the connection's life, as memcached's auto-negotiation does: the binary request magic means
 * binary (replies encoded by `binary.writer`), anything else text and meta (replies are latin1
 * text appended to `out`; `reply()` honours noreply the way memcached's out_string does). With SASL
 * configured every connection is binary, as memcached -S binds the binary protocol only.
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
  /** The binary protocol's state, once the connection has chosen it. */
  binary: BinaryConnection | null = null;
  readonly address: string;
  readonly createdAt: number;
  private protocolChosen = false;
  lastCommandAt: number;
  private closing = false;
  /** Waiting in the engine's FlushQueue. */
  flushQueued = false;
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
    engine.bytesRead += chunk.length;
    this.lastCommandAt = engine.clock.now;
    if (!this.protocolChosen) {
      this.protocolChosen = true;
      if (chunk[0] === REQUEST_MAGIC || engine.sasl !== undefined) this.binary = new BinaryConnection();
    }
    const binary = this.binary;
    if (binary !== null) {
      binary.parser.feed(chunk);
      this.processBinaryInput(binary);
      binary.parser.retainLeftover();
    } else {
      this.parser.feed(chunk);
      this.processInput();
      this.parser.retainLeftover();
    }
    this.engine.flushQueue.add(this);
  }

  onDrain(): void {
    if (!this.transport.pausedForOutput) return;
    this.transport.resumeReading();
    this.engine.clock.refresh();
    const binary = this.binary;
    if (binary !== null) {
      this.processBinaryInput(binary);
      binary.parser.retainLeftover();
    } else {
      this.processInput();
      this.parser.retainLeftover();
    }
    this.flush();
  }

  private processBinaryInput(binary: BinaryConnection): void {
    const parser = binary.parser;
    while (!this.closing && !this.transport.pausedForOutput) {
      const frame = parser.next();
      if (frame === BinaryFrame.Incomplete) return;
      if (frame === BinaryFrame.BadMagic) {
        // try_read_command_binary: a wrong magic byte is conn_closing; replies memcached had not
        // sent yet are lost, those it had are delivered before the close.
        binary.writer.dropUncommitted();
        this.closing = true;
        return;
      }
      if (frame === BinaryFrame.Request) runBinaryRequest(this, binary);
      else completeBinaryValue(this, binary);
      if (binary.writer.length > OUTPUT_BATCH_LIMIT) this.flush();
    }
  }

  private processInput(): void {
    const parser = this.parser;
    while (!this.closing && !this.transport.pausedForOutput) {
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
        runCommandLine(this, parser);
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
    const binary = this.binary;
    if (binary !== null) {
      const data = binary.writer.take();
      if (data !== undefined) {
        this.engine.bytesWritten += data.length;
        this.transport.write(data);
        // The socket still holds what the kernel did not take: the next batch needs its own buffer.
        if (this.transport.outputBacklog > 0) binary.writer.detach();
      }
    }
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
    this.transport.pauseWhileCongested();
  }

  kill(): void {
    this.closing = true;
    this.transport.destroy();
  }
}
