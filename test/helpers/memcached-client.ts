import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { freePort, startServer, type RunningServer } from './servers.js';

// Talking memcached's text and meta protocols byte for byte, to our server and to Debian's
// memcached 1.6 started by the tests.

/** A bare TCP client: send exact bytes, read the replies as latin1 text. */
export class MemcachedClient {
  private received = '';
  private closed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
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

  static async connect(port: number): Promise<MemcachedClient> {
    const socket = new Socket();
    socket.setNoDelay(true);
    socket.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new MemcachedClient(socket);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Waits until the received text satisfies `done` (or the peer closed), then returns and clears it. */
  async readUntil(done: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received) && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete reply within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(0, 500))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  /**
   * Sends `payload` followed by `mn` and returns every reply byte before memcached's MN: the whole
   * answer to the payload, however many lines (or none, with noreply) it has. A closed connection
   * returns what arrived plus "<closed>".
   */
  async request(payload: string): Promise<string> {
    this.send(payload + 'mn\r\n');
    const text = await this.readUntil((received) => received.endsWith('MN\r\n'));
    if (text.endsWith('MN\r\n')) return text.slice(0, -4);
    return text + '<closed>';
  }

  /** Waits for `bytes` milliseconds of silence and returns what arrived. */
  async settle(quietMs = 100): Promise<string> {
    let last = -1;
    while (last !== this.received.length && !this.closed) {
      last = this.received.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export interface MemcachedServer {
  port: number;
  stop(): Promise<void>;
}

/** Our server with its memcached listener on a free port; `port` is the memcached one. */
export async function startOurMemcached(args: string[] = []): Promise<MemcachedServer & { server: RunningServer }> {
  const port = await freePort();
  const server = await startServer(['--memcached-port', String(port), ...args]);
  return { port, server, stop: () => server.stop() };
}

/** Debian's memcached 1.6 on a free port: one thread, 64 MB, TCP only, as the reference. */
export async function startRealMemcached(args: string[] = []): Promise<MemcachedServer> {
  const port = await freePort();
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const child = spawn('memcached', ['-p', String(port), '-U', '0', '-t', '1', '-m', '64', '-l', '127.0.0.1', ...user, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`memcached exited: ${stderr}`);
    try {
      const probe = await MemcachedClient.connect(port);
      probe.close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`memcached did not listen within 10 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  process.on('exit', () => child.kill('SIGKILL'));
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
