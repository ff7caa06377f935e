import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDist, projectRoot } from './project-root.js';

// README.md's list of supported commands is generated from the command table (dist/commands),
// so it cannot drift from what the server registers: `npm run docs` rewrites the section between
// the markers, and test/integration/readme.test.ts fails when it is out of date.

/** The part of a CommandSpec the list needs (the full type lives in src/commands/spec.ts). */
export interface ListedCommand {
  name: string;
  group: string;
  summary: string;
  since: string;
  subcommands?: readonly ListedCommand[];
}

export const START_MARKER = '<!-- commands:start -->';
export const END_MARKER = '<!-- commands:end -->';

/** Redis' documentation order and titles for the command groups. */
const GROUP_TITLES: readonly [string, string][] = [
  ['connection', 'Connection'],
  ['server', 'Server'],
  ['generic', 'Keys (generic)'],
  ['string', 'Strings'],
  ['bitmap', 'Bitmaps'],
  ['list', 'Lists'],
  ['hash', 'Hashes'],
  ['set', 'Sets'],
  ['sorted-set', 'Sorted sets'],
  ['hyperloglog', 'HyperLogLog'],
  ['geo', 'Geospatial'],
  ['stream', 'Streams'],
  ['pubsub', 'Pub/Sub'],
  ['transactions', 'Transactions'],
  ['scripting', 'Scripting'],
  ['cluster', 'Cluster'],
  ['sentinel', 'Sentinel'],
];

function entries(command: ListedCommand): { name: string; summary: string }[] {
  const name = command.name.toUpperCase();
  if (!command.subcommands || command.subcommands.length === 0) return [{ name, summary: command.summary }];
  return [...command.subcommands]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((sub) => ({ name: `${name} ${sub.name.toUpperCase()}`, summary: sub.summary }));
}

/** The markdown between the markers (markers excluded). */
export function renderCommandList(groups: readonly (readonly ListedCommand[])[]): string {
  const byGroup = new Map<string, ListedCommand[]>();
  for (const command of groups.flat()) {
    const list = byGroup.get(command.group) ?? [];
    list.push(command);
    byGroup.set(command.group, list);
  }
  const known = new Set(GROUP_TITLES.map(([group]) => group));
  const titles = [...GROUP_TITLES, ...[...byGroup.keys()].filter((group) => !known.has(group)).sort().map((group): [string, string] => [group, group])];
  const total = [...byGroup.values()].reduce((sum, list) => sum + list.reduce((count, command) => count + entries(command).length, 0), 0);
  const lines = [`_Generated from the command table by \`npm run docs\`: ${total} commands and subcommands._`];
  for (const [group, title] of titles) {
    const commands = byGroup.get(group);
    if (!commands) continue;
    const rows = commands.flatMap(entries).sort((a, b) => a.name.localeCompare(b.name));
    lines.push('', `#### ${title} (${rows.length})`, '');
    for (const row of rows) lines.push(`- \`${row.name}\` — ${row.summary}`);
  }
  return lines.join('\n');
}

/** README text with the section replaced; throws when the markers are missing. */
export function replaceCommandList(readme: string, list: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README.md needs ${START_MARKER} … ${END_MARKER}`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${list}\n${readme.slice(end)}`;
}

export async function loadCommandGroups(): Promise<readonly (readonly ListedCommand[])[]> {
  const module = await importDist<{ COMMAND_GROUPS: readonly (readonly ListedCommand[])[] }>('commands/index.js');
  return module.COMMAND_GROUPS;
}

export const README_PATH = join(projectRoot(), 'README.md');

async function main(): Promise<void> {
  const readme = readFileSync(README_PATH, 'utf8');
  const updated = replaceCommandList(readme, renderCommandList(await loadCommandGroups()));
  if (updated === readme) {
    process.stdout.write('README.md command list is up to date\n');
    return;
  }
  writeFileSync(README_PATH, updated);
  process.stdout.write('README.md command list rewritten\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
