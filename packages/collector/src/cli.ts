#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { exportCommand } from './cli-export.js';
import { destinationsCommand } from './cli-destinations.js';
import { insightsCommand } from './cli-insights.js';
import { migrateCommand } from './cli-migrate.js';
import { tokenCommand } from './cli-token.js';
import { ConfigError, loadConfig } from './config.js';
import { createCollector } from './server.js';

const USAGE = `Usage: tillit-collector [--config FILE]
       tillit-collector token --user ID [--minutes 10] [--site NAME] [--config FILE]
       tillit-collector migrate [--config FILE]
       tillit-collector insights ANALYSIS [--from ISO] [--to ISO] [--model M ...] [--json|--csv] [--site NAME]
       tillit-collector export [--from ISO] [--to ISO] [--type T] [--site NAME] [--format ndjson|csv|parquet]
                               [--cursor C] [--limit N] [--out FILE]
       tillit-collector destinations list | replay --name NAME [--config FILE]

Starts the Tillit collector. Configuration comes from a JSON file (--config or TILLIT_CONFIG)
and environment variables: TILLIT_HOST, TILLIT_PORT, TILLIT_DATA_DIR, TILLIT_DATABASE_URL, TILLIT_CLIENT_IP,
TILLIT_DURABILITY, TILLIT_RETENTION_DAYS, TILLIT_OPERATOR_TOKEN, TILLIT_SERVER_KEY, TILLIT_PUBLIC_ORIGIN, and
TILLIT_WRITE_KEY with TILLIT_ORIGINS and TILLIT_TOKEN_KEYS (comma lists) for a one-site setup.

\`token\` prints a data-subject token for a logged-in user, signed with the site's first token key
(what a site's backend does with mintToken() from @tillit/collector).

\`migrate\` brings the database's schema up to date and exits (SQLite in the data directory, or
PostgreSQL with TILLIT_DATABASE_URL / "database"); collectors also migrate at start, under a lock.

\`insights\` runs one analysis (attribution, journeys, cltv, segments, basket, cohorts, nps) on the
stored events and prints JSON (default) or CSV; parameters as GET /v1/insights/ANALYSIS takes them.

\`export\` writes the stored events (NDJSON by default) to FILE or standard output, streamed, and prints
the cursor that resumes after the last one (--cursor); parameters as GET /v1/export takes them.

\`destinations list\` shows each destination's outbox (depth, oldest age, failing, dead letters, open
erasure propagations); \`destinations replay --name NAME\` queues its dead letters again.`;

async function main(): Promise<void> {
  if (process.argv[2] === 'token') {
    console.log(tokenCommand(process.argv.slice(3)));
    return;
  }
  if (process.argv[2] === 'insights') {
    process.stdout.write(`${(await insightsCommand(process.argv.slice(3))).trimEnd()}\n`);
    return;
  }
  if (process.argv[2] === 'export') {
    // The summary goes to stderr: stdout may be the export itself.
    console.error(await exportCommand(process.argv.slice(3)));
    return;
  }
  if (process.argv[2] === 'destinations') {
    console.log(await destinationsCommand(process.argv.slice(3)));
    return;
  }
  if (process.argv[2] === 'migrate') {
    console.log(await migrateCommand(process.argv.slice(3)));
    return;
  }
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
  console.error(
    error instanceof ConfigError || (error as Error).message?.startsWith('[tillit]') ? (error as Error).message : error,
  );
  process.exit(1);
});
