import type { CommandSpec } from './spec.js';

export const commandDocsCommands: CommandSpec[] = [];
