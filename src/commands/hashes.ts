import type { CommandSpec } from './spec.js';

export const hashesCommands: CommandSpec[] = [];
