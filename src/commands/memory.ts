import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { OK, type Reply } from '../protocol/reply.js';
import { helpReply } from './server-admin.js';
import type { CommandSpec } from './spec.js';

// MEMORY: Redis' memory diagnostics container. PURGE asks the allocator to give freed memory back;
// here the allocator is V8's heap, so it runs a full garbage collection, after which V8 shrinks
// its spaces and returns pages to the system (without it an idle process keeps its heap as it was).

let collectGarbage: (() => void) | undefined;

function purge(): Reply {
  if (collectGarbage === undefined) {
    // V8 installs gc() in contexts created after the flag is set; the flag changes nothing else.
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
  }
  // Measured: one collection frees the garbage, and only a second one right after lets V8 shrink
  // its spaces and unmap the pages (RSS after 1M keys: 215 -> 174 bytes/key with one, -> ~135 with two).
  collectGarbage();
  collectGarbage();
  return OK;
}

const MEMORY_HELP = ['PURGE', '    Attempt to purge dirty pages for reclamation by the allocator.'];

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
