import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { keyedHasher, loadServerKey } from './auth.js';
import { ConfigError, loadConfig } from './config.js';
import { encodeExport } from './export-format.js';
import { EXPORT_PARAMS, encodeCursor, parseExportParams } from './export-params.js';
import { ParamError } from './insights-params.js';
import { openStore } from './open-store.js';
import type { EventRow } from './store.js';

async function* counted(rows: AsyncIterable<EventRow>, count: { n: number }): AsyncIterable<EventRow> {
  for await (const row of rows) {
    count.n++;
    yield row;
  }
}

/**
 * `tillit-collector export [--from ISO] [--to ISO] [--type T] [--site S] [--format ndjson|csv|parquet]
 * [--cursor C] [--limit N] [--out FILE]`: what GET /v1/export answers, read straight from the configured
 * store (data dir or PostgreSQL) into FILE (default: standard output). Returns the line that says how
 * many rows were written and the cursor to resume after them.
 */
export async function exportCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdout: Writable = process.stdout,
): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      ...Object.fromEntries(EXPORT_PARAMS.map((name) => [name, { type: 'string' as const }])),
      out: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const given = values as Record<string, string | undefined>;
  const config = loadConfig(env, given.config ?? env.TILLIT_CONFIG);
  let request: ReturnType<typeof parseExportParams>;
  try {
    const names = EXPORT_PARAMS.filter((name) => given[name] !== undefined);
    request = parseExportParams(
      (name) => given[name],
      names,
      config.sites.map((s) => s.name),
    );
  } catch (error) {
    if (error instanceof ParamError) throw new ConfigError(`[tillit-collector] export: --${error.message}`);
    throw error;
  }
  const store = openStore(config, keyedHasher(loadServerKey(config.serverKey, config.dataDir)), { reader: true });
  try {
    const page = await store.exportEvents(request.query);
    const count = { n: 0 };
    const source = Readable.from(encodeExport(request.format, counted(page.rows, count)), { objectMode: false });
    await pipeline(source, given.out ? createWriteStream(given.out) : stdout, { end: given.out !== undefined });
    const cursor = page.last === null ? '(none: the store holds no events)' : encodeCursor(request.query, page.last);
    const more = page.more ? ' (more follow: run again with --cursor)' : '';
    return `[tillit-collector] exported ${count.n} events to ${given.out ?? 'standard output'}${more}; cursor: ${cursor}`;
  } finally {
    await store.close();
  }
}
