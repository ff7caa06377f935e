import type { CommandSpec } from './spec.js';
import { bitopsCommands } from './bitops.js';
import { blockingCommands } from './blocking.js';
import { clientCommands } from './client.js';
import { commandDocsCommands } from './command-docs.js';
import { connectionCommands } from './connection.js';
import { diagnosticsCommands } from './diagnostics.js';
import { expireCommands } from './expire.js';
import { hashesCommands } from './hashes.js';
import { keyspaceCommands } from './keyspace.js';
import { listsCommands } from './lists.js';
import { memoryCommands } from './memory.js';
import { serverAdminCommands } from './server-admin.js';
import { setsCommands } from './sets.js';
import { sortCommands } from './sort.js';
import { sortedSetsCommands } from './sorted-sets.js';
import { stringCommands } from './strings.js';

/** Every command group; the command table, COMMAND and the README's list are built from this. */
export const COMMAND_GROUPS: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  clientCommands,
  serverAdminCommands,
  memoryCommands,
  commandDocsCommands,
  diagnosticsCommands,
  keyspaceCommands,
  expireCommands,
  stringCommands,
  bitopsCommands,
  hashesCommands,
  listsCommands,
  setsCommands,
  sortedSetsCommands,
  sortCommands,
  blockingCommands,
];
