#!/usr/bin/env node
import { Config, ConfigError, parseCommandLine, readConfigFile, readEnvironment } from './server/config.js';
import { Server } from './server/server.js';

/** Configuration in increasing precedence: defaults, the config file, ELASTICACHE_* variables, --flags. */
function loadConfig(args: readonly string[]): Config {
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
  return config;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const server = new Server(config);
  const stop = (signal: string): void => {
    void server.shutdown(`Received ${signal} scheduling shutdown`).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await server.start();
  } catch (error) {
    process.stderr.write(`Could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

void main();
