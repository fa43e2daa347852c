/**
 * PostgreSQL restarted under load, on a private PostgreSQL 15 made for this test (initdb in a temp dir,
 * a free port): the shared server on 5432 serves other tests at the same time and is never restarted.
 * Every event answered 200 is stored exactly once, the collector answers 503 with Retry-After while the
 * database is away, and it recovers without a restart.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Collector, createCollector } from '../server.js';
import { TEST_WRITE_KEY } from '../testing.js';
import { type PrivatePostgres, privatePostgresMissing, startPrivatePostgres } from './private-server.js';

let server: PrivatePostgres | undefined;
let url: string;

beforeAll(async () => {
  if (privatePostgresMissing) return;
  server = await startPrivatePostgres();
  url = server.url;
}, 120_000);

afterAll(() => server?.destroy(), 120_000);

const batchOf = (count: number) =>
  Array.from({ length: count }, () => ({
    type: 'track',
    event: 'Load',
    messageId: randomUUID(),
    anonymousId: 'load-subject',
    timestamp: new Date().toISOString(),
  }));

interface Tally {
  acknowledged: string[];
  unavailable: number;
  /** Non-200 answers other than a 503 with Retry-After: must stay empty. */
  wrong: string[];
}

/** Sends batches until `stop()`, resending a batch answered 503 (as the SDK does): what each answer was. */
function sendUntilStopped(collector: Collector, tally: Tally): { stop(): Promise<void>; acked(n: number): Promise<void> } {
  let running = true;
  const waiters: { n: number; resolve: () => void }[] = [];
  const sender = async () => {
    let batch = batchOf(10);
    while (running) {
      const res = await collector.handle(
        new Request('http://collector.test/v1/batch', {
          method: 'POST',
          body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch }),
        }),
      );
      await res.arrayBuffer();
      if (res.status === 200) {
        tally.acknowledged.push(...batch.map((e) => e.messageId));
        for (const w of waiters.filter((w) => tally.acknowledged.length >= w.n)) w.resolve();
        batch = batchOf(10);
      } else if (res.status === 503 && res.headers.get('retry-after')) {
        tally.unavailable++;
        // A short pause rather than the advertised Retry-After: the test wants the recovery, soon.
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else {
        tally.wrong.push(`${res.status} retry-after=${res.headers.get('retry-after')}`);
      }
    }
  };
  const senders = Array.from({ length: 4 }, sender);
  return {
    stop: async () => {
      running = false;
      await Promise.all(senders);
    },
    acked: (n) => new Promise<void>((resolve) => (tally.acknowledged.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

it.skipIf(Boolean(privatePostgresMissing))(
  'answers 503 + Retry-After while PostgreSQL restarts under load, then serves again; every event answered 200 is stored once',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tillit-pg-restart-'));
    const collector = createCollector({
      port: 0,
      dataDir,
      sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [] }],
      serverKey: 's'.repeat(40),
      logLevel: 'silent',
      database: { url, schema: 'tillit', poolMax: 4 },
    });
    const tally: Tally = { acknowledged: [], unavailable: 0, wrong: [] };
    try {
      const load = sendUntilStopped(collector, tally);
      await load.acked(200);
      // Asynchronously: the senders keep sending while PostgreSQL goes down and comes back.
      await server!.restart();
      // Recovered: many more events answered 200 after the restart, by the same collector.
      await load.acked(tally.acknowledged.length + 400);
      await load.stop();
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(tally.wrong).toEqual([]);
    expect(tally.unavailable).toBeGreaterThan(0);
    const client = new pg.Client(url);
    await client.connect();
    try {
      const stored = await client.query<{ id: string; n: string }>(
        'SELECT message_id AS id, count(*) AS n FROM tillit.events GROUP BY message_id',
      );
      const counts = new Map(stored.rows.map((r) => [r.id, Number(r.n)]));
      const notOnce = tally.acknowledged.filter((id) => counts.get(id) !== 1);
      expect(notOnce, `${notOnce.length} of ${tally.acknowledged.length} acknowledged events not stored exactly once`).toEqual(
        [],
      );
    } finally {
      await client.end();
    }
  },
  180_000,
);
