import { OK, PONG, SimpleString, type Reply } from '../protocol/reply.js';
import type { CommandSpec } from './spec.js';

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping',
    arity: -1,
    flags: ['fast', 'sentinel'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Returns the server\'s liveliness response.',
    complexity: 'O(1)',
    arguments: [{ name: 'message', type: 'string', optional: true }],
    handler: (_session, argv): Reply => (argv.length === 1 ? PONG : argv.length === 2 ? argv[1]! : new SimpleString('')),
  },
  {
    name: 'quit',
    arity: -1,
    flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'],
    acl: ['fast', 'connection'],
    group: 'connection',
    since: '1.0.0',
    summary: 'Closes the connection.',
    complexity: 'O(1)',
    handler: (session): Reply => {
      session.closeAfterReply();
      return OK;
    },
  },
];
