import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemcachedClient,
  binaryExchange,
  binaryRequest,
  startOurMemcached,
  startOurMemcachedNodes,
  type MemcachedServer,
} from '../helpers/memcached-client.js';

// ElastiCache Auto Discovery over a three-node cluster (memcached-nodes 3): every node answers
// `config get cluster`, the legacy `get AmazonElastiCache:cluster` and the binary config get with
// the whole node list; memcached-elasticache (an npm auto-discovery client) finds all three nodes
// through the first and spreads keys over them; the nodes keep separate keyspaces.

interface DiscoveryClient {
  on(event: 'autoDiscover', listener: (nodes: string[]) => void): void;
  on(event: 'autoDiscoverFailure', listener: (error: Error) => void): void;
  set(key: string, value: string, lifetime: number, callback: (error: Error | undefined) => void): void;
  get(key: string, callback: (error: Error | undefined, value: string | undefined) => void): void;
  end(): void;
}
const DiscoveryClient = createRequire(import.meta.url)('memcached-elasticache') as new (endpoint: string, options: Record<string, unknown>) => DiscoveryClient;

let cluster: MemcachedServer;
let single: MemcachedServer;
const ports = (): number[] => [cluster.port, cluster.port + 1, cluster.port + 2];
const expectedConfig = (): string => `1\nlocalhost|127.0.0.1|${cluster.port} localhost|127.0.0.1|${cluster.port + 1} localhost|127.0.0.1|${cluster.port + 2}\n`;

beforeAll(async () => {
  [cluster, single] = await Promise.all([startOurMemcachedNodes(3), startOurMemcached()]);
});

afterAll(async () => {
  await Promise.all([cluster?.stop(), single?.stop()]);
});

async function textRequest(port: number, payload: string): Promise<string> {
  const client = await MemcachedClient.connect(port);
  try {
    return await client.request(payload);
  } finally {
    client.close();
  }
}

describe('the cluster configuration', () => {
  it('every node answers config get cluster with all three nodes, framed like a value', async () => {
    for (const port of ports()) {
      const config = expectedConfig();
      expect(await textRequest(port, 'config get cluster\r\n')).toBe(`CONFIG cluster 0 ${config.length}\r\n${config}\r\nEND\r\n`);
    }
  });

  it('a one-node cluster lists itself', async () => {
    const config = `1\nlocalhost|127.0.0.1|${single.port}\n`;
    expect(await textRequest(single.port, 'config get cluster\r\n')).toBe(`CONFIG cluster 0 ${config.length}\r\n${config}\r\nEND\r\n`);
  });

  it('answers the legacy key, and other config forms are errors', async () => {
    const config = expectedConfig();
    expect(await textRequest(cluster.port + 1, 'get AmazonElastiCache:cluster\r\n')).toBe(`VALUE AmazonElastiCache:cluster 0 ${config.length}\r\n${config}\r\nEND\r\n`);
    expect(await textRequest(cluster.port, 'config get other\r\nconfig set cluster 1\r\nconfig\r\n')).toBe('ERROR\r\nERROR\r\nERROR\r\n');
  });

  it('answers the binary config get (opcode 0x60) with the same text', async () => {
    const client = await MemcachedClient.connect(cluster.port + 2);
    const replies = await binaryExchange(client, [binaryRequest({ opcode: 0x60, key: 'cluster' }), binaryRequest({ opcode: 0x60, key: 'other' })]);
    client.close();
    expect(replies.map((r) => [r.opcode, r.status, r.extras, r.value])).toEqual([
      [0x60, 0, '00000000', expectedConfig()],
      [0x60, 1, '', 'Not found'],
    ]);
  });
});

describe('an auto-discovery client', () => {
  it('memcached-elasticache discovers the three nodes through the first and spreads keys over them', async () => {
    const client = new DiscoveryClient(`127.0.0.1:${cluster.port}`, { autoDiscoverInterval: 60_000, retries: 0, timeout: 2000 });
    try {
      const nodes = await new Promise<string[]>((resolve, reject) => {
        client.on('autoDiscover', resolve);
        client.on('autoDiscoverFailure', reject);
      });
      expect(nodes).toEqual(ports().map((port) => `localhost:${port}`));
      const keys = Array.from({ length: 60 }, (_, i) => `discovered:${i}`);
      for (const key of keys) {
        await new Promise<void>((resolve, reject) => client.set(key, `value of ${key}`, 0, (error) => (error ? reject(error) : resolve())));
      }
      for (const key of keys.slice(0, 5)) {
        const value = await new Promise<string | undefined>((resolve, reject) => client.get(key, (error, found) => (error ? reject(error) : resolve(found))));
        expect(value).toBe(`value of ${key}`);
      }
      // Each key lives on exactly one node, and every node got some.
      const perNode: number[] = [];
      for (const port of ports()) {
        const reply = await textRequest(port, `get ${keys.join(' ')}\r\n`);
        perNode.push(reply.split('VALUE ').length - 1);
      }
      expect(perNode.reduce((a, b) => a + b, 0)).toBe(keys.length);
      expect(perNode.every((count) => count > 0)).toBe(true);
    } finally {
      client.end();
    }
  });

  it('the nodes are separate keyspaces with their own counters', async () => {
    expect(await textRequest(cluster.port, 'set only-first 0 0 1\r\nx\r\n')).toBe('STORED\r\n');
    expect(await textRequest(cluster.port + 1, 'get only-first\r\n')).toBe('END\r\n');
    expect(await textRequest(cluster.port, 'get only-first\r\n')).toBe('VALUE only-first 0 1\r\nx\r\nEND\r\n');
    const tcpPorts = await Promise.all(ports().map(async (port) => /STAT tcpport (\d+)/.exec(await textRequest(port, 'stats settings\r\n'))?.[1]));
    expect(tcpPorts).toEqual(ports().map(String));
  });
});
