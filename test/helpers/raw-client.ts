import { Socket } from 'node:net';
import { once } from 'node:events';

/** A connected TCP socket to 127.0.0.1:`port`, with Nagle off so each send goes out at once. */
export async function connectSocket(port: number): Promise<Socket> {
  const socket = new Socket();
  socket.setNoDelay(true);
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/**
 * A bare TCP client for protocol-level tests: send exact bytes, read exact bytes back.
 * Replies are collected as latin1 text.
 */
export class RawClient {
  private received = '';
  private closed = false;
  private waiters: (() => void)[] = [];

  protected constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.received += text;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await connectSocket(port));
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Waits until at least `length` bytes arrived (or the peer closed), returns and consumes them. */
  async read(length: number, timeoutMs = 5000): Promise<string> {
    await this.waitFor(() => this.received.length >= length || this.closed, timeoutMs);
    const chunk = this.received.slice(0, length);
    this.received = this.received.slice(chunk.length);
    return chunk;
  }

  /** Waits until the received text ends with `suffix` or contains `count` CRLF-terminated lines. */
  async readUntil(predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    await this.waitFor(() => predicate(this.received) || this.closed, timeoutMs);
    const all = this.received;
    this.received = '';
    return all;
  }

  /**
   * Sends and collects everything that arrives within `quietMs` of silence, after at least
   * `minBytes` arrived (or the connection closed): a loaded machine can be slower than any quiet
   * window, so a reply known to come is waited for first.
   */
  async roundTrip(data: string | Buffer, quietMs = 100, minBytes = 0): Promise<string> {
    this.send(data);
    if (minBytes > 0) await this.waitFor(() => this.received.length >= minBytes || this.closed, 5000);
    return this.settle(quietMs);
  }

  /** Waits for `quietMs` of silence (or the close) and returns and consumes what arrived. */
  async settle(quietMs = 100): Promise<string> {
    let last = -1;
    while (last !== this.received.length && !this.closed) {
      last = this.received.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
    const all = this.received;
    this.received = '';
    return all;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    await this.waitFor(() => this.closed, timeoutMs);
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private async waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
