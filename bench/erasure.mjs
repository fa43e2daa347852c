// Section 3: erasing one subject among 1 million events of 10 000 subjects, through the collector's
// real endpoint (DELETE /v1/subjects/:id, authenticated with the subject's secret): median, p99 and
// slowest of 100 erasures, one after another; two rounds (other subjects), one after the other.
//   node bench/erasure.mjs [events] [samples]   → this section alone, printed as JSON
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRow, makeEvent, subjectId } from './events.mjs';
import { spawnServer } from './ingest.mjs';

const WRITE_KEY = 'bench-write-key';
const SITE = 'default'; // the site name the CLI gives a one-site TILLIT_WRITE_KEY setup
const CHUNK = 10_000;
/** Chunks handed to the store before the oldest is awaited: the next chunk is made while one commits. */
const IN_FLIGHT = 4;

/**
 * Fills a fresh database with `events` events spread evenly over `subjects` anonymous ids, through
 * SqliteStore#insertEvents (its group commit and writer thread), chunks of 10,000 kept in flight so
 * that making the rows on this thread overlaps committing them on the writer's.
 */
export async function fill(dataDir, events, subjects) {
  const { SqliteStore } = await import('../packages/collector/dist/index.js');
  const store = new SqliteStore({ dataDir, durability: 'normal' });
  const receivedAt = Date.now();
  const started = performance.now();
  const inFlight = [];
  for (let i = 0; i < events; i += CHUNK) {
    const rows = [];
    for (let j = i; j < Math.min(events, i + CHUNK); j++) {
      const e = makeEvent('v7', j % subjects, receivedAt - (events - j));
      rows.push(eventRow(e, SITE, receivedAt));
    }
    inFlight.push(store.insertEvents(rows));
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await store.close(); // checkpoints the WAL into tillit.db: the file alone holds every row
  return (performance.now() - started) / 1000;
}

/**
 * Writes a file's dirty pages to the disk now. A fill or a copy leaves hundreds of MB in the page
 * cache that the kernel writes back over the next half minute: measured while that runs, every
 * erasure's fsync queued behind the bench's own setup, which no deployed collector has.
 */
function syncFile(path) {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Filled databases of this process, by size: one fill serves every section that asks for the same one. */
const templates = new Map();
process.once('exit', () => {
  for (const t of templates.values()) rmSync(t.dir, { recursive: true, force: true });
});

/**
 * A copy of a database filled with `events` events of `subjects` subjects in `dataDir`. The first call
 * for a size fills it (`fill`); later calls in the same process copy that file. Returns the fill's seconds
 * and the copy's.
 */
export async function filledCopy(dataDir, events, subjects) {
  const key = `${events}/${subjects}`;
  if (!templates.has(key)) {
    const dir = mkdtempSync(join(tmpdir(), 'tillit-bench-fill-'));
    templates.set(key, { dir, seconds: await fill(dir, events, subjects) });
    syncFile(join(dir, 'tillit.db'));
  }
  const { dir, seconds } = templates.get(key);
  const t0 = performance.now();
  copyFileSync(join(dir, 'tillit.db'), join(dataDir, 'tillit.db'));
  syncFile(join(dataDir, 'tillit.db'));
  return { fillSeconds: seconds, copySeconds: (performance.now() - t0) / 1000 };
}

/** Nearest-rank percentile of sorted `xs`. */
const percentile = (xs, p) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

/** Binds a fresh secret to subject `id` with its first consent, as the browser does; returns the secret. */
async function bindSecret(url, id) {
  const secret = randomBytes(32).toString('base64url');
  const consent = await fetch(`${url}/v1/consent`, {
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
  return secret;
}

/** DELETE /v1/subjects/:id with the subject's secret; the number of events it deleted. */
async function erase(url, id, secret) {
  const res = await fetch(`${url}/v1/subjects/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${secret}` },
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`DELETE answered ${res.status}: ${body}`);
  return JSON.parse(body).deleted?.events;
}

export async function erasureSection({
  events = 1_000_000,
  subjects = 10_000,
  samples = 100,
  rounds = 2,
  warmUp = 5,
  log = console.log,
} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-bench-erase-'));
  try {
    log(`  erasure: a database of ${events} events of ${subjects} subjects…`);
    const { fillSeconds, copySeconds } = await filledCopy(dataDir, events, subjects);
    const dbBytes = statSync(join(dataDir, 'tillit.db')).size;
    const server = await spawnServer(['packages/collector/dist/cli.js'], {
      TILLIT_PORT: '0',
      TILLIT_DATA_DIR: dataDir,
      TILLIT_WRITE_KEY: WRITE_KEY,
    });
    const results = [];
    try {
      // Warm-up, untimed, as the ingest rows have one: the first erasures of a fresh process (cold
      // statements, JIT, index pages) took 16-27 ms where the rest took 7-9 (2026-12-03, AMD EPYC).
      // Subjects 0 to warmUp - 1: the timed ones start at subjects / samples / 2.
      for (let w = 0; w < warmUp; w++) {
        const id = subjectId(w);
        await erase(server.url, id, await bindSecret(server.url, id));
      }
      // The earlier sections' writes (hundreds of MB from the ingest rows) still going back to the disk
      // would queue every erasure's fsync behind them: none of that is the collector's.
      spawnSync('sync');
      for (let k = 0; k < samples * rounds; k++) {
        // Round r erases the subjects next to round 0's: as spread over the database, none twice.
        const id = subjectId(Math.floor(((k % samples) + 0.5) * (subjects / samples)) + Math.floor(k / samples));
        const secret = await bindSecret(server.url, id);
        const started = performance.now();
        const deleted = await erase(server.url, id, secret);
        results.push({ ms: performance.now() - started, deleted });
      }
    } finally {
      await server.stop();
    }
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dataDir, 'tillit.db'), { readonly: true });
    const left = db.prepare('SELECT count(*) AS n FROM events').get().n;
    db.close();
    const stats = (rs) => {
      const times = rs.map((r) => r.ms).sort((a, b) => a - b);
      return { medianMs: percentile(times, 50), p99Ms: percentile(times, 99), minMs: times[0], maxMs: times[times.length - 1] };
    };
    const perRound = Array.from({ length: rounds }, (_, i) => stats(results.slice(i * samples, (i + 1) * samples)));
    return {
      measured:
        'DELETE /v1/subjects/:id on the collector (built CLI, default durability), Bearer subject secret, over loopback HTTP',
      events,
      subjects,
      samples,
      warmUp,
      fillSeconds,
      copySeconds,
      dbBytes,
      rounds: perRound,
      // The worse round's figures: the aim must hold in each.
      ...perRound.reduce((worse, r) => (r.p99Ms > worse.p99Ms ? r : worse)),
      timesMs: results.map((r) => Math.round(r.ms * 10) / 10),
      deletedPerErasure: [...new Set(results.map((r) => r.deleted))],
      eventsLeft: left,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const samples = Number(process.argv[3] ?? 100);
  console.log(JSON.stringify(await erasureSection({ events, samples }), null, 2));
}
