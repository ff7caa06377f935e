import { Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A decoded reply that keeps every RESP type distinct, so comparing two of them is as strict as
 * comparing bytes while still letting a test normalise order where Redis' is random:
 * '+text' simple string, '-text' error, ':n' integer, '$payload' bulk (latin1), null = null bulk,
 * '*-1' null array, ',d' double, '#t'/'#f' boolean, '_' RESP3 null, arrays as arrays
 * (maps, sets and pushes as arrays whose first element is '%', '~' or '>').
 */
export type RespValue = string | null | RespValue[];

/** Decodes one RESP2/RESP3 value at `position`; returns [value, next position] or undefined if incomplete. */
export function decodeResp(text: string, position: number): [RespValue, number] | undefined {
  const lineEnd = text.indexOf('\r\n', position);
  if (lineEnd < 0) return undefined;
  const type = text[position];
  const line = text.slice(position + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '#':
    case '(':
      return [type + line, after];
    case '_':
      return ['_', after];
    case '$':
    case '=':
    case '!': {
      const length = Number(line);
      if (length < 0) return [null, after];
      if (text.length < after + length + 2) return undefined;
      const payload = text.slice(after, after + length);
      return [(type === '$' ? '$' : type) + payload, after + length + 2];
    }
    case '*':
    case '%':
    case '~':
    case '>': {
      const count = Number(line);
      if (count < 0) return ['*-1', after];
      const items: RespValue[] = type === '*' ? [] : [type];
      const total = type === '%' ? count * 2 : count;
      let next = after;
      for (let i = 0; i < total; i++) {
        const decoded = decodeResp(text, next);
        if (decoded === undefined) return undefined;
        items.push(decoded[0]);
        next = decoded[1];
      }
      return [items, next];
    }
    default:
      throw new Error(`not RESP at ${position}: ${JSON.stringify(text.slice(position, position + 40))}`);
  }
}

export function encodeCommand(argv: string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

/** A pipelining RESP client over a bare socket: sends a batch of commands in one write, decodes every reply. */
export class RespConnection {
  private received = '';
  private position = 0;
  private replies: RespValue[] = [];
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (text: string) => {
      this.received += text;
      this.decodeAvailable();
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RespConnection> {
    const socket = new Socket();
    socket.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RespConnection(socket);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends all commands in one write and resolves with exactly one reply per command. */
  async pipeline(commands: string[][], timeoutMs = 10_000): Promise<RespValue[]> {
    this.socket.write(Buffer.from(commands.map(encodeCommand).join(''), 'latin1'));
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < commands.length) {
      if (this.closed) throw new Error(`connection closed after ${this.replies.length} of ${commands.length} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${this.replies.length} of ${commands.length} replies`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.replies.splice(0, commands.length);
  }

  close(): void {
    this.socket.destroy();
  }

  private decodeAvailable(): void {
    for (;;) {
      const decoded = decodeResp(this.received, this.position);
      if (decoded === undefined) break;
      this.replies.push(decoded[0]);
      this.position = decoded[1];
    }
    if (this.position > 1 << 20) {
      this.received = this.received.slice(this.position);
      this.position = 0;
    }
  }
}
