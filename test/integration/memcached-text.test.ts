import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcachedTextParser, TextFrame } from '../../src/protocol/memcached/text-parser.js';
import { MemcachedClient, startOurMemcached, startRealMemcached, type MemcachedServer } from '../helpers/memcached-client.js';

// The memcached text protocol on our memcached port: the request parser under every split of
// the byte stream, replies compared with a real memcached 1.6 for scripted sessions (errors,
// noreply, swallowed data blocks), connection handling after bad input, stats counters, the
// memory and item size limits, and libmemcached's command-line tools.

let ours: MemcachedServer;
let real: MemcachedServer;

beforeAll(async () => {
  [ours, real] = await Promise.all([startOurMemcached(), startRealMemcached()]);
});

afterAll(async () => {
  await Promise.all([ours?.stop(), real?.stop()]);
});

/** Sends the same bytes to both servers on fresh connections; both answers after `quietMs` of silence. */
async function bothAnswer(payload: string | Buffer, quietMs = 150): Promise<[string, string]> {
  const [a, b] = await Promise.all([MemcachedClient.connect(ours.port), MemcachedClient.connect(real.port)]);
  a.send(payload);
  b.send(payload);
  const replies = await Promise.all([a.settle(quietMs), b.settle(quietMs)]);
  a.close();
  b.close();
  return replies;
}

function frames(parser: MemcachedTextParser): string[] {
  const out: string[] = [];
  for (;;) {
    const frame = parser.next();
    if (frame === TextFrame.Incomplete) return out;
    if (frame === TextFrame.Close) {
      out.push('close');
      return out;
    }
    if (frame === TextFrame.Data) out.push(`data:${JSON.stringify(parser.data)}:${parser.blockTerminated}`);
    else {
      const tokens = Array.from({ length: parser.count }, (_, index) => parser.token(index));
      out.push(`line:${tokens.join('|')}`);
      // The command layer decides about data blocks; this stand-in asks for one after set and swallows after big.
      if (tokens[0] === 'set') parser.expectData(Number(tokens[4]));
      if (tokens[0] === 'big') parser.swallow(Number(tokens[1]) + 2);
    }
  }
}

describe('memcached text request parser', () => {
  it('yields the same frames under every split of the input', () => {
    const input = Buffer.from('get a  b\r\nset k 0 0 5\r\nab\r\nc\r\nbig 3\r\nxyz\r\nx\nset k 1 2 2\r\nzzQQ\r\n\r\nmg k v\r\n', 'latin1');
    const whole = new MemcachedTextParser();
    whole.feed(input);
    const expected = frames(whole);
    expect(expected).toEqual([
      'line:get|a|b',
      'line:set|k|0|0|5',
      'data:"ab\\r\\nc":true',
      'line:big|3',
      'line:x',
      'line:set|k|1|2|2',
      'data:"zz":false',
      // memcached strips \r only from lines longer than one byte: a bare \r\n is the command "\r".
      'line:\r',
      'line:\r',
      'line:mg|k|v',
    ]);
    for (let first = 0; first <= input.length; first++) {
      for (const second of [first, Math.min(input.length, first + 7)]) {
        const parser = new MemcachedTextParser();
        const seen: string[] = [];
        for (const [start, end] of [
          [0, first],
          [first, second],
          [second, input.length],
        ] as const) {
          // Each chunk is a view into a buffer that is overwritten afterwards, as the shared read buffer is.
          const chunk = Buffer.from(input.subarray(start, end));
          parser.feed(chunk);
          seen.push(...frames(parser));
          parser.retainLeftover();
          chunk.fill(0x21);
        }
        expect(seen, `split at ${first}/${second}`).toEqual(expected);
      }
    }
  });

  it('closes on 2 KB without a newline unless the line is a multiget', () => {
    const parser = new MemcachedTextParser();
    parser.feed(Buffer.from('set ' + 'k'.repeat(3000)));
    expect(parser.next()).toBe(TextFrame.Close);
    const multiget = new MemcachedTextParser();
    multiget.feed(Buffer.from('get ' + 'k '.repeat(1500)));
    expect(multiget.next()).toBe(TextFrame.Incomplete);
  });
});

describe('memcached text protocol, side by side with memcached 1.6', () => {
  const sessions: [string, string][] = [
    ['storage and retrieval', 'set a 5 0 3\r\nabc\r\nadd a 0 0 1\r\nx\r\nreplace a 7 0 2\r\nzz\r\nappend a 0 0 2\r\n12\r\nprepend a 0 0 2\r\n00\r\nget a b a\r\nadd b 0 0 0\r\n\r\nget b\r\nreplace nope 0 0 1\r\nx\r\nappend nope 0 0 1\r\nx\r\n'],
    ['noreply everywhere it is allowed', 'set a 0 0 1 noreply\r\n1\r\nadd a 0 0 1 noreply\r\n2\r\nincr a 5 noreply\r\ndecr a 1 noreply\r\ntouch a 100 noreply\r\nget a\r\ndelete a noreply\r\ndelete a 0 noreply\r\nflush_all noreply\r\nverbosity 1 noreply\r\nget a\r\n'],
    ['incr/decr wrap, floor and in-place padding', 'set n 0 0 20\r\n18446744073709551615\r\nincr n 1\r\nset m 0 0 3\r\n100\r\ndecr m 95\r\nget m\r\ndecr m 100\r\nincr m 1000\r\nget m\r\nincr m x\r\nincr m -1\r\nset s 0 0 1\r\nz\r\nincr s 1\r\nincr none 1\r\n'],
    ['command line errors', '\r\nfoo\r\nget\r\nset a 0 0\r\nset a 0 0 -1\r\nset a x 0 1\r\ndelete a 1\r\ndelete a 0 0\r\ntouch a x\r\ngat x a\r\nflush_all x\r\nverbosity\r\nverbosity x\r\ncas a 0 0 1\r\ncas a 0 0 1 x\r\nincr a\r\nGET a\r\n'],
    ['a bad data chunk is consumed by its announced length', 'set c 0 0 3\r\nabcd\r\nget c\r\nset c 0 0 3 noreply\r\nab\r\n\r\nget c\r\n'],
    ['keys over 250 bytes', `set ${'k'.repeat(251)} 0 0 1\r\nx\r\nget ${'k'.repeat(251)}\r\ndelete ${'k'.repeat(251)}\r\nincr ${'k'.repeat(251)} 1\r\n`],
    ['cas', 'set a 0 0 1\r\nx\r\ncas a 0 0 1 0\r\ny\r\ncas nope 0 0 1 1\r\ny\r\ngets nope\r\n'],
    ['expiry: negative, relative and absolute times', `set a 0 -1 1\r\nx\r\nget a\r\nset a 0 2592001 1\r\nx\r\nget a\r\nset a 0 ${Math.floor(Date.now() / 1000) + 1000} 1\r\nx\r\nget a\r\nset b 0 100 1\r\ny\r\ntouch b -1\r\nget b\r\nset c 0 0 1\r\nz\r\ngat -1 c\r\nget c\r\n`],
    ['flags are 32-bit', 'set a 4294967295 0 1\r\nx\r\nget a\r\nset a 4294967296 0 1\r\nx\r\nget a\r\nset a -1 0 1\r\nx\r\n'],
    ['version, verbosity, unknown stats, shutdown', 'version\r\nverbosity 1\r\nverbosity 1 2\r\nstats nonsense\r\nstats reset\r\nshutdown\r\n'],
  ];
  for (const [name, payload] of sessions) {
    it(name, async () => {
      await bothAnswer('flush_all\r\n');
      const [a, b] = await bothAnswer(payload);
      expect(a.replace(/^(VALUE \S+ \d+ \d+) \d+/gm, '$1 #')).toBe(b.replace(/^(VALUE \S+ \d+ \d+) \d+/gm, '$1 #'));
      expect(a.length).toBeGreaterThan(0);
    });
  }

  it('gets returns CAS values that cas accepts once', async () => {
    const client = await MemcachedClient.connect(ours.port);
    const first = await client.request('set k 0 0 1\r\nx\r\ngets k\r\n');
    const cas = /VALUE k 0 1 (\d+)/.exec(first)![1]!;
    expect(await client.request(`cas k 0 0 1 ${cas}\r\ny\r\n`)).toBe('STORED\r\n');
    expect(await client.request(`cas k 0 0 1 ${cas}\r\nz\r\n`)).toBe('EXISTS\r\n');
    client.close();
  });

  it('quit closes the connection after the replies before it', async () => {
    const [a, b] = await bothAnswer('version\r\nquit\r\nversion\r\n');
    expect(a).toBe(b);
    expect(a).toBe('VERSION 1.6.18\r\n');
  });
});

describe('bad input: same error, connection handled as memcached does, other clients unaffected', () => {
  it('a too-large value is refused and its data block swallowed; a refused set drops the old value', async () => {
    const big = 'v'.repeat(1024 * 1024 + 10);
    const payload = `set big 0 0 1\r\nx\r\nset big 0 0 ${big.length}\r\n${big}\r\nget big\r\nset big 0 0 ${big.length} noreply\r\n${big}\r\nversion\r\n`;
    const [a, b] = await bothAnswer(payload, 300);
    expect(a).toBe(b);
    expect(a).toBe('STORED\r\nSERVER_ERROR object too large for cache\r\nEND\r\nVERSION 1.6.18\r\n');
  });

  it('a line of garbage without a newline closes that connection only', async () => {
    const other = await MemcachedClient.connect(ours.port);
    const garbage = Buffer.alloc(5000, 0x41);
    const [a, b] = await Promise.all([MemcachedClient.connect(ours.port), MemcachedClient.connect(real.port)]);
    a.send(garbage);
    b.send(garbage);
    const [ourReply, realReply] = await Promise.all([a.settle(200), b.settle(200)]);
    expect([ourReply, a.isClosed]).toEqual([realReply, b.isClosed]);
    expect(a.isClosed).toBe(true);
    expect(await other.request('version\r\n')).toBe('VERSION 1.6.18\r\n');
    other.close();
  });

  it('binary garbage with newlines is answered line by line', async () => {
    const noise = Buffer.from([0x00, 0x0a, 0xff, 0xfe, 0x20, 0x0d, 0x0a, 0x01, 0x02, 0x0a, 0x67, 0x65, 0x74, 0x20, 0x0a]);
    const [a, b] = await bothAnswer(noise);
    expect(a).toBe(b);
  });

  it('a missing data block waits, and its bytes complete the command when they come', async () => {
    const client = await MemcachedClient.connect(ours.port);
    client.send('set slow 0 0 4\r\nab');
    expect(await client.settle(100)).toBe('');
    client.send('cd\r\nget slow\r\n');
    expect(await client.readUntil((text) => text.endsWith('END\r\n'))).toBe('STORED\r\nVALUE slow 0 4\r\nabcd\r\nEND\r\n');
    client.close();
  });
});

describe('stats, limits and eviction', () => {
  it('stats counts what happened', async () => {
    const server = await startOurMemcached();
    const client = await MemcachedClient.connect(server.port);
    await client.request('set a 1 0 3\r\nabc\r\nget a b\r\nincr a 1\r\nset n 0 0 1\r\n1\r\nincr n 1\r\ndecr x 1\r\ndelete a\r\ndelete a\r\ntouch n 10\r\ntouch zz 10\r\ncas n 0 0 1 1\r\n2\r\n');
    const stats = Object.fromEntries([...(await client.request('stats\r\n')).matchAll(/^STAT (\S+) (.*)\r$/gm)].map((m) => [m[1], m[2]]));
    expect(stats).toMatchObject({
      cmd_get: '2',
      get_hits: '1',
      get_misses: '1',
      cmd_set: '3',
      incr_hits: '1',
      decr_misses: '1',
      delete_hits: '1',
      delete_misses: '1',
      touch_hits: '1',
      touch_misses: '1',
      cas_badval: '1',
      curr_items: '1',
      total_items: '2',
      // memcached's ITEM_ntotal: 56-byte header with CAS, key + NUL, value + CRLF (flags 0: no suffix).
      bytes: String(56 + 2 + 3),
      curr_connections: '1',
      limit_maxbytes: String(64 * 1024 * 1024),
      version: '1.6.18',
      threads: '1',
    });
    const settings = await client.request('stats settings\r\n');
    expect(settings).toContain('STAT item_size_max 1048576\r\n');
    expect(await client.request('stats items\r\n')).toMatch(/^STAT items:1:number 1\r\n/);
    client.close();
    await server.stop();
  });

  it('the memory limit evicts the least recently used items; the item size limit is configurable', async () => {
    const server = await startOurMemcached(['--memcached-memory-limit', '1mb', '--memcached-max-item-size', '4096']);
    const client = await MemcachedClient.connect(server.port);
    const value = 'x'.repeat(1000);
    await client.request(`set keep 0 0 ${value.length}\r\n${value}\r\n`);
    for (let i = 0; i < 2000; i++) {
      client.send(`set k${i} 0 0 ${value.length} noreply\r\n${value}\r\n`);
      // Reading `keep` now and then keeps it at the head of the LRU.
      if (i % 100 === 0) client.send('get keep\r\n');
    }
    await client.request('');
    const stats = await client.request('stats\r\n');
    const evictions = Number(/STAT evictions (\d+)/.exec(stats)![1]);
    const bytes = Number(/STAT bytes (\d+)/.exec(stats)![1]);
    expect(evictions).toBeGreaterThan(900);
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(await client.request('get keep k0 k1999\r\n')).toMatch(/^VALUE keep 0 1000\r\nx+\r\nVALUE k1999 0 1000\r\nx+\r\nEND\r\n$/);
    expect(await client.request(`set big 0 0 5000\r\n${'y'.repeat(5000)}\r\n`)).toBe('SERVER_ERROR object too large for cache\r\n');
    client.close();
    await server.stop();
  });
});

describe("libmemcached's command-line tools against our port", () => {
  const run = (tool: string, args: string[]): Promise<{ code: number; stdout: string }> =>
    new Promise((resolve) => {
      execFile(tool, [`--servers=127.0.0.1:${ours.port}`, ...args], (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
    });

  it('memccp, memccat, memcstat and memcflush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memc-'));
    try {
      writeFileSync(join(dir, 'greeting.txt'), 'hello from memccp\n');
      expect((await run('memccp', [join(dir, 'greeting.txt')])).code).toBe(0);
      // memccat prints each value followed by a newline of its own.
      expect(await run('memccat', ['greeting.txt'])).toEqual({ code: 0, stdout: 'hello from memccp\n\n' });
      const stat = await run('memcstat', []);
      expect(stat.code).toBe(0);
      expect(stat.stdout).toContain(`Server: 127.0.0.1 (${ours.port})`);
      expect(stat.stdout).toMatch(/curr_items: [1-9]/);
      expect((await run('memcflush', [])).code).toBe(0);
      expect((await run('memccat', ['greeting.txt'])).code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
