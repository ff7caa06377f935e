import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryFrame, BinaryRequestParser } from '../../src/protocol/memcached/binary-protocol.js';
import {
  MemcachedClient,
  binaryExchange,
  binaryRequest,
  counterExtras,
  parseBinaryResponses,
  startOurMemcached,
  startRealMemcached,
  storageExtras,
  uint32Extras,
  type MemcachedServer,
} from '../helpers/memcached-client.js';

// The memcached binary protocol on our memcached port: the request decoder under every split of
// the byte stream; memjs (a binary-only client) for every operation it offers, with and without
// SASL; raw frames compared byte for byte with a real memcached 1.6 (status codes, error texts,
// CAS, opaque, quiet variants, malformed and half-sent frames, garbage).

interface MemjsResult {
  value: Buffer | null;
  flags: Buffer | null;
}
interface MemjsClient {
  get(key: string): Promise<MemjsResult>;
  set(key: string, value: string, options: { expires?: number }): Promise<boolean>;
  add(key: string, value: string, options: { expires?: number }): Promise<boolean>;
  replace(key: string, value: string, options: { expires?: number }): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  increment(key: string, amount: number, options: { initial?: number; expires?: number }): Promise<{ success: boolean; value: number | null }>;
  decrement(key: string, amount: number, options: { initial?: number; expires?: number }): Promise<{ success: boolean; value: number | null }>;
  append(key: string, value: string): Promise<boolean>;
  prepend(key: string, value: string): Promise<boolean>;
  touch(key: string, expires: number): Promise<boolean>;
  flush(): Promise<Record<string, boolean>>;
  stats(callback: (error: Error | null, server: string, stats: Record<string, string> | null) => void): void;
  statsWithKey(key: string, callback: (error: Error | null, server: string, stats: Record<string, string> | null) => void): void;
  perform(key: string, request: Buffer, seq: number, callback: (error: Error | null, response: { header: { status: number }; val: Buffer } | null) => void): void;
  quit(): void;
  close(): void;
  seq: number;
  incrSeq(): void;
}
interface Memjs {
  Client: { create(servers: string, options: Record<string, unknown>): MemjsClient };
  Utils: { makeRequestBuffer(opcode: number, key: string, extras: string, value: string, opaque: number): Buffer };
}
const memjs = createRequire(import.meta.url)('memjs') as Memjs;

let ours: MemcachedServer;
/** Gets exactly what `real` gets, so both hand out the same CAS values. */
let mirror: MemcachedServer;
let real: MemcachedServer;
let withSasl: MemcachedServer;

beforeAll(async () => {
  [ours, mirror, real, withSasl] = await Promise.all([
    startOurMemcached(),
    startOurMemcached(),
    startRealMemcached(),
    startOurMemcached(['--memcached-sasl', 'app:s3cret:x']),
  ]);
});

afterAll(async () => {
  await Promise.all([ours?.stop(), mirror?.stop(), real?.stop(), withSasl?.stop()]);
});

function memjsClient(port: number, options: Record<string, unknown> = {}): MemjsClient {
  return memjs.Client.create(`127.0.0.1:${port}`, { retries: 1, timeout: 2, logger: { log: () => undefined }, ...options });
}

/** A memjs request it has no method for (version, noop), through its own connection handling. */
function rawMemjs(client: MemjsClient, opcode: number): Promise<{ status: number; value: string }> {
  client.incrSeq();
  const request = memjs.Utils.makeRequestBuffer(opcode, '', '', '', client.seq);
  return new Promise((resolve, reject) => {
    client.perform('', request, client.seq, (error, response) => {
      if (error || response === null) reject(error ?? new Error('no response'));
      else resolve({ status: response.header.status, value: response.val.toString('latin1') });
    });
  });
}

function stats(client: MemjsClient, key = ''): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    client.statsWithKey(key, (error, _server, result) => (error || result === null ? reject(error ?? new Error('no stats')) : resolve(result)));
  });
}

/** Same bytes to both servers on fresh connections; both answers (latin1) after `quietMs` of silence, and whether each closed. */
async function bothAnswer(payload: Buffer, quietMs = 150): Promise<{ ours: string; real: string }> {
  const [a, b] = await Promise.all([MemcachedClient.connect(mirror.port), MemcachedClient.connect(real.port)]);
  a.send(payload);
  b.send(payload);
  const [fromOurs, fromReal] = await Promise.all([a.settle(quietMs), b.settle(quietMs)]);
  const result = { ours: fromOurs + (a.isClosed ? '<closed>' : ''), real: fromReal + (b.isClosed ? '<closed>' : '') };
  a.close();
  b.close();
  return result;
}

const set = (key: string, value: string, flags = 0, exptime = 0, cas = 0n, opcode = 0x01): Buffer =>
  binaryRequest({ opcode, key, extras: storageExtras(flags, exptime), value, cas });

describe('binary request parser', () => {
  it('yields the same frames under every split of the input', () => {
    const input = Buffer.concat([
      set('k', 'hello', 3),
      binaryRequest({ opcode: 0x00, key: 'k', opaque: 7 }),
      binaryRequest({ opcode: 0x05, key: 'n', extras: counterExtras(5n, 1n, 0) }),
      binaryRequest({ opcode: 0x0a }),
    ]);
    const run = (chunks: Buffer[]): string[] => {
      const parser = new BinaryRequestParser();
      const out: string[] = [];
      for (const chunk of chunks) {
        parser.feed(chunk);
        for (;;) {
          const frame = parser.next();
          if (frame === BinaryFrame.Incomplete) break;
          if (frame === BinaryFrame.Value) out.push(`value:${parser.value}`);
          else if (frame === BinaryFrame.BadMagic) out.push('bad');
          else {
            out.push(`req:${parser.opcode}:${parser.key}:${parser.extras.subarray(0, parser.extrasLength).toString('hex')}:${parser.opaque}`);
            // The command layer asks for the value of a set (body minus extras and key).
            if (parser.opcode === 0x01) parser.expectValue(parser.bodyLength - parser.keyLength - parser.extrasLength);
          }
        }
        parser.retainLeftover();
      }
      return out;
    };
    const expected = run([input]);
    expect(expected).toEqual([
      'req:1:k:0000000300000000:3735928559',
      'value:hello',
      'req:0:k::7',
      'req:5:n:00000000000000050000000000000001' + '00000000:3735928559',
      'req:10:::3735928559',
    ]);
    for (let first = 0; first <= input.length; first++) {
      for (let second = first; second <= input.length; second += 9) {
        expect(run([input.subarray(0, first), input.subarray(first, second), input.subarray(second)])).toEqual(expected);
      }
    }
  });

  it('reports a wrong magic byte only once a whole header is there', () => {
    const parser = new BinaryRequestParser();
    parser.feed(Buffer.from('get a\r\n'));
    expect(parser.next()).toBe(BinaryFrame.Incomplete);
    parser.feed(Buffer.alloc(20));
    expect(parser.next()).toBe(BinaryFrame.BadMagic);
  });
});

describe('memjs against our binary protocol', () => {
  it('runs every operation memjs offers', async () => {
    const client = memjsClient(ours.port);
    try {
      expect(await client.set('mj:a', 'hello', {})).toBe(true);
      expect((await client.get('mj:a')).value?.toString()).toBe('hello');
      expect((await client.get('mj:missing')).value).toBeNull();
      expect(await client.add('mj:a', 'again', {})).toBe(false);
      expect(await client.add('mj:b', 'new', {})).toBe(true);
      expect(await client.replace('mj:b', 'replaced', {})).toBe(true);
      expect(await client.replace('mj:none', 'x', {})).toBe(false);
      expect((await client.get('mj:b')).value?.toString()).toBe('replaced');
      expect(await client.append('mj:a', ' world')).toBe(true);
      // memjs 1.3.2 sends its prepend with APPEND's opcode (0x0e): memcached appends it too.
      expect(await client.prepend('mj:a', '>> ')).toBe(true);
      expect((await client.get('mj:a')).value?.toString()).toBe('hello world>> ');
      await expect(client.append('mj:none', 'x')).rejects.toThrow('MemJS APPEND: Item not stored');
      expect(await client.increment('mj:n', 5, { initial: 10 })).toEqual({ success: true, value: 10 });
      expect(await client.increment('mj:n', 5, {})).toEqual({ success: true, value: 15 });
      expect(await client.decrement('mj:n', 20, {})).toEqual({ success: true, value: 0 });
      expect((await client.get('mj:n')).value?.toString()).toBe('0 ');
      expect(await client.touch('mj:a', 100)).toBe(true);
      expect(await client.touch('mj:none', 100)).toBe(false);
      expect(await client.delete('mj:b')).toBe(true);
      expect(await client.delete('mj:b')).toBe(false);
      expect(await rawMemjs(client, 0x0b)).toEqual({ status: 0, value: '1.6.18' });
      expect(await rawMemjs(client, 0x0a)).toEqual({ status: 0, value: '' });
      const general = await stats(client);
      expect(general.version).toBe('1.6.18');
      expect(Number(general.curr_items)).toBeGreaterThanOrEqual(2);
      expect(general.cmd_get).toBe('5');
      expect(general.cmd_touch).toBe('2');
      const settings = await stats(client, 'settings');
      expect(settings.binding_protocol).toBe('auto-negotiate');
      expect(Object.values(await client.flush())).toEqual([true]);
      expect((await client.get('mj:a')).value).toBeNull();
      await stats(client, 'reset');
      expect((await stats(client)).cmd_get).toBe('0');
    } finally {
      client.close();
    }
  });

  it('expires what set and touch give a lifetime', async () => {
    const client = memjsClient(ours.port);
    try {
      await client.set('mj:short', 'v', { expires: 1 });
      await client.set('mj:touched', 'v', {});
      expect(await client.touch('mj:touched', 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await client.get('mj:short')).value).toBeNull();
      expect((await client.get('mj:touched')).value).toBeNull();
    } finally {
      client.close();
    }
  });

  it('quit closes the connection after its response', async () => {
    const client = await MemcachedClient.connect(ours.port);
    client.send(Buffer.concat([binaryRequest({ opcode: 0x07 }), binaryRequest({ opcode: 0x0b })]));
    const text = await client.readUntil(() => false, 2000).catch(() => '');
    expect(client.isClosed).toBe(true);
    const { responses } = parseBinaryResponses(text);
    expect(responses.map((r) => [r.opcode, r.status])).toEqual([[0x07, 0]]);
  });
});

describe('SASL PLAIN with memcached-sasl', () => {
  it('lets memjs in with the right password only', async () => {
    const good = memjsClient(withSasl.port, { username: 'app', password: 's3cret:x' });
    try {
      expect(await good.set('sasl:k', 'v', {})).toBe(true);
      expect((await good.get('sasl:k')).value?.toString()).toBe('v');
    } finally {
      good.close();
    }
    for (const options of [{ username: 'app', password: 'wrong' }, {}]) {
      const bad = memjsClient(withSasl.port, options);
      await expect(bad.get('sasl:k')).rejects.toBeDefined();
      bad.close();
    }
  });

  it('answers the SASL commands and refuses everything else before authentication', async () => {
    const client = await MemcachedClient.connect(withSasl.port);
    const replies = await binaryExchange(client, [
      binaryRequest({ opcode: 0x0b }),
      binaryRequest({ opcode: 0x20 }),
      binaryRequest({ opcode: 0x21, key: 'PLAIN', value: '\0app\0nope' }),
      binaryRequest({ opcode: 0x21, key: 'CRAM-MD5', value: 'x' }),
      binaryRequest({ opcode: 0x22, key: 'PLAIN', value: 'x' }),
      binaryRequest({ opcode: 0x21, key: 'PLAIN', value: 'app\0app\0s3cret:x' }),
      binaryRequest({ opcode: 0x00, key: 'sasl:k' }),
    ]);
    expect(replies.map((r) => [r.opcode, r.status, r.value])).toEqual([
      [0x0b, 0, '1.6.18'],
      [0x20, 0, 'PLAIN'],
      [0x21, 0x20, 'Auth failure.'],
      [0x21, 0x20, 'Auth failure.'],
      [0x22, 0x20, 'Auth failure.'],
      [0x21, 0, 'Authenticated'],
      [0x00, 0, 'v'],
    ]);
    client.close();
    const fresh = await MemcachedClient.connect(withSasl.port);
    fresh.send(binaryRequest({ opcode: 0x00, key: 'sasl:k' }));
    const text = await fresh.readUntil(() => false, 1000).catch(() => '');
    expect(fresh.isClosed).toBe(true);
    expect(parseBinaryResponses(text).responses.map((r) => [r.status, r.value])).toEqual([[0x20, 'Auth failure.']]);
    // With SASL the node speaks binary only, as memcached -S: a text command is a bad header.
    const text2 = await MemcachedClient.connect(withSasl.port);
    text2.send('version\r\nversion\r\nversion\r\n');
    expect(await text2.readUntil(() => false, 1000).catch(() => '')).toBe('');
    expect(text2.isClosed).toBe(true);
    const counters = memjsClient(withSasl.port, { username: 'app', password: 's3cret:x' });
    const general = await stats(counters);
    counters.close();
    expect(Number(general.auth_cmds)).toBeGreaterThanOrEqual(5);
    expect(Number(general.auth_errors)).toBeGreaterThanOrEqual(3);
  });
});

describe('raw binary frames, side by side with memcached 1.6', () => {
  const cases: [string, Buffer][] = [
    ['get, getk, quiet misses, noop', Buffer.concat([
      set('b:a', 'hello', 5),
      binaryRequest({ opcode: 0x00, key: 'b:a' }),
      binaryRequest({ opcode: 0x0c, key: 'b:a', opaque: 1 }),
      binaryRequest({ opcode: 0x00, key: 'b:zz' }),
      binaryRequest({ opcode: 0x0c, key: 'b:zz' }),
      binaryRequest({ opcode: 0x09, key: 'b:zz' }),
      binaryRequest({ opcode: 0x0d, key: 'b:zz' }),
      binaryRequest({ opcode: 0x09, key: 'b:a', opaque: 2 }),
      binaryRequest({ opcode: 0x0d, key: 'b:a', opaque: 3 }),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['add, replace, quiet storage, CAS', Buffer.concat([
      set('b:c', '1', 0, 0, 0n, 0x02),
      set('b:c', '1', 0, 0, 0n, 0x02),
      set('b:none', '1', 0, 0, 0n, 0x03),
      set('b:c', '2', 0, 0, 0n, 0x11),
      set('b:c', 'x', 0, 0, 0n, 0x12),
      set('b:c', 'w', 0, 0, 1n),
      set('b:nocas', 'w', 0, 0, 2n),
      set('b:c', 'z', 0, 0, 3n, 0x02),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['increment and decrement', Buffer.concat([
      set('b:n', '10'),
      binaryRequest({ opcode: 0x05, key: 'b:n', extras: counterExtras(5n, 0n, 0) }),
      binaryRequest({ opcode: 0x06, key: 'b:n', extras: counterExtras(100n, 0n, 0) }),
      binaryRequest({ opcode: 0x05, key: 'b:m', extras: counterExtras(1n, 42n, 0) }),
      binaryRequest({ opcode: 0x05, key: 'b:o', extras: counterExtras(1n, 42n, 0xffffffff) }),
      binaryRequest({ opcode: 0x05, key: 'b:n', extras: counterExtras(1n, 0n, 0), cas: 99n }),
      set('b:s', 'abc'),
      binaryRequest({ opcode: 0x05, key: 'b:s', extras: counterExtras(1n, 0n, 0) }),
      binaryRequest({ opcode: 0x15, key: 'b:n', extras: counterExtras(5n, 0n, 0) }),
      binaryRequest({ opcode: 0x05, key: 'b:m', extras: counterExtras(0xffffffffffffffffn, 0n, 0) }),
      binaryRequest({ opcode: 0x00, key: 'b:n' }),
      binaryRequest({ opcode: 0x05, key: 'b:n', extras: counterExtras(1n, 0n, 0), bodyLength: 25 }),
    ])],
    ['append, prepend, delete with CAS', Buffer.concat([
      set('b:p', 'x'),
      binaryRequest({ opcode: 0x0e, key: 'b:p', value: 'yz' }),
      binaryRequest({ opcode: 0x0f, key: 'b:p', value: 'w' }),
      binaryRequest({ opcode: 0x0e, key: 'b:q', value: 'yz' }),
      binaryRequest({ opcode: 0x0e, key: 'b:p', value: 'yz', cas: 77n }),
      binaryRequest({ opcode: 0x19, key: 'b:p', value: '1' }),
      binaryRequest({ opcode: 0x00, key: 'b:p' }),
      binaryRequest({ opcode: 0x04, key: 'b:p', cas: 5n }),
      binaryRequest({ opcode: 0x04, key: 'b:p' }),
      binaryRequest({ opcode: 0x04, key: 'b:p' }),
      binaryRequest({ opcode: 0x14, key: 'b:p' }),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['touch, gat, gatk and quiet forms', Buffer.concat([
      set('b:t', 'v', 7),
      binaryRequest({ opcode: 0x1c, key: 'b:t', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x1d, key: 'b:t', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x23, key: 'b:t', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x1e, key: 'b:u', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x24, key: 'b:u', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x1c, key: 'b:u', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x23, key: 'b:u', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x1e, key: 'b:t', extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['version, SASL without SASL, unknown opcodes (memcached skips bodylen after the key)', Buffer.concat([
      binaryRequest({ opcode: 0x0b }),
      binaryRequest({ opcode: 0x20 }),
      binaryRequest({ opcode: 0x21, key: 'PLAIN', value: '\0a\0b' }),
      binaryRequest({ opcode: 0x1b, extras: uint32Extras(1), bodyLength: 8 }),
      Buffer.alloc(8),
      binaryRequest({ opcode: 0x77, key: 'abc', value: 'xyz' }),
      Buffer.alloc(6),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['flush with and without delay, quiet', Buffer.concat([
      set('b:f', 'v'),
      binaryRequest({ opcode: 0x08 }),
      binaryRequest({ opcode: 0x00, key: 'b:f' }),
      binaryRequest({ opcode: 0x18, extras: uint32Extras(0) }),
      binaryRequest({ opcode: 0x08, extras: uint32Extras(100) }),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['a value over the item size limit is refused and skipped', Buffer.concat([
      set('b:big', 'x'.repeat(1024 * 1024 + 10)),
      set('b:big2', 'x'.repeat(2000 * 1000), 0, 0, 0n, 0x11),
      binaryRequest({ opcode: 0x0e, key: 'b:big3', value: 'y'.repeat(1100 * 1000) }),
      binaryRequest({ opcode: 0x00, key: 'b:big' }),
      set('b:large', 'z'.repeat(200 * 1000)),
      binaryRequest({ opcode: 0x00, key: 'b:large' }),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['stats groups', Buffer.concat([
      binaryRequest({ opcode: 0x10, key: 'nosuchgroup' }),
      binaryRequest({ opcode: 0x10, key: 'conns' }),
      binaryRequest({ opcode: 0x10, key: 'resetxyz' }),
      binaryRequest({ opcode: 0x0a }),
    ])],
    ['a key over 250 bytes closes the connection', binaryRequest({ opcode: 0x00, key: 'k'.repeat(251) })],
    ['extras and key longer than the body close the connection', Buffer.concat([binaryRequest({ opcode: 0x00, key: 'k', bodyLength: 0 }), binaryRequest({ opcode: 0x0a })])],
    ['a malformed get closes the connection', binaryRequest({ opcode: 0x00, key: 'k', extras: uint32Extras(1) })],
    ['a malformed delete closes the connection', binaryRequest({ opcode: 0x04, key: 'k', extras: uint32Extras(1) })],
    ['a malformed noop closes the connection', binaryRequest({ opcode: 0x0a, key: 'k' })],
    ['a bad magic after a request closes without answering it', Buffer.concat([binaryRequest({ opcode: 0x0b }), Buffer.from([0x81]), Buffer.alloc(30)])],
    ['a first byte other than the request magic makes a text connection', binaryRequest({ opcode: 0x00, key: 'k\n', magic: 0x81 })],
    ['half a header waits', Buffer.concat([binaryRequest({ opcode: 0x0b }), Buffer.from([0x80, 0x00])])],
  ];

  for (const [name, payload] of cases) {
    it(name, async () => {
      const { ours: fromOurs, real: fromReal } = await bothAnswer(payload);
      expect(fromReal.length).toBeGreaterThan(0);
      expect(parseBinaryResponses(fromOurs)).toEqual(parseBinaryResponses(fromReal));
      expect(fromOurs).toBe(fromReal);
    });
  }

  it('a header and body sent byte by byte get the same answer', async () => {
    const payload = Buffer.concat([set('b:slow', 'value', 9), binaryRequest({ opcode: 0x0c, key: 'b:slow' }), binaryRequest({ opcode: 0x0a })]);
    const [a, b] = await Promise.all([MemcachedClient.connect(mirror.port), MemcachedClient.connect(real.port)]);
    for (let i = 0; i < payload.length; i += 7) {
      a.send(payload.subarray(i, i + 7));
      b.send(payload.subarray(i, i + 7));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const [fromOurs, fromReal] = await Promise.all([a.settle(150), b.settle(150)]);
    a.close();
    b.close();
    expect(parseBinaryResponses(fromOurs).responses.map((r) => [r.opcode, r.status, r.key, r.value])).toEqual([
      [0x01, 0, '', ''],
      [0x0c, 0, 'b:slow', 'value'],
      [0x0a, 0, '', ''],
    ]);
    expect(fromOurs).toBe(fromReal);
  });

  it('general stats have memcached names, one packet each, then an empty one', async () => {
    const [a, b] = await Promise.all([MemcachedClient.connect(mirror.port), MemcachedClient.connect(real.port)]);
    const [fromOurs, fromReal] = await Promise.all([binaryExchange(a, [binaryRequest({ opcode: 0x10 })]), binaryExchange(b, [binaryRequest({ opcode: 0x10 })])]);
    a.close();
    b.close();
    for (const replies of [fromOurs, fromReal]) {
      expect(replies.at(-1)).toMatchObject({ opcode: 0x10, status: 0, key: '', value: '' });
      expect(replies.every((r) => r.opaque === 0xdeadbeef && r.cas === 0n)).toBe(true);
    }
    const names = (replies: typeof fromOurs): string[] => replies.slice(0, -1).map((r) => r.key);
    const realNames = new Set(names(fromReal));
    // Every statistic we report is one memcached reports under that name.
    expect(names(fromOurs).filter((name) => !realNames.has(name))).toEqual([]);
    expect(names(fromOurs)).toContain('curr_items');
  });

  it('a binary connection never falls back to text', async () => {
    const { ours: fromOurs, real: fromReal } = await bothAnswer(Buffer.concat([binaryRequest({ opcode: 0x0b }), Buffer.from('get k\r\nversion\r\nversion\r\nversion\r\n')]));
    expect(fromOurs).toBe(fromReal);
    expect(fromOurs.endsWith('<closed>')).toBe(true);
  });
});
