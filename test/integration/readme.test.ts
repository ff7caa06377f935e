import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  END_MARKER,
  README_PATH,
  START_MARKER,
  loadCommandGroups,
  renderCommandList,
  replaceCommandList,
} from '../../scripts/readme-commands.js';

// The README's command list is generated from the command table (npm run docs); this fails when
// a command was added, removed or re-described without regenerating it.

describe('README command list', () => {
  it('matches the command table (run `npm run docs` to regenerate)', async () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const expected = replaceCommandList(readme, renderCommandList(await loadCommandGroups()));
    const section = (text: string): string => text.slice(text.indexOf(START_MARKER), text.indexOf(END_MARKER) + END_MARKER.length);
    expect(section(readme)).toBe(section(expected));
  });

  it('lists every registered command and subcommand by name', async () => {
    const readme = readFileSync(README_PATH, 'utf8');
    for (const command of (await loadCommandGroups()).flat()) {
      const names = command.subcommands?.length ? command.subcommands.map((sub) => `${command.name} ${sub.name}`) : [command.name];
      for (const name of names) expect(readme).toContain(`- \`${name.toUpperCase()}\` — `);
    }
  });

  it('refuses a README without the markers instead of appending blindly', () => {
    expect(() => replaceCommandList('# no markers\n', '- `PING`')).toThrow(/commands:start/);
  });
});
