import type { CommandSpec } from './spec.js';

export const setsCommands: CommandSpec[] = [];
