import type { CommandSpec } from './spec.js';

export const expireCommands: CommandSpec[] = [];
