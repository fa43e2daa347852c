// Section 3: erasing one subject among 1 million events of 10 000 subjects, through the collector's
// real endpoint (DELETE /v1/subjects/:id, authenticated with the subject's secret), and the time of
// its store method alone (SqliteStore#eraseSubject, one transaction) as the endpoint reports it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRow, makeEvent, subjectId } from './events.mjs';
import { spawnServer } from './ingest.mjs';

const WRITE_KEY = 'bench-write-key';
const SITE = 'default'; // the site name the CLI gives a one-site TILLIT_WRITE_KEY setup

/** Fills a fresh database with `events` events spread evenly over `subjects` anonymous ids. */
export async function fill(dataDir, events, subjects) {
  const { SqliteStore } = await import('../packages/collector/dist/index.js');
  const store = new SqliteStore({ dataDir, durability: 'normal' });
  const receivedAt = Date.now();
  const started = performance.now();
  const CHUNK = 10_000;
  for (let i = 0; i < events; i += CHUNK) {
    const rows = [];
    for (let j = i; j < Math.min(events, i + CHUNK); j++) {
      const e = makeEvent('v7', j % subjects, receivedAt - (events - j));
      rows.push(eventRow(e, SITE, receivedAt));
    }
    await store.insertEvents(rows);
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return seconds;
}

export async function erasureSection({ events = 1_000_000, subjects = 10_000, samples = 10, log = console.log } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-bench-erase-'));
  try {
    log(`  erasure: filling ${events} events of ${subjects} subjects…`);
    const fillSeconds = await fill(dataDir, events, subjects);
    const dbBytes = statSync(join(dataDir, 'tillit.db')).size;
    const server = await spawnServer(['packages/collector/dist/cli.js'], {
      TILLIT_PORT: '0',
      TILLIT_DATA_DIR: dataDir,
      TILLIT_WRITE_KEY: WRITE_KEY,
    });
    const results = [];
    try {
      for (let k = 0; k < samples; k++) {
        const id = subjectId(Math.floor((k + 0.5) * (subjects / samples)));
        const secret = randomBytes(32).toString('base64url');
        // The browser's first consent binds the subject's secret (the collector keeps its hash).
        const consent = await fetch(`${server.url}/v1/consent`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            writeKey: WRITE_KEY,
            anonymousId: id,
            secret,
            purposes: { analytics: true },
            policyVersion: '2026-11',
            source: 'banner',
            timestamp: new Date().toISOString(),
          }),
        });
        if (consent.status !== 201) throw new Error(`consent answered ${consent.status}: ${await consent.text()}`);
        const started = performance.now();
        const res = await fetch(`${server.url}/v1/subjects/${encodeURIComponent(id)}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${secret}` },
        });
        const body = await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`DELETE answered ${res.status}: ${body}`);
        results.push({ ms, deleted: JSON.parse(body).deleted?.events });
      }
    } finally {
      await server.stop();
    }
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dataDir, 'tillit.db'), { readonly: true });
    const left = db.prepare('SELECT count(*) AS n FROM events').get().n;
    db.close();
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    return {
      measured:
        'DELETE /v1/subjects/:id on the collector (built CLI, default durability), Bearer subject secret, over loopback HTTP',
      events,
      subjects,
      samples,
      fillSeconds,
      dbBytes,
      medianMs: times[times.length >> 1],
      minMs: times[0],
      maxMs: times[times.length - 1],
      deletedPerErasure: [...new Set(results.map((r) => r.deleted))],
      eventsLeft: left,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
