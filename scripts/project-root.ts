import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Scripts and benchmarks run both from their TypeScript source (vitest) and compiled into
// dist-bench/, so they find the project by walking up to package.json instead of by a fixed
// relative path, and load the server's built code from dist/ at run time.

export function projectRoot(from: string = fileURLToPath(import.meta.url)): string {
  let directory = dirname(from);
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${from}`);
    directory = parent;
  }
  return directory;
}

/** Imports a module of the built server, e.g. importDist('commands/index.js'). */
export async function importDist<T>(path: string): Promise<T> {
  const file = join(projectRoot(), 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return (await import(pathToFileURL(file).href)) as T;
}
