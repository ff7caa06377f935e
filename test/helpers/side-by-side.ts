import { expect } from 'vitest';
import type { Redis } from 'ioredis';

// Comparing our server with redis-server through ioredis: the same commands pipelined to both,
// replies normalised to plain values (errors as "!<text>") and compared.

export type Normalised = string | number | null | Normalised[];
export type Commands = readonly (readonly string[])[];

export function normalise(value: unknown): Normalised {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'number' || typeof value === 'string' || value === null) return value;
  if (typeof value === 'bigint') return String(value);
  throw new Error(`unexpected reply ${String(value)}`);
}

/** Runs the commands pipelined on one client, arguments as latin1 bytes; each reply normalised. */
export async function run(client: Redis, commands: Commands): Promise<Normalised[]> {
  const pipeline = client.pipeline();
  for (const [name, ...args] of commands) pipeline.callBuffer(name!, ...args.map((arg) => Buffer.from(arg, 'latin1')));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => (error ? `!${error.message}` : normalise(value)));
}

/** Arrays in hash order become sorted, nested ones too (SCAN's, KEYS'). */
export function unordered(reply: Normalised): Normalised {
  if (!Array.isArray(reply)) return reply;
  return reply.map(unordered).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

export interface SameOptions {
  /** Commands (lower case) whose array replies are compared as sets. */
  sets?: readonly string[];
  /** How far a positive TTL / PTTL may differ: the servers read their clocks a moment apart. */
  ttlSeconds?: number;
  pttlMs?: number;
}

/** Sends the commands to both servers and expects the same replies; returns Redis' replies. */
export async function same(ours: Redis, redis: Redis, commands: Commands, options: SameOptions = {}): Promise<Normalised[]> {
  const [mine, theirs] = await Promise.all([run(ours, commands), run(redis, commands)]);
  const { sets = [], ttlSeconds = 1, pttlMs = 50 } = options;
  commands.forEach(([name], i) => {
    const lower = name!.toLowerCase();
    if (sets.includes(lower)) {
      mine[i] = unordered(mine[i]!);
      theirs[i] = unordered(theirs[i]!);
    }
    const [a, b] = [mine[i], theirs[i]];
    if (typeof a !== 'number' || typeof b !== 'number' || a <= 0 || b <= 0) return;
    if (lower === 'ttl' && Math.abs(a - b) <= ttlSeconds) mine[i] = b;
    if (lower === 'pttl' && Math.abs(a - b) <= pttlMs) mine[i] = b;
  });
  expect(mine).toEqual(theirs);
  return theirs;
}
