import type { Clock } from '../server/clock.js';
import { MemcachedEngine, type MemcachedOptions } from './engine.js';

/**
 * An ElastiCache Memcached cluster inside this process: `memcached-nodes` independent nodes, each
 * with its own listener, store and memory limit, on consecutive ports from `memcached-port`.
 * Every node answers Auto Discovery (`config get cluster`, `get AmazonElastiCache:cluster`, the
 * binary config get) with the whole node list, as each ElastiCache node does.
 *
 * The list names each node `hostname|ip|port`. ElastiCache gives DNS names and private addresses;
 * here the address is the first IPv4 bind address (127.0.0.1 for a wildcard bind or an IPv6-only
 * one) and the host name is "localhost" for a loopback address, the address itself otherwise.
 */
export class MemcachedCluster {
  readonly nodes: MemcachedEngine[] = [];
  /** Starts at 1 as on ElastiCache and would go up by one whenever the node list changes. */
  readonly configVersion = 1;

  constructor(clock: Clock, options: MemcachedOptions, nodeCount: number) {
    for (let i = 0; i < nodeCount; i++) {
      const node = new MemcachedEngine(clock, { ...options, port: options.port + i });
      node.cluster = this;
      this.nodes.push(node);
    }
  }

  /** The first node (the configuration endpoint a client is given). */
  get first(): MemcachedEngine {
    return this.nodes[0]!;
  }

  async listen(): Promise<void> {
    for (const node of this.nodes) await node.listen();
  }

  /** The configuration's value: the version, a newline, the nodes separated by spaces, a newline. */
  describe(): string {
    let list = '';
    for (const node of this.nodes) {
      const ip = advertisedAddress(node.addresses);
      const host = ip.startsWith('127.') ? 'localhost' : ip;
      list += (list === '' ? '' : ' ') + host + '|' + ip + '|' + node.port;
    }
    return this.configVersion + '\n' + list + '\n';
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.close()));
  }
}

function advertisedAddress(addresses: readonly string[]): string {
  for (const address of addresses) {
    if (address === '*' || address === '0.0.0.0') return '127.0.0.1';
    if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) return address;
  }
  return '127.0.0.1';
}
