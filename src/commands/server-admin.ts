import type { CommandSpec } from './spec.js';

export const serverAdminCommands: CommandSpec[] = [];
