import { OK, type Reply } from '../protocol/reply.js';
import { readString } from './lookup.js';
import type { CommandSpec } from './spec.js';

export const stringCommands: CommandSpec[] = [
  {
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['read', 'string', 'fast'],
    group: 'string',
    since: '1.0.0',
    summary: 'Returns the string value of a key.',
    complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }],
    handler: (session, argv): Reply => readString(session.db, argv[1]!) ?? null,
  },
  {
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['write', 'string', 'slow'],
    group: 'string',
    since: '1.0.0',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    complexity: 'O(1)',
    handler: (session, argv): Reply => {
      session.db.set(argv[1]!, argv[2]!);
      return OK;
    },
  },
];
