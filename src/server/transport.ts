import type { Socket } from 'node:net';
import { PrefixViews } from '../protocol/bytes.js';

// A client connection's byte transport. Node's stream machinery costs several microseconds per
// read and per write (a 64 KB allocation per read, a Buffer per chunk, nextTick callbacks), which
// on an unpipelined request is as much as the rest of the work. Where Node exposes its stream
// binding, reads land in one shared buffer through the socket handle's onread hook and replies go
// straight to the handle's write; elsewhere the plain socket API does the same job more slowly.
// Measured on this machine with redis-benchmark -c 50 GET: a bare Node socket answering through
// the stream API costs ~16 us of server CPU per request, through this path ~12 us (Redis: ~11 us).

/** The parts of Node's native stream handle this module uses (the typed boundary). */
interface StreamHandle {
  onread: (this: StreamHandle, arrayBuffer?: ArrayBuffer) => void;
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  readStop(): number;
  writeBuffer(request: WriteRequest, data: Uint8Array): number;
  writeLatin1String(request: WriteRequest, data: string): number;
}

interface WriteRequest {
  handle: StreamHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Uint8Array | string | null;
  transport: Transport | null;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

const UV_EOF = -4095;
const READ_BUFFER_SIZE = 64 * 1024;
/** Output the kernel has not taken beyond which a client is not read (Redis would buffer it). */
const CONGESTION_BYTES = 256 * 1024;

function loadBinding(): StreamWrapBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof binding.WriteWrap !== 'function' || !(binding.streamBaseState instanceof Int32Array)) return undefined;
    return binding as StreamWrapBinding;
  } catch {
    return undefined;
  }
}

const binding = process.env.ELASTICACHE_PLAIN_SOCKETS === '1' ? undefined : loadBinding();
/** Every connection reads into this one buffer; a reader must copy what it keeps past its callback. */
const sharedReadBuffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
const sharedReadViews = new PrefixViews(sharedReadBuffer);

export interface TransportListener {
  /** Bytes arrived: `chunk` is valid only during this call. */
  onData(chunk: Buffer): void;
  /** The output backlog fell back to zero after a pause for it. */
  onDrain(): void;
  /** The peer closed its side (a read of end-of-file); optional, for read counters. */
  onEndOfInput?(): void;
}

/**
 * A write request the kernel finished at once leaves no native state behind, so the same object
 * serves the next write; only a write that goes asynchronous keeps its request.
 */
let spareRequest: WriteRequest | null = null;

function onWriteComplete(this: WriteRequest): void {
  const transport = this.transport;
  if (transport !== null) transport.completeWrite(this.bytes);
}

export class Transport {
  /** Bytes handed to the kernel side that it has not taken yet. */
  pendingBytes = 0;
  private readonly handle: StreamHandle | undefined;
  private readingStopped = false;

  constructor(readonly socket: Socket, private readonly listener: TransportListener) {
    const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
    if (binding !== undefined && handle !== null && typeof handle.useUserBuffer === 'function') {
      this.handle = handle;
      const state = binding.streamBaseState;
      const readBytesIndex = binding.kReadBytesOrError;
      handle.useUserBuffer(sharedReadBuffer);
      handle.onread = () => {
        const bytesRead = state[readBytesIndex]!;
        if (bytesRead > 0) listener.onData(sharedReadViews.of(bytesRead));
        else if (bytesRead === UV_EOF) {
          listener.onEndOfInput?.();
          this.end();
        }
        else if (bytesRead < 0) socket.destroy();
      };
      handle.readStart();
    } else {
      socket.on('data', (chunk: Buffer) => listener.onData(chunk));
      socket.on('drain', () => listener.onDrain());
      socket.on('end', () => listener.onEndOfInput?.());
      socket.resume();
    }
  }

  /**
   * Sends `data`. Returns true when the transport still holds it after returning (the kernel did
   * not take it all at once): the caller must then not reuse that memory.
   */
  write(data: Buffer | string): boolean {
    const handle = this.handle;
    if (handle === undefined) {
      if (typeof data === 'string') this.socket.write(data, 'latin1');
      else this.socket.write(data);
      return true;
    }
    if (this.socket.destroyed) return false;
    const request = spareRequest ?? new binding!.WriteWrap();
    spareRequest = null;
    request.handle = handle;
    request.oncomplete = onWriteComplete;
    request.async = false;
    request.bytes = data.length;
    request.buffer = null;
    request.transport = null;
    const error = typeof data === 'string' ? handle.writeLatin1String(request, data) : handle.writeBuffer(request, data);
    if (error !== 0) {
      spareRequest = request;
      this.socket.destroy();
      return false;
    }
    if (binding!.streamBaseState[binding!.kLastWriteWasAsync] === 0) {
      spareRequest = request;
      return false;
    }
    // The kernel did not take it all now: libuv writes the rest from this memory later.
    request.buffer = data;
    request.transport = this;
    this.pendingBytes += data.length;
    return true;
  }

  /** Called by a finished asynchronous write. */
  completeWrite(bytes: number): void {
    this.pendingBytes -= bytes;
    if (this.readingStopped && this.pendingBytes <= CONGESTION_BYTES / 2) this.listener.onDrain();
  }

  /** Reading is stopped until the output backlog drains (then the listener's onDrain runs). */
  get pausedForOutput(): boolean {
    return this.readingStopped;
  }

  /** After a batch of replies: stops reading the client while the kernel holds too much of its output. */
  pauseWhileCongested(): void {
    if (this.readingStopped) return;
    const congested = this.handle === undefined ? this.socket.writableNeedDrain : this.pendingBytes > CONGESTION_BYTES;
    if (!congested) return;
    this.readingStopped = true;
    if (this.handle !== undefined) this.handle.readStop();
    else this.socket.pause();
  }

  resumeReading(): void {
    this.readingStopped = false;
    if (this.handle !== undefined) this.handle.readStart();
    else this.socket.resume();
  }

  /** Closes after what was written is sent. */
  end(): void {
    if (this.socket.destroyed) return;
    if (this.handle !== undefined) this.handle.readStop();
    this.socket.end();
    this.socket.once('finish', () => this.socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }

  get outputBacklog(): number {
    return this.handle === undefined ? this.socket.writableLength : this.pendingBytes;
  }
}
