import type { CommandSpec } from './spec.js';

export const sortedSetsCommands: CommandSpec[] = [];
