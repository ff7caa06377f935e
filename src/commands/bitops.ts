import type { CommandSpec } from './spec.js';

export const bitopsCommands: CommandSpec[] = [];
