// `tillit-collector export` on the stores as configured: the SQLite data dir and a PostgreSQL schema.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, expect, it } from 'vitest';
import { exportCommand } from './cli-export.js';
import { openStore } from './open-store.js';
import { loadConfig } from './config.js';
import { createTestSchema } from './pg/test-database.js';
import { eventRow } from './store-contract-rows.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A config file (and its dir) with `rows` stored in its store. */
async function stored(extra: object, count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tillit-export-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tillit.json');
  const site = { name: 'site-a', writeKey: 'key-12345678' };
  writeFileSync(file, JSON.stringify({ sites: [site], serverKey: 'k'.repeat(32), dataDir: join(dir, 'data'), ...extra }));
  const store = openStore(loadConfig({}, file), () => '');
  const rows = Array.from({ length: count }, (_, i) => eventRow({ timestamp: 1_000 + i, userId: i % 2 ? `user-${i}` : null }));
  for (const row of rows) await store.insertEvents([row]);
  await store.close();
  return { dir, file, rows };
}

for (const kind of ['SQLite', 'PostgreSQL'] as const) {
  it(`exports ${kind} events to a Parquet file DuckDB reads, and resumes after the printed cursor`, async () => {
    let extra = {};
    if (kind === 'PostgreSQL') {
      const { url, schema, drop } = await createTestSchema();
      cleanups.push(drop);
      extra = { database: { url, schema } };
    }
    const { dir, file, rows } = await stored(extra, 5);
    const out = join(dir, 'part1.parquet');
    const first = await exportCommand(['--config', file, '--format', 'parquet', '--limit', '3', '--out', out], {});
    expect(first).toMatch(
      /^\[tillit-collector\] exported 3 events to .*part1\.parquet \(more follow: run again with --cursor\); cursor: \S+$/,
    );
    const cursor = first.split('cursor: ')[1]!;
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const read = await connection.runAndReadAll(`SELECT messageId, userId FROM read_parquet('${out}')`);
    connection.closeSync();
    expect(read.getRowObjectsJson()).toEqual(rows.slice(0, 3).map((r) => ({ messageId: r.messageId, userId: r.userId })));

    const ndjson = join(dir, 'part2.ndjson');
    const second = await exportCommand(['--config', file, '--cursor', cursor, '--out', ndjson], {});
    expect(second).toMatch(/exported 2 events to .*part2\.ndjson; cursor: /);
    const lines = readFileSync(ndjson, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).messageId);
    expect(lines).toEqual(rows.slice(3).map((r) => r.messageId));
  });
}

it('names the bad option', async () => {
  const { file } = await stored({}, 0);
  await expect(exportCommand(['--config', file, '--format', 'xlsx'], {})).rejects.toThrow(
    '[tillit-collector] export: --format: must be one of ndjson, csv, parquet, got "xlsx"',
  );
  await expect(exportCommand(['--config', file, '--type', 'buy'], {})).rejects.toThrow('--type: must be one of');
});
