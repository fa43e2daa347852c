#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { createCollector } from './server.js';

const USAGE = `Usage: tillit-collector [--config FILE]

Starts the Tillit collector. Configuration comes from a JSON file (--config or TILLIT_CONFIG)
and environment variables: TILLIT_HOST, TILLIT_PORT, TILLIT_DATA_DIR, TILLIT_CLIENT_IP,
TILLIT_DURABILITY, TILLIT_WRITE_KEY with TILLIT_ORIGINS (comma list) for a one-site setup.`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const collector = createCollector(loadConfig(process.env, values.config ?? process.env.TILLIT_CONFIG));
  const url = await collector.listen();
  console.log(`[tillit-collector] listening on ${url} (data in ${collector.config.dataDir})`);
  const stop = (signal: string) => {
    console.log(`[tillit-collector] ${signal}: finishing requests in flight, then closing the database`);
    collector.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
