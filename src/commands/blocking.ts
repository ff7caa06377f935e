import type { CommandSpec } from './spec.js';

export const blockingCommands: CommandSpec[] = [];
