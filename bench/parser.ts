import RedisParser from 'redis-parser';
import { importDist } from '../scripts/project-root.js';

// Our request parser against the npm redis-parser (the reply parser behind ioredis and
// node-redis 3) on the same pipelined input: commands are RESP arrays of bulk strings, which
// both parse. The input is cut into 16 KB chunks, as socket reads deliver it.
// Usage: node dist-bench/bench/parser.js [--quick]

interface RequestParserLike {
  feed(chunk: Buffer): void;
  next(): string[] | null;
  /** Copies an incomplete command's bytes out of the chunk (the session calls it after each read). */
  retainLeftover?(): void;
  error: string | undefined;
}

type RequestParserClass = new (limits: { protoMaxBulkLen: number; queryBufferLimit: number }) => RequestParserLike;

const CHUNK_SIZE = 16 * 1024;
const ITERATIONS = 7;

interface Workload {
  name: string;
  commands: number;
  chunks: Buffer[];
}

function encode(argv: string[]): string {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`;
  return text;
}

/** Alternating SET key value / GET key, like a cache's traffic. */
function workload(name: string, commands: number, valueSize: number): Workload {
  const value = 'v'.repeat(valueSize);
  const parts: string[] = [];
  for (let i = 0; i < commands; i++) {
    const key = `key:${i % 10_000}`;
    parts.push(encode(i % 2 === 0 ? ['SET', key, value] : ['GET', key]));
  }
  const input = Buffer.from(parts.join(''), 'latin1');
  const chunks: Buffer[] = [];
  // Copies, not views: each chunk stands alone as a socket read would.
  for (let offset = 0; offset < input.length; offset += CHUNK_SIZE) chunks.push(Buffer.from(input.subarray(offset, offset + CHUNK_SIZE)));
  return { name, commands, chunks };
}

type Runner = (chunks: Buffer[]) => number;

function oursRunner(RequestParser: RequestParserClass): Runner {
  return (chunks) => {
    const parser = new RequestParser({ protoMaxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 });
    let count = 0;
    for (const chunk of chunks) {
      parser.feed(chunk);
      while (parser.next() !== null) count++;
      parser.retainLeftover?.();
    }
    if (parser.error !== undefined) throw new Error(parser.error);
    return count;
  };
}

function redisParserRunner(returnBuffers: boolean): Runner {
  return (chunks) => {
    let count = 0;
    const parser = new RedisParser({
      returnReply: () => count++,
      returnError: (error) => {
        throw error;
      },
      returnBuffers,
    });
    for (const chunk of chunks) parser.execute(chunk);
    return count;
  };
}

function opsPerSecond(runner: Runner, load: Workload): number {
  const started = process.hrtime.bigint();
  const parsed = runner(load.chunks);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (parsed !== load.commands) throw new Error(`parsed ${parsed} of ${load.commands} commands`);
  return load.commands / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { RequestParser } = await importDist<{ RequestParser: RequestParserClass }>('protocol/resp/request-parser.js');
  const scale = quick ? 0.2 : 1;
  const workloads = [workload('SET/GET, 10-byte values', 400_000 * scale, 10), workload('SET/GET, 1 KB values', 100_000 * scale, 1024)];
  const runners: [string, Runner][] = [
    ['ours (latin1 strings)', oursRunner(RequestParser)],
    ['redis-parser 3.0 (strings)', redisParserRunner(false)],
    ['redis-parser 3.0 (Buffers)', redisParserRunner(true)],
  ];
  const lines = [
    `Node ${process.version}; ${CHUNK_SIZE / 1024} KB chunks; median of ${ITERATIONS} runs after a warm-up.`,
    '',
    `| Input | ${runners.map(([name]) => name).join(' | ')} |`,
    `|---|${runners.map(() => '---:').join('|')}|`,
  ];
  for (const load of workloads) {
    const samples = runners.map((): number[] => []);
    runners.forEach(([, runner]) => opsPerSecond(runner, load));
    // Interleaved so GC and JIT state weigh on every parser alike.
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      runners.forEach(([, runner], index) => samples[index]!.push(opsPerSecond(runner, load)));
    }
    const cells = samples.map((values) => `${Math.round(median(values)).toLocaleString('en-US')} cmd/s`);
    lines.push(`| ${load.name} (${load.commands.toLocaleString('en-US')} commands) | ${cells.join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
