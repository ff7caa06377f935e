#!/usr/bin/env node
import { resolve } from 'node:path';
import { Config, ConfigError, parseCommandLine, readConfigFile, readEnvironment } from './server/config.js';
import { Server } from './server/server.js';

/** Configuration in increasing precedence: defaults, the config file, ELASTICACHE_* variables, --flags. */
function loadConfig(args: readonly string[]): { config: Config; file: string | undefined } {
  const config = new Config();
  const commandLine = parseCommandLine(args);
  const pairs = [
    ...(commandLine.file !== undefined ? readConfigFile(commandLine.file) : []),
    ...readEnvironment(process.env),
    ...commandLine.pairs,
  ];
  for (const [name, value] of pairs) {
    try {
      config.set(name, value);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`Invalid value for '${name}' ('${value}'): ${error.message}`);
      throw error;
    }
  }
  return { config, file: commandLine.file !== undefined ? resolve(commandLine.file) : undefined };
}

async function main(): Promise<void> {
  let loaded: { config: Config; file: string | undefined };
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const server = new Server(loaded.config);
  server.configFile = loaded.file;
  // Redis ends cleanly with status 0 on SIGTERM and SIGINT, as after SHUTDOWN.
  process.on('SIGTERM', () => server.shutdownAndExit('Received SIGTERM scheduling shutdown...'));
  process.on('SIGINT', () => server.shutdownAndExit('Received SIGINT scheduling shutdown...'));
  try {
    await server.start();
  } catch (error) {
    process.stderr.write(`Could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

void main();
