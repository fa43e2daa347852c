// End to end: events posted over HTTP to a real collector on a real SQLite file, exported over HTTP as
// NDJSON, CSV and Parquet (read back by DuckDB, an independent reader), page by page with the cursor.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteStore } from '../sqlite-store.js';
import type { EventRow, Store } from '../store.js';
import { testCollector } from '../test-collector.js';
import { type RunningCollector, TEST_WRITE_KEY, startCollector, testStoreKind } from '../testing.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const T0 = Date.UTC(2026, 9, 5);
const auth = { Authorization: `Bearer ${OPERATOR}` };

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector({ operatorToken: OPERATOR });
});
afterEach(async () => {
  await running.destroy();
});

const event = (i: number, fields: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Viewed',
  messageId: randomUUID(),
  anonymousId: `anon-${i % 3}`,
  timestamp: new Date(T0 + i * 1000).toISOString(),
  context: { consent: { purposes: ['analytics'], policyVersion: '1' } },
  properties: { i },
  ...fields,
});

async function post(batch: unknown[]) {
  const res = await fetch(`${running.url}/v1/batch`, {
    method: 'POST',
    body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch, sentAt: new Date().toISOString() }),
  });
  expect(await res.json()).toMatchObject({ accepted: batch.length, rejected: [] });
}

/** The event's time as stored (skew-corrected at ingest by sentAt). */
const storedTime = async (messageId: string) =>
  (await running.sql.query<{ timestamp: number }>('SELECT timestamp FROM events WHERE message_id = ?', messageId))[0]!.timestamp;

const exportOf = (query: string, headers: Record<string, string> = auth) =>
  fetch(`${running.url}/v1/export${query}`, { headers });

async function ndjson(query: string) {
  const res = await exportOf(query);
  expect(res.status).toBe(200);
  const text = await res.text();
  const rows = text
    ? text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line))
    : [];
  return { rows, cursor: res.headers.get('tillit-cursor'), more: res.headers.get('tillit-more'), res };
}

it('exports the stored events as NDJSON, to the operator only', async () => {
  const batch = [event(0), event(1, { type: 'page', event: undefined, name: 'Home' }), event(2, { userId: 'user-7' })];
  await post(batch);
  expect((await exportOf('', {})).status).toBe(401);
  const { rows, res } = await ndjson('');
  expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
  expect(rows.map((r) => r.messageId)).toEqual(batch.map((e) => e.messageId));
  expect(rows[2]).toMatchObject({
    site: 'test',
    type: 'track',
    event: 'Viewed',
    anonymousId: 'anon-2',
    userId: 'user-7',
    timestamp: new Date(await storedTime(batch[2]!.messageId)).toISOString(),
    payload: { messageId: batch[2]!.messageId, properties: { i: 2 } },
  });
  expect(rows[1]).toMatchObject({ type: 'page', event: 'Home', userId: null });
  expect((await ndjson('?type=page')).rows).toHaveLength(1);
  const [t1, t2] = [await storedTime(batch[1]!.messageId), await storedTime(batch[2]!.messageId)];
  const window = `?from=${new Date(t1).toISOString()}&to=${new Date(t2).toISOString()}`;
  expect((await ndjson(window)).rows.map((r) => r.messageId)).toEqual([batch[1]!.messageId]);
});

it('pages with limit and cursor: every event exactly once, and later events from the last cursor', async () => {
  await post(Array.from({ length: 25 }, (_, i) => event(i)));
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const page = await ndjson(`?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.rows.map((r) => r.messageId));
    cursor = page.cursor;
    pages++;
    if (page.more === 'false') break;
  }
  expect(pages).toBe(3);
  expect(new Set(seen).size).toBe(25);
  expect(seen).toHaveLength(25);
  expect((await ndjson(`?cursor=${cursor}`)).rows).toEqual([]);
  const later = event(99);
  await post([later]);
  expect((await ndjson(`?cursor=${cursor}`)).rows.map((r) => r.messageId)).toEqual([later.messageId]);
});

it('exports CSV with the subject export formula neutralisation', async () => {
  await post([event(0, { event: '=HYPERLINK("http://evil.test","x")', userId: '+1 555' })]);
  const res = await exportOf('?format=csv');
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const [header, line] = (await res.text()).split('\r\n');
  expect(header).toBe('messageId,site,type,event,anonymousId,userId,timestamp,receivedAt,payload');
  expect(line).toContain(`,"'=HYPERLINK(""http://evil.test"",""x"")",anon-0,'+1 555,`);
});

it('exports Parquet that DuckDB reads back', async () => {
  const batch = Array.from({ length: 30 }, (_, i) => event(i, i === 5 ? { userId: 'user-5' } : {}));
  await post(batch);
  const res = await exportOf('?format=parquet');
  expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
  const dir = mkdtempSync(join(tmpdir(), 'tillit-export-'));
  try {
    const file = join(dir, 'events.parquet');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const result = await connection.runAndReadAll(
      `SELECT messageId, site, userId, epoch_ms(timestamp) AS ms, json_extract(payload, '$.properties.i')::INTEGER AS i
       FROM read_parquet('${file}')`,
    );
    const rows = result.getRowObjectsJson();
    connection.closeSync();
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => r.messageId)).toEqual(batch.map((e) => e.messageId));
    expect(rows[5]).toEqual({
      messageId: batch[5]!.messageId,
      site: 'test',
      userId: 'user-5',
      ms: String(await storedTime(batch[5]!.messageId)),
      i: 5,
    });
    expect(rows[6]!.userId).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('refuses bad parameters with 400 naming the parameter', async () => {
  const cursor = (await ndjson('')).cursor;
  await post([event(0)]);
  const other = (await ndjson('?type=page')).cursor;
  const cases: [string, string][] = [
    ['?format=xml', 'format'],
    ['?from=yesterday', 'from'],
    ['?from=2026-10-05&to=2026-10-01', 'to'],
    ['?type=purchase', 'type'],
    ['?site=other', 'site'],
    ['?limit=0', 'limit'],
    ['?limit=2.5', 'limit'],
    ['?cursor=not-a-cursor', 'cursor'],
    [`?cursor=${other}`, 'cursor'],
    ['?form=csv', 'form'],
  ];
  expect(cursor).toBeNull();
  for (const [query, parameter] of cases) {
    const res = await exportOf(query);
    expect({ query, status: res.status, body: await res.json() }).toMatchObject({
      query,
      status: 400,
      body: { error: 'bad_request', parameter, reason: expect.stringContaining(`${parameter}: `) },
    });
  }
});

// Counts the pulls of a SqliteStore it wraps; the PostgreSQL export pages through the same route.
it.skipIf(testStoreKind() === 'pg')('reads from the store only as fast as the client takes the answer', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-collector-'));
  const sqlite = new SqliteStore({ dataDir, durability: 'normal' });
  let pulled = 0;
  const counting = new Proxy(sqlite, {
    get(target, name, receiver) {
      if (name !== 'exportEvents') return Reflect.get(target, name, receiver);
      return async (query: Parameters<Store['exportEvents']>[0]) => {
        const page = await target.exportEvents(query);
        async function* rows(): AsyncIterable<EventRow> {
          for await (const row of page.rows) {
            pulled++;
            yield row;
          }
        }
        return { ...page, rows: rows() };
      };
    },
  });
  const local = testCollector({ operatorToken: OPERATOR }, dataDir, { store: counting });
  try {
    const total = 50_000;
    const payload = JSON.stringify({ properties: { text: 'x'.repeat(200) } });
    for (let i = 0; i < total; i += 5000) {
      await sqlite.insertEvents(
        Array.from({ length: 5000 }, (_, j) => ({
          messageId: `m-${i + j}`,
          site: 'test',
          type: 'track',
          event: 'Viewed',
          anonymousId: 'a',
          userId: null,
          timestamp: T0,
          receivedAt: T0,
          payload,
        })),
      );
    }
    const res = await local.fetch('/v1/export', { headers: auth });
    const reader = res.body!.getReader();
    expect((await reader.read()).value!.length).toBeGreaterThan(0);
    // The client reads no more: whatever the stream pulls now, it pulls without being asked.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    // A 64 KiB chunk is ~220 of these rows; a few chunks are buffered between the store and the client.
    expect(pulled).toBeLessThan(2_000);
    await reader.cancel();
    let rest = 0;
    for await (const row of (await sqlite.exportEvents({})).rows) rest += row ? 1 : 0;
    expect(rest).toBe(total);
  } finally {
    await local.destroy();
  }
});
