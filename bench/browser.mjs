// Section 4: the SDK's cost on the main thread in Chromium. A page loads the built script-tag
// bundle as a site would, the visitor accepts, then the page tracks 10 000 events in 200 tasks of
// 50 track() calls (a busy single-page app, not one frozen loop), while a PerformanceObserver
// counts long tasks (≥ 50 ms) until the collector has stored what the SDK delivered.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../scripts/setup.mjs';
import { spawnServer } from './ingest.mjs';

const root = new URL('..', import.meta.url).pathname;
const WRITE_KEY = 'bench-write-key';

/**
 * `rounds` of the page, one after the other, each with a fresh browser and collector: every round's
 * figures, and the worse round's (by median time per call) as the section's.
 */
export async function browserSection({ rounds = 2, ...options } = {}) {
  const results = [];
  for (let i = 0; i < rounds; i++) {
    const round = await browserRound(options);
    if (round.missing) return round;
    results.push(round);
  }
  return { ...results.reduce((worse, r) => (r.p50CallUs > worse.p50CallUs ? r : worse)), rounds: results };
}

/**
 * One page: `bundle` is the script-tag file to load (default: the built one), to measure a baseline side
 * by side; `cpuProfile` a path where Chromium's CPU profile of the tracking and delivery is written.
 */
export async function browserRound({
  events = 10_000,
  perTask = 50,
  log = console.log,
  bundle = join(root, 'packages/sdk/dist/tillit.js'),
  cpuProfile,
} = {}) {
  if (!existsSync(bundle)) return { missing: 'packages/sdk/dist/tillit.js was not built' };
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) return { missing: `no Chromium at ${executablePath} (set CHROMIUM_PATH)` };
  const { chromium } = await import('@playwright/test');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  const { createStaticServer } = await import('../scripts/static.mjs');

  // The lazily loaded chunk next to it, as a site serves both (decisions are made in it).
  const pages = new Map([
    ['/tillit/tillit.js', readFileSync(bundle, 'utf8')],
    ['/tillit/tillit-privacy.js', readFileSync(join(bundle, '../tillit-privacy.js'), 'utf8')],
  ]);
  const site = createStaticServer({ pages });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${site.address().port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-bench-browser-'));
  const collector = await spawnServer(['packages/collector/dist/cli.js'], {
    TILLIT_PORT: '0',
    TILLIT_DATA_DIR: dataDir,
    TILLIT_WRITE_KEY: WRITE_KEY,
    TILLIT_ORIGINS: origin,
  });
  pages.set(
    '/',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench shop</title>
<script src="/tillit/tillit.js" data-collector="${collector.url}" data-write-key="${WRITE_KEY}" data-policy-version="2026-11" data-banner="off" data-auto-page="off"${process.env.BENCH_DEBUG ? ' data-debug="on"' : ''}></script>
</head><body><h1>Bench shop</h1></body></html>`,
  );
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    if (process.env.BENCH_DEBUG) page.on('console', (m) => console.log('[page]', m.text().slice(0, 200)));
    await page.goto(`${origin}/`);
    log('  browser: accepting, then tracking…');
    await page.evaluate(() => window.tillit.consent.acceptAll({ source: 'banner' }));
    const cdp = cpuProfile && (await page.context().newCDPSession(page));
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    const run = await page.evaluate(
      async ({ events, perTask }) => {
        const longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration });
        }).observe({ type: 'longtask' });
        const tasks = [];
        const firstTrackAt = Date.now();
        const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
        const t0 = performance.now();
        for (let sent = 0; sent < events; sent += perTask) {
          const start = performance.now();
          for (let i = 0; i < perTask; i++) {
            window.tillit.track('Bench Event', { i: sent + i, sku: 'A-100', price: 19.9 });
          }
          tasks.push(performance.now() - start);
          await nextTask();
        }
        const trackingMs = performance.now() - t0;
        window.__bench = { longTasks };
        const dbs = (await indexedDB.databases()).map((d) => d.name);
        return { tasks, trackingMs, dbs, firstTrackAt };
      },
      { events, perTask },
    );
    // Then wait until the collector stops receiving: what the SDK delivers, and long tasks meanwhile.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dataDir, 'tillit.db'), { readonly: true, fileMustExist: true });
    const count = () => db.prepare("SELECT count(*) AS n FROM events WHERE event = 'Bench Event'").get().n;
    const started = Date.now();
    let stored = count();
    let steadySince = Date.now();
    while (stored < events && Date.now() - started < 60_000 && Date.now() - steadySince < 8_000) {
      await new Promise((r) => setTimeout(r, 250));
      const n = count();
      if (n !== stored) steadySince = Date.now();
      stored = n;
    }
    const deliveredMs = Date.now() - started;
    if (cdp) writeFileSync(cpuProfile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    // The collector's clock and the page's are this machine's: from the first track() to the last event stored.
    const lastStoredAt = db.prepare("SELECT max(received_at) AS t FROM events WHERE event = 'Bench Event'").get().t;
    const distinct = db
      .prepare("SELECT count(DISTINCT json_extract(payload, '$.properties.i')) AS n FROM events WHERE event = 'Bench Event'")
      .get().n;
    db.close();
    const longTasks = await page.evaluate(() => window.__bench.longTasks);
    // What is still queued in IndexedDB when deliveries stopped (the SDK's own database and store).
    const queuedAfter = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const open = indexedDB.open('tillit');
          open.onerror = () => resolve(null);
          open.onsuccess = () => {
            try {
              const req = open.result.transaction('queue').objectStore('queue').count();
              req.onsuccess = () => resolve(req.result);
              req.onerror = () => resolve(null);
            } catch {
              resolve(null);
            }
          };
        }),
    );
    const version = await browser.version();
    const perCall = run.tasks.map((ms) => ms / perTask).sort((a, b) => a - b);
    const q = (p) => perCall[Math.min(perCall.length - 1, Math.floor(p * perCall.length))];
    return {
      load,
      chromium: version,
      events,
      perTask,
      trackingMs: run.trackingMs,
      meanCallUs: (run.tasks.reduce((a, b) => a + b, 0) / events) * 1000,
      p50CallUs: q(0.5) * 1000,
      p99CallUs: q(0.99) * 1000,
      maxTaskMs: Math.max(...run.tasks),
      longTasks: longTasks.length,
      longTaskMs: longTasks.reduce((a, t) => a + t.ms, 0),
      longestTaskMs: longTasks.length ? Math.max(...longTasks.map((t) => t.ms)) : 0,
      indexedDb: run.dbs.includes('tillit'),
      stored,
      distinct,
      queuedAfter,
      deliveredMs,
      deliveryMs: lastStoredAt - run.firstTrackAt,
      eventsPerSecond: Math.round((stored / (lastStoredAt - run.firstTrackAt)) * 1000),
      pageErrors: errors,
    };
  } finally {
    await browser.close();
    await collector.stop();
    site.closeAllConnections?.();
    await new Promise((r) => site.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
