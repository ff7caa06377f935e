import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcachedClient, startOurMemcached, startRealMemcached, type MemcachedServer } from '../helpers/memcached-client.js';

// The meta protocol (mg, ms, md, ma, mn, me) on our memcached port, each scripted session sent
// to a real memcached 1.6 too and the replies compared byte for byte (CAS values normalised, as
// each server numbers its own writes).

let ours: MemcachedServer;
let real: MemcachedServer;

beforeAll(async () => {
  [ours, real] = await Promise.all([startOurMemcached(), startRealMemcached()]);
});

afterAll(async () => {
  await Promise.all([ours?.stop(), real?.stop()]);
});

async function bothAnswer(payload: string): Promise<[string, string]> {
  const [a, b] = await Promise.all([MemcachedClient.connect(ours.port), MemcachedClient.connect(real.port)]);
  const replies = await Promise.all([a.request(payload), b.request(payload)]);
  a.close();
  b.close();
  return replies;
}

const normalise = (text: string): string => text.replace(/ c\d+/g, ' c#').replace(/cas=\d+/g, 'cas=#');

const sessions: [string, string][] = [
  ['mg return flags in request order, quiet misses', 'ms a 2 T0 F5\r\nhi\r\nmg a s v f t c k O123\r\nmg a k O12 q\r\nmg missing q\r\nmg missing k O7\r\nmg a\r\n'],
  ['ms modes, CAS and quiet mode', 'ms a 2 q\r\nhi\r\nms a 2 MA\r\nzz\r\nms b 2 MA\r\nzz\r\nms b 2 ME c\r\nzz\r\nms b 2 ME\r\nyy\r\nms b 1 MP k\r\nx\r\nms a 2 C1\r\nqq\r\nms nope 2 C1\r\nqq\r\nms b 1 MR\r\nr\r\nmg a v\r\nmg b v\r\n'],
  ['md: quiet, CAS mismatch, opaque', 'ms a 1\r\nx\r\nmd a C1\r\nmd a q\r\nmd a q\r\nmd a k O1\r\n'],
  ['ma: modes, vivify, initial, delta, quiet', 'ma x\r\nma x N0 J5 v\r\nma x v\r\nma x MD D10 v t\r\nma x q\r\nma x M+ D18446744073709551615 v\r\nma y q\r\nma y N0 q\r\nms s 3\r\nabc\r\nma s\r\n'],
  ['flag errors', 'mg a x\r\nmg a v v\r\nms a\r\nms a x\r\nms a -1\r\nms a 2 MX\r\nhi\r\nms a 2 Fx\r\nhi\r\nmd a Z\r\nma a D-1\r\nma a MZ\r\nmg a Tx\r\nmg a O123456789012345678901234567890123\r\nmz\r\nmg\r\n'],
  ['base64 keys', 'ms Zm9v 3 b k\r\nbar\r\nmg Zm9v b v k\r\nmg foo v k\r\nme Zm9v b\r\nmg !!!! b v\r\nmd Zm9v b q\r\nmg foo v\r\n'],
  ['stale-while-revalidate: invalidate, win, stale, recache', 'ms k 1 T100\r\nv\r\nmd k I T30\r\nmg k v c\r\nmg k v\r\nms k 1 C1 I\r\nn\r\nmg k v\r\nmg k R200 v\r\n'],
  ['vivify on miss: one client wins, the others see Z', 'mg lock N30 s\r\nmg lock N30 s\r\nms lock 1\r\nv\r\nmg lock v\r\n'],
  ['me and mn', 'ms a 1\r\nx\r\nme a\r\nme nope\r\nme\r\nmn\r\n'],
];

describe('memcached meta protocol, side by side with memcached 1.6', () => {
  for (const [name, payload] of sessions) {
    it(name, async () => {
      await bothAnswer('flush_all\r\n');
      const [a, b] = await bothAnswer(payload);
      expect(normalise(a)).toBe(normalise(b));
      expect(a.length).toBeGreaterThan(0);
    });
  }

  it('ms returns the CAS that a later ms C accepts', async () => {
    const client = await MemcachedClient.connect(ours.port);
    const cas = /c(\d+)/.exec(await client.request('ms k 1 c\r\nx\r\n'))![1]!;
    expect(await client.request(`ms k 1 C${cas}\r\ny\r\n`)).toBe('HD\r\n');
    expect(await client.request(`ms k 1 C${cas}\r\nz\r\n`)).toBe('EX\r\n');
    expect(await client.request('mg k v\r\n')).toBe('VA 1\r\ny\r\n');
    client.close();
  });
});
