import { CommandError, ERR_NOT_INTEGER, ERR_SYNTAX } from '../protocol/errors.js';
import { DoubleReply, MapReply, OK, VerbatimReply, type Reply } from '../protocol/reply.js';
import { collectGarbage } from '../server/heap-collector.js';
import { memoryOverhead, type MemoryOverhead } from '../server/info.js';
import type { Server } from '../server/server.js';
import type { Session } from '../server/session.js';
import { parseInt64 } from './args.js';
import { helpReply } from './server-admin.js';
import type { CommandSpec } from './spec.js';

// MEMORY: Redis' memory diagnostics container. PURGE asks the allocator to give freed memory back;
// here the allocator is V8's heap, so it runs a full garbage collection, after which V8 shrinks
// its spaces and returns pages to the system (without it an idle process keeps its heap as it was).

function purge(): Reply {
  // Measured: one collection frees the garbage, and only a second one right after lets V8 shrink
  // its spaces and unmap the pages (RSS after 1M keys: 215 -> 174 bytes/key with one, -> ~135 with two).
  collectGarbage();
  collectGarbage();
  return OK;
}

/**
 * MEMORY USAGE key [SAMPLES count]: the key's cost in bytes. The key is found as stored (Redis'
 * dictFind: an expired key not yet removed still answers). Every collection keeps its exact
 * running cost, so SAMPLES is checked as Redis checks it and needs no sampling.
 */
function usage(session: Session, argv: string[]): Reply {
  for (let j = 3; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'samples' && j + 1 < argv.length) {
      const samples = parseInt64(argv[j + 1]!);
      if (samples === undefined) throw new CommandError(ERR_NOT_INTEGER);
      if (samples < 0) throw new CommandError(ERR_SYNTAX);
      j++;
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  const db = session.db;
  const slot = db.peek(argv[2]!);
  return slot < 0 ? null : db.usageAt(slot);
}

/** MEMORY STATS: Redis 7.0's 27 fields plus one map per database holding keys, in its order. */
function stats(session: Session): Reply {
  const memory = memoryOverhead(session.server);
  const ratios = allocatorRatios(memory);
  const flat: Reply[] = [
    'peak.allocated', memory.peak,
    'total.allocated', memory.used,
    'startup.allocated', memory.startup,
    'replication.backlog', 0,
    'clients.slaves', 0,
    'clients.normal', memory.clientsNormal,
    'cluster.links', 0,
    'aof.buffer', 0,
    'lua.caches', 0,
    'functions.caches', 0,
  ];
  for (const db of memory.databases) {
    flat.push(`db.${db.id}`, new MapReply(['overhead.hashtable.main', db.main, 'overhead.hashtable.expires', db.expires, 'overhead.hashtable.slot-to-keys', 0]));
  }
  flat.push(
    'overhead.total', memory.overheadTotal,
    'keys.count', memory.totalKeys,
    'keys.bytes-per-key', memory.bytesPerKey,
    'dataset.bytes', memory.dataset,
    'dataset.percentage', new DoubleReply(memory.datasetPercent),
    'peak.percentage', new DoubleReply(memory.peakPercent),
    'allocator.allocated', memory.allocatorAllocated,
    'allocator.active', memory.allocatorActive,
    'allocator.resident', memory.allocatorResident,
    'allocator-fragmentation.ratio', new DoubleReply(ratios.allocatorFrag),
    'allocator-fragmentation.bytes', memory.allocatorActive - memory.allocatorAllocated,
    'allocator-rss.ratio', new DoubleReply(ratios.allocatorRss),
    'allocator-rss.bytes', memory.allocatorResident - memory.allocatorActive,
    'rss-overhead.ratio', new DoubleReply(1),
    'rss-overhead.bytes', 0,
    'fragmentation', new DoubleReply(ratios.total),
    'fragmentation.bytes', memory.rss - memory.used,
  );
  return new MapReply(flat);
}

/** Redis keeps these ratios as floats. */
function allocatorRatios(memory: MemoryOverhead): { allocatorFrag: number; allocatorRss: number; total: number } {
  return {
    allocatorFrag: Math.fround(memory.allocatorActive / memory.allocatorAllocated),
    allocatorRss: Math.fround(memory.allocatorResident / memory.allocatorActive),
    total: Math.fround(memory.rss / memory.used),
  };
}

const MIB = 1024 * 1024;

/** MEMORY DOCTOR: Redis' getMemoryDoctorReport, its thresholds applied to this node's figures. */
function doctor(server: Server): string {
  const memory = memoryOverhead(server);
  const ratios = allocatorRatios(memory);
  const reports: string[] = [];
  // Redis calls an instance under 5 MB empty; its startup is under 1 MB, V8's several, so the
  // test is on what the data adds, with Redis' margin: under 4 MB of it.
  if (memory.used - memory.startup < 4 * MIB) {
    return (
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. " +
      'Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n'
    );
  }
  if (Math.fround(memory.peak / memory.used) > 1.5) reports.push(DOCTOR_BIG_PEAK);
  if (ratios.total > 1.4 && memory.rss - memory.used > 10 * MIB) reports.push(DOCTOR_HIGH_FRAG);
  if (ratios.allocatorFrag > 1.1 && memory.allocatorActive - memory.allocatorAllocated > 10 * MIB) reports.push(DOCTOR_HIGH_ALLOC_FRAG);
  if (ratios.allocatorRss > 1.1 && memory.allocatorResident - memory.allocatorActive > 10 * MIB) reports.push(DOCTOR_HIGH_ALLOC_RSS);
  const clients = server.sessions.size;
  if (clients > 0 && memory.clientsNormal / clients > 200 * 1024) reports.push(DOCTOR_BIG_CLIENT_BUF);
  if (reports.length === 0) return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  return `Sam, I detected a few issues in this Redis instance memory implants:\n\n${reports.map((report) => `${report}\n\n`).join('')}I'm here to keep you safe, Sam. I want to help you.\n`;
}

const DOCTOR_BIG_PEAK =
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.';
const DOCTOR_HIGH_FRAG =
  ' * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "libc".';
const DOCTOR_HIGH_ALLOC_FRAG =
  " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.";
const DOCTOR_HIGH_ALLOC_RSS =
  ' * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.';
const DOCTOR_BIG_CLIENT_BUF =
  ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.';

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

export const memoryCommands: CommandSpec[] = [
  {
    name: 'memory',
    arity: -2,
    flags: [],
    acl: ['slow'],
    group: 'server',
    since: '4.0.0',
    summary: 'A container for memory diagnostics commands',
    complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'doctor',
        arity: 2,
        flags: [],
        acl: ['slow'],
        group: 'server',
        since: '4.0.0',
        summary: 'Outputs memory problems report',
        complexity: 'O(1)',
        handler: (session) => new VerbatimReply('txt', doctor(session.server)),
      },
      {
        name: 'malloc-stats',
        arity: 2,
        flags: [],
        acl: ['slow'],
        group: 'server',
        since: '4.0.0',
        summary: 'Show allocator internal stats',
        complexity: 'Depends on how much memory is allocated, could be slow',
        // What Redis built without jemalloc answers: V8's heap is not an allocator it can report on.
        handler: () => 'Stats not supported for the current allocator',
      },
      {
        name: 'stats',
        arity: 2,
        flags: [],
        acl: ['slow'],
        group: 'server',
        since: '4.0.0',
        summary: 'Show memory usage details',
        complexity: 'O(1)',
        handler: stats,
      },
      {
        name: 'usage',
        arity: -3,
        flags: ['readonly'],
        keys: { first: 2, last: 2, step: 1 },
        keyFlags: ['RO'],
        acl: ['read', 'slow'],
        group: 'server',
        since: '4.0.0',
        summary: 'Estimate the memory usage of a key',
        complexity: 'O(N) where N is the number of samples.',
        arguments: [
          { name: 'key', type: 'key' },
          { name: 'count', type: 'integer', token: 'SAMPLES', optional: true },
        ],
        handler: usage,
      },
      {
        name: 'purge',
        arity: 2,
        flags: [],
        acl: ['slow'],
        group: 'server',
        since: '4.0.0',
        summary: 'Ask the allocator to release memory',
        complexity: 'Depends on how much memory is allocated, could be slow',
        handler: purge,
      },
      {
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        acl: ['slow'],
        group: 'server',
        since: '4.0.0',
        summary: 'Show helpful text about the different subcommands',
        complexity: 'O(1)',
        handler: () => helpReply('MEMORY', MEMORY_HELP),
      },
    ],
  },
];
