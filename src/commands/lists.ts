import type { CommandSpec } from './spec.js';

export const listsCommands: CommandSpec[] = [];
