// Section: PostgreSQL (in `npm run bench`, or alone: node bench/pg.mjs [--rows=50000] [--events=1000000]; needs
// a build and PostgreSQL at TILLIT_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). Each
// measurement in a schema of its own, dropped after.
//  1. PostgreSQL's own limit on the same rows: COPY, and multi-row INSERT ... ON CONFLICT DO NOTHING (unnest).
//  2. PgStore ingest (the collector's group commit) from 1 and from 2 store instances, 16 concurrent
//     callers of 20-event batches each, the way concurrent requests reach it (no HTTP).
//  3. The collector over HTTP (built CLI, 50 connections, batches of 20) with 1 and with 2 processes on
//     one database, beside the same collector on SQLite.
//  4. Erasure of one subject among --events events (10,000 subjects): median and p99 over 100 erasures.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRow, makeBodies, makeEvent } from './events.mjs';
import { load, runCollector, spawnServer } from './ingest.mjs';

const URL = process.env.TILLIT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WRITE_KEY = 'bench-write-key';
const { PgStore } = await import('../packages/collector/dist/index.js');

let ROWS = 50_000;
let EVENTS = 1_000_000;
const schemas = [];
const newSchema = () => {
  const schema = `tillit_bench_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return schema;
};
async function freshStore(options = {}) {
  const schema = newSchema();
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

const EVENT_COPY = 'events (message_id, site, type, event, anonymous_id, user_id, timestamp, received_at, payload)';
/** COPY of `rows` into events (and, with `ids`, their message ids into event_ids first, as PgStore stores them). */
async function copyEvents(client, rows, { ids = false } = {}) {
  const copy = (table, line) =>
    pipeline(
      Readable.from([`${rows.map((r) => line(r).map(esc).join('\t')).join('\n')}\n`]),
      client.query(copyStreams.from(`COPY ${table} FROM STDIN`)),
    );
  if (ids) await copy('event_ids (message_id, received_at)', (r) => [r.messageId, r.receivedAt]);
  await copy(EVENT_COPY, (r) => COLUMNS.map((c) => r[c]));
}

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
        await copyEvents(client, group);
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
  const { store, schema } = await freshStore();
  const subjects = 10_000;
  const receivedAt = Date.now();
  const fillStarted = performance.now();
  // The rows PgStore#insertEvents would store (event_ids, then events; no links, outbox or suppression for
  // these), by COPY: ~3× PgStore's rate in the last report, and the erasure measured is the same.
  const client = new pg.Client(URL);
  await client.connect();
  await client.query(`SET search_path TO ${schema}`);
  for (let i = 0; i < EVENTS; i += 10_000) {
    const rows = [];
    for (let j = i; j < Math.min(EVENTS, i + 10_000); j++)
      rows.push(eventRow(makeEvent('v7', j % subjects, receivedAt), 'default', receivedAt));
    await copyEvents(client, rows, { ids: true });
  }
  await client.end();
  await store.pool.query('ANALYZE events');
  const fillSeconds = (performance.now() - fillStarted) / 1000;
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
    const counts = await store.eraseSubject(
      { site: 'default', kind: 'anonymous', id: anonymousId },
      'h',
      (k, id) => `${k}:${id}`,
      audit,
      () => {},
    );
    times.push(performance.now() - started);
    // Each subject holds EVENTS / subjects events: a fill that missed a table would show here.
    if (counts.events !== EVENTS / subjects) throw new Error(`erasure deleted ${counts.events} events, not ${EVENTS / subjects}`);
  }
  await store.close();
  times.sort((a, b) => a - b);
  return { median: times[49], p99: times[98], max: times[99], samples: times.length, fillSeconds };
}

/** The collector CLI on PostgreSQL: `processes` processes on one fresh schema, loaded together over HTTP. */
async function httpCollectors(processes, bodies, seconds) {
  const schema = newSchema();
  const dir = mkdtempSync(join(tmpdir(), 'tillit-bench-pg-'));
  const config = join(dir, 'collector.json');
  const database = { url: URL, schema, poolMax: 10 };
  writeFileSync(config, JSON.stringify({ port: 0, logLevel: 'warn', serverKey: 'bench-server-key-'.padEnd(40, 'k'), database }));
  const servers = [];
  try {
    for (let i = 0; i < processes; i++) {
      // One after another: the first migrates, the others find the schema made.
      servers.push(
        await spawnServer(['packages/collector/dist/cli.js'], {
          TILLIT_CONFIG: config,
          TILLIT_DATA_DIR: join(dir, `data-${i}`),
          TILLIT_WRITE_KEY: WRITE_KEY,
        }),
      );
    }
    const share = (k) => bodies.filter((_, i) => i % processes === k);
    const warmBodies = makeBodies({ count: 1000, size: 20, writeKey: WRITE_KEY });
    const warm = await Promise.all(
      servers.map((s, k) =>
        load(
          s.url,
          warmBodies.filter((_, i) => i % processes === k),
          20,
          { seconds: 1, connections: Math.round(50 / processes) },
        ),
      ),
    );
    const parts = await Promise.all(
      servers.map((s, k) => load(s.url, share(k), 20, { seconds, connections: Math.round(50 / processes) })),
    );
    const admin = new pg.Client(URL);
    await admin.connect();
    const stored =
      Number((await admin.query(`SELECT count(*) AS n FROM ${schema}.events`)).rows[0].n) -
      warm.reduce((n, w) => n + w.requests * 20, 0);
    await admin.end();
    const sum = (f) => parts.reduce((n, p) => n + p[f], 0);
    return {
      eventsPerSec: sum('eventsPerSec'),
      failed: sum('failed'),
      wrapped: parts.some((p) => p.wrapped),
      p50: Math.max(...parts.map((p) => p.p50)),
      p99: Math.max(...parts.map((p) => p.p99)),
      stored,
      answered: sum('requests') * 20,
    };
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every PostgreSQL figure of one run; `rows` per ingest measurement, `events` in the erasure database. */
export async function pgSection({ rows = 50_000, events = 1_000_000, seconds = 5, log = console.log } = {}) {
  ROWS = rows;
  EVENTS = events;
  const admin = new pg.Client(URL);
  await admin.connect();
  const version = (await admin.query('SHOW server_version')).rows[0].server_version;
  try {
    log('  pg: PostgreSQL COPY and INSERT limits…');
    const raw = await rawLimits();
    log('  pg: PgStore group commit, 1 and 2 pools…');
    const store1 = await storeIngest(1);
    const store2 = await storeIngest(2);
    const bodies = makeBodies({ count: Math.ceil((60_000 / 20) * seconds), size: 20, writeKey: WRITE_KEY });
    log('  pg: collector over HTTP, 1 and 2 processes; SQLite beside…');
    const loadAtStart = loadavg()[0];
    const http1 = await httpCollectors(1, bodies, seconds);
    const http2 = await httpCollectors(2, bodies, seconds);
    const sqlite = await runCollector(bodies, 20, undefined, seconds);
    log(`  pg: erasure among ${events} events…`);
    const erase = await erasure();
    return { version, rows, events, seconds, raw, store1, store2, http1, http2, sqlite, erase, loadAtStart };
  } finally {
    for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const pct = (n, of) => `${Math.round((100 * n) / of)} %`;

/** The section of bench/REPORT.md. */
export function renderPg(r, out) {
  const limit = r.raw.insert;
  const httpRow = (name, h) =>
    `| ${name} | **${int(h.eventsPerSec)}** | ${pct(h.eventsPerSec, limit)} | ${h.p50} / ${h.p99} ms | ${int(h.answered)} answered 200, ${int(h.stored)} stored${h.failed ? `, ${int(h.failed)} failed` : ''} |`;
  out.push(
    '## PostgreSQL: several collectors on one database',
    '',
    `PostgreSQL ${r.version} on this machine (127.0.0.1, default settings), the same events as the ingest section (batches of 20).`,
    `Limits and PgStore rows: ${int(r.rows)} rows each. HTTP rows: ${r.seconds} s of load from 50 connections (split between the processes), after a 1 s warm-up.`,
    `Load (1 min) at the start of the HTTP rows: ${r.loadAtStart.toFixed(2)}: the load generator, the collectors and PostgreSQL share the 2 cores.`,
    '',
    "| what | events/s | of PostgreSQL's INSERT limit | p50 / p99 | events (stored counts requests still in flight when the clock stopped) |",
    '|---|---:|---:|---:|---|',
    `| PostgreSQL COPY, 1,000 rows per COPY (no dedup) | ${int(r.raw.copy)} | ${pct(r.raw.copy, limit)} | | |`,
    `| PostgreSQL multi-row INSERT ... ON CONFLICT (unnest; ids, then events), 1,000 rows per statement | **${int(limit)}** | 100 % | | |`,
    `| PgStore group commit, 1 pool, 16 callers x 20 events (no HTTP) | ${int(r.store1)} | ${pct(r.store1, limit)} | | |`,
    `| PgStore group commit, 2 pools on one database (no HTTP) | ${int(r.store2)} | ${pct(r.store2, limit)} | | |`,
    httpRow('collector over HTTP, 1 process, PostgreSQL', r.http1),
    httpRow('collector over HTTP, 2 processes, PostgreSQL', r.http2),
    httpRow('collector over HTTP, 1 process, SQLite (durability full)', { ...r.sqlite, answered: r.sqlite.requests * 20 }),
    '',
    `Erasure of one subject among ${int(r.events)} events of 10,000 subjects on PostgreSQL (eraseSubject: one transaction, under the erasure lock): **median ${r.erase.median.toFixed(1)} ms, p99 ${r.erase.p99.toFixed(1)} ms**${r.erase.max === undefined ? '' : `, slowest ${r.erase.max.toFixed(1)} ms`} over ${r.erase.samples} erasures${r.erase.fillSeconds === undefined ? '' : ` (filled in ${r.erase.fillSeconds.toFixed(0)} s by COPY of the rows PgStore stores)`}.`,
    '',
    r.http1.eventsPerSec >= limit / 2
      ? `The collector on PostgreSQL reaches ${pct(r.http1.eventsPerSec, limit)} of PostgreSQL's own insert limit on this machine: the aim (at least 50 %) is met in this run.`
      : `**The collector on PostgreSQL reaches ${pct(r.http1.eventsPerSec, limit)} of PostgreSQL's own insert limit on this machine: the aim (at least 50 %) is not met in this run.**`,
    r.http2.eventsPerSec > r.http1.eventsPerSec
      ? 'A second process adds throughput here; on 2 shared cores the machine, not the database, bounds both.'
      : 'A second process adds no throughput on this 2-core machine: the load generator, both collectors and PostgreSQL share the same cores. Several collectors are for availability and for machines of their own.',
    '',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const out = [];
  renderPg(await pgSection({ rows: arg('rows', 50_000), events: arg('events', 1_000_000), seconds: arg('seconds', 5) }), out);
  console.log(out.join('\n'));
}
