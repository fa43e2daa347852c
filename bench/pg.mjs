// PostgreSQL section (run alone: node bench/pg.mjs [--rows=50000] [--events=1000000]; needs a build and
// PostgreSQL at TILLIT_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). Each run in a
// schema of its own, dropped after. Prints a Markdown section; not yet part of bench/run.mjs's REPORT.md.
//  1. PostgreSQL's own limit on the same rows: COPY, and multi-row INSERT ... ON CONFLICT DO NOTHING (unnest).
//  2. PgStore ingest (the collector's group commit) from 1 and from 2 store instances (two collectors'
//     pools), 16 concurrent callers of 20-event batches each, the way concurrent requests reach it.
//  3. Erasure of one subject among --events events (10,000 subjects): median and p99 over 100 erasures.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { eventRow, makeEvent } from './events.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROWS = arg('rows', 50_000);
const EVENTS = arg('events', 1_000_000);
const URL = process.env.TILLIT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { PgStore } = await import('../packages/collector/dist/index.js');

const admin = new pg.Client(URL);
await admin.connect();
const schemas = [];
async function freshStore(options = {}) {
  const schema = `tillit_bench_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  const store = new PgStore({ url: URL, schema, poolMax: 4, ...options });
  await store.migrate();
  return { store, schema };
}
const rowsOf = (n, subjects = 1_000) => {
  const receivedAt = Date.now();
  return Array.from({ length: n }, (_, i) => eventRow(makeEvent('v7', i % subjects, receivedAt), 'default', receivedAt));
};
const rate = (n, ms) => Math.round(n / (ms / 1000));
const COLUMNS = ['messageId', 'site', 'type', 'event', 'anonymousId', 'userId', 'timestamp', 'receivedAt', 'payload'];
const esc = (v) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));

async function rawLimits() {
  const results = {};
  for (const method of ['copy', 'insert']) {
    const { store, schema } = await freshStore();
    await store.close();
    const rows = rowsOf(ROWS);
    const client = new pg.Client(URL);
    await client.connect();
    await client.query(`SET search_path TO ${schema}`);
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 1_000) {
      const group = rows.slice(i, i + 1_000);
      if (method === 'copy') {
        const text = `${group.map((r) => [r.messageId, r.site, r.type, r.event, r.anonymousId, r.userId, r.timestamp, r.receivedAt, r.payload].map(esc).join('\t')).join('\n')}\n`;
        const sql =
          'COPY events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload) FROM STDIN';
        await pipeline(Readable.from([text]), client.query(copyStreams.from(sql)));
      } else {
        const cols = COLUMNS.map((c) => group.map((r) => r[c]));
        await client.query(
          'INSERT INTO event_ids (message_id, received_at) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING',
          [cols[0], cols[7]],
        );
        await client.query(
          `INSERT INTO events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[])`,
          cols,
        );
      }
    }
    results[method] = rate(rows.length, performance.now() - started);
    await client.end();
  }
  return results;
}

async function storeIngest(instances) {
  const { store, schema } = await freshStore();
  const stores = [store];
  for (let i = 1; i < instances; i++) stores.push(new PgStore({ url: URL, schema, poolMax: 4 }));
  const rows = rowsOf(ROWS);
  let next = 0;
  const caller = async (k) => {
    const s = stores[k % stores.length];
    while (next < rows.length) {
      const batch = rows.slice(next, next + 20);
      next += 20;
      await s.insertEvents(batch);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, (_, k) => caller(k)));
  const result = rate(rows.length, performance.now() - started);
  for (const s of stores) await s.close();
  return result;
}

async function erasure() {
  const { store } = await freshStore();
  const subjects = 10_000;
  const receivedAt = Date.now();
  for (let i = 0; i < EVENTS; i += 10_000) {
    const rows = [];
    for (let j = i; j < Math.min(EVENTS, i + 10_000); j++)
      rows.push(eventRow(makeEvent('v7', j % subjects, receivedAt), 'default', receivedAt));
    await store.insertEvents(rows);
  }
  await store.pool.query('ANALYZE events');
  const times = [];
  for (let s = 0; s < 100; s++) {
    const { anonymousId } = eventRow(makeEvent('v7', s * 97, receivedAt), 'default', receivedAt);
    const audit = {
      at: Date.now(),
      site: 'default',
      action: 'erase',
      subjectHash: 'h',
      via: 'operator',
      outcome: 'ok',
      receiptId: null,
    };
    const started = performance.now();
    await store.eraseSubject(
      { site: 'default', kind: 'anonymous', id: anonymousId },
      'h',
      (k, id) => `${k}:${id}`,
      audit,
      () => {},
    );
    times.push(performance.now() - started);
  }
  await store.close();
  times.sort((a, b) => a - b);
  return { median: times[49].toFixed(1), p99: times[98].toFixed(1) };
}

try {
  const raw = await rawLimits();
  const one = await storeIngest(1);
  const two = await storeIngest(2);
  const erase = await erasure();
  console.log(`## PostgreSQL (${ROWS} rows per ingest run, erasure among ${EVENTS} events)

| what | rows/s |
|---|---|
| PostgreSQL COPY, 1,000 rows per COPY | ${raw.copy} |
| PostgreSQL multi-row INSERT (unnest, ids then events), 1,000 rows per statement | ${raw.insert} |
| PgStore group commit, 1 collector pool, 16 callers x 20 events | ${one} (${Math.round((100 * one) / raw.insert)} % of INSERT) |
| PgStore group commit, 2 collector pools on one database | ${two} (${Math.round((100 * two) / raw.insert)} % of INSERT) |

Erasure of one subject (eraseSubject, one transaction): median ${erase.median} ms, p99 ${erase.p99} ms over 100.`);
} finally {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
