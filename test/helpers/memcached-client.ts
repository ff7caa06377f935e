import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { RawClient, connectSocket } from './raw-client.js';
import { once } from 'node:events';
import { freePort, startServer, type RunningServer } from './servers.js';

// Talking memcached's text and meta protocols byte for byte, to our server and to Debian's
// memcached 1.6 started by the tests.

/** A raw client that can also delimit an answer with memcached's no-op (`mn` → `MN`). */
export class MemcachedClient extends RawClient {
  static override async connect(port: number): Promise<MemcachedClient> {
    return new MemcachedClient(await connectSocket(port));
  }

  /**
   * Sends `payload` followed by `mn` and returns every reply byte before memcached's MN: the whole
   * answer to the payload, however many lines (or none, with noreply) it has. A closed connection
   * returns what arrived plus "<closed>".
   */
  async request(payload: string, timeoutMs = 5000): Promise<string> {
    this.send(payload + 'mn\r\n');
    const text = await this.readUntil((received) => received.endsWith('MN\r\n'), timeoutMs);
    if (text.endsWith('MN\r\n')) return text.slice(0, -4);
    if (!this.isClosed) throw new Error(`no complete reply within ${timeoutMs} ms; got ${JSON.stringify(text.slice(0, 500))}`);
    return text + '<closed>';
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

// The binary protocol: request frames built field by field, responses split back into fields.

export interface BinaryRequestFields {
  opcode: number;
  key?: string;
  extras?: Buffer;
  value?: string;
  cas?: bigint;
  opaque?: number;
  /** Overrides the body length the header announces (for malformed frames). */
  bodyLength?: number;
  magic?: number;
}

export function binaryRequest(fields: BinaryRequestFields): Buffer {
  const key = Buffer.from(fields.key ?? '', 'latin1');
  const extras = fields.extras ?? Buffer.alloc(0);
  const value = Buffer.from(fields.value ?? '', 'latin1');
  const header = Buffer.alloc(24);
  header[0] = fields.magic ?? 0x80;
  header[1] = fields.opcode;
  header.writeUInt16BE(key.length, 2);
  header[4] = extras.length;
  header.writeUInt32BE(fields.bodyLength ?? extras.length + key.length + value.length, 8);
  header.writeUInt32BE(fields.opaque ?? 0xdeadbeef, 12);
  header.writeBigUInt64BE(fields.cas ?? 0n, 16);
  return Buffer.concat([header, extras, key, value]);
}

/** Extras of set/add/replace: flags and expiration. */
export function storageExtras(flags: number, exptime: number): Buffer {
  const extras = Buffer.alloc(8);
  extras.writeUInt32BE(flags, 0);
  extras.writeUInt32BE(exptime, 4);
  return extras;
}

/** Extras of increment/decrement: delta, initial value, expiration. */
export function counterExtras(delta: bigint, initial: bigint, exptime: number): Buffer {
  const extras = Buffer.alloc(20);
  extras.writeBigUInt64BE(delta, 0);
  extras.writeBigUInt64BE(initial, 8);
  extras.writeUInt32BE(exptime, 16);
  return extras;
}

export function uint32Extras(value: number): Buffer {
  const extras = Buffer.alloc(4);
  extras.writeUInt32BE(value, 0);
  return extras;
}

export interface BinaryResponse {
  magic: number;
  opcode: number;
  status: number;
  opaque: number;
  cas: bigint;
  extras: string;
  key: string;
  value: string;
}

/** Splits received bytes (latin1 text) into responses; an incomplete tail is returned as `rest`. */
export function parseBinaryResponses(text: string): { responses: BinaryResponse[]; rest: string } {
  const data = Buffer.from(text, 'latin1');
  const responses: BinaryResponse[] = [];
  let at = 0;
  while (data.length - at >= 24) {
    const keyLength = data.readUInt16BE(at + 2);
    const extrasLength = data[at + 4]!;
    const bodyLength = data.readUInt32BE(at + 8);
    if (data.length - at < 24 + bodyLength) break;
    const body = at + 24;
    responses.push({
      magic: data[at]!,
      opcode: data[at + 1]!,
      status: data.readUInt16BE(at + 6),
      opaque: data.readUInt32BE(at + 12),
      cas: data.readBigUInt64BE(at + 16),
      extras: data.toString('hex', body, body + extrasLength),
      key: data.toString('latin1', body + extrasLength, body + extrasLength + keyLength),
      value: data.toString('latin1', body + extrasLength + keyLength, body + bodyLength),
    });
    at = body + bodyLength;
  }
  return { responses, rest: data.toString('latin1', at) };
}

/** Sends binary requests ending in a NOOP and returns every response before the NOOP's. */
export async function binaryExchange(client: MemcachedClient, requests: Buffer[]): Promise<BinaryResponse[]> {
  client.send(Buffer.concat([...requests, binaryRequest({ opcode: 0x0a, opaque: 0x4e4f4f50 })]));
  const text = await client.readUntil((received) => {
    const { responses } = parseBinaryResponses(received);
    return responses.some((response) => response.opcode === 0x0a && response.opaque === 0x4e4f4f50);
  });
  const { responses } = parseBinaryResponses(text);
  return responses.slice(0, -1);
}

/** Our server with `count` memcached nodes on consecutive free ports; `port` is the first. */
export async function startOurMemcachedNodes(count: number, args: string[] = []): Promise<MemcachedServer & { server: RunningServer }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port + count > 65535) continue;
    const free = await Promise.all(Array.from({ length: count - 1 }, (_, i) => isFree(port + i + 1)));
    if (!free.every(Boolean)) continue;
    const server = await startServer(['--memcached-port', String(port), '--memcached-nodes', String(count), ...args]);
    return { port, server, stop: () => server.stop() };
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

async function isFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
