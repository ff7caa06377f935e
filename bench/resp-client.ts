import { Socket } from 'node:net';
import { once } from 'node:events';

// A minimal pipelining client for the benchmarks: commands go out as RESP arrays written in large
// chunks, replies are only framed and counted (errors kept), so the client does as little work per
// reply as possible and the measured time is the server's.

export function encodeCommand(args: readonly string[]): string {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`;
  return text;
}

export interface PipelineResult {
  replies: number;
  /** The first error reply's text, when any command failed. */
  firstError: string | undefined;
  seconds: number;
}

const WRITE_CHUNK_BYTES = 256 * 1024;

export class PipelineClient {
  private readonly socket = new Socket();
  private pending: Buffer = Buffer.alloc(0);
  private expected = 0;
  private replies = 0;
  private firstError: string | undefined;
  private settle: ((error?: Error) => void) | undefined;

  private constructor() {
    this.socket.setNoDelay(true);
    this.socket.on('data', (data: Buffer) => this.receive(data));
    this.socket.on('error', (error) => this.settle?.(error));
    this.socket.on('close', () => this.settle?.(new Error('connection closed')));
  }

  static async connect(port: number): Promise<PipelineClient> {
    const client = new PipelineClient();
    client.socket.connect(port, '127.0.0.1');
    await once(client.socket, 'connect');
    return client;
  }

  /** Writes every command (latin1 RESP text, `count` commands) and waits for all their replies. */
  async pipeline(text: string, count: number, timeoutMs = 120_000): Promise<PipelineResult> {
    this.expected = count;
    this.replies = 0;
    this.firstError = undefined;
    const started = performance.now();
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${count - this.replies} of ${count} commands after ${timeoutMs} ms`)), timeoutMs);
      this.settle = (error?: Error): void => {
        clearTimeout(timer);
        this.settle = undefined;
        if (error) reject(error);
        else resolve();
      };
    });
    for (let offset = 0; offset < text.length; offset += WRITE_CHUNK_BYTES) {
      if (!this.socket.write(text.slice(offset, offset + WRITE_CHUNK_BYTES), 'latin1')) await once(this.socket, 'drain');
    }
    await done;
    return { replies: this.replies, firstError: this.firstError, seconds: (performance.now() - started) / 1000 };
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(data: Buffer): void {
    const buffer = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    let offset = 0;
    for (;;) {
      const end = replyEnd(buffer, offset);
      if (end < 0) break;
      if (buffer[offset] === 45 && this.firstError === undefined) this.firstError = buffer.toString('latin1', offset + 1, end - 2);
      offset = end;
      this.replies++;
    }
    this.pending = offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
    if (this.replies >= this.expected) this.settle?.();
  }
}

/** Where the whole reply starting at `offset` ends, or -1 when it has not fully arrived. */
function replyEnd(buffer: Buffer, offset: number): number {
  // Elements still to read at each open aggregate level.
  let toRead = 1;
  const stack: number[] = [];
  while (toRead > 0) {
    if (offset >= buffer.length) return -1;
    const lineEnd = buffer.indexOf(10, offset);
    if (lineEnd < 0) return -1;
    const type = buffer[offset];
    toRead--;
    if (type === 36 /* $ */) {
      const length = lineLength(buffer, offset + 1);
      offset = length < 0 ? lineEnd + 1 : lineEnd + 1 + length + 2;
      if (offset > buffer.length) return -1;
    } else if (type === 42 /* * */) {
      const length = lineLength(buffer, offset + 1);
      offset = lineEnd + 1;
      if (length > 0) {
        stack.push(toRead);
        toRead = length;
      }
    } else {
      offset = lineEnd + 1;
    }
    while (toRead === 0 && stack.length > 0) toRead = stack.pop()!;
  }
  return offset;
}

/** The length on a `$` or `*` header line (-1 for a null), read from its digits without a string. */
function lineLength(buffer: Buffer, offset: number): number {
  if (buffer[offset] === 45 /* - */) return -1;
  let length = 0;
  for (let byte = buffer[offset]!; byte !== 13; byte = buffer[++offset]!) length = length * 10 + byte - 48;
  return length;
}

/** Opens a connection, runs the commands pipelined, closes it. */
export async function runCommands(port: number, commands: readonly (readonly string[])[]): Promise<PipelineResult> {
  const client = await PipelineClient.connect(port);
  try {
    return await client.pipeline(commands.map(encodeCommand).join(''), commands.length);
  } finally {
    client.close();
  }
}
