/**
 * The collector killed with SIGKILL under load, as a crash or the OOM killer would: no shutdown
 * hook runs. It is the built CLI in its own process, with its default durability, on loopback.
 * After a restart on the same data, every event it had answered 200 for is in the database, and
 * a browser that was tracking through the crash delivers each of its events exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, test, tillitPage, WRITE_KEY } from '../support/fixtures.js';
import { expectExactlyOnce, pageErrors, sdk, track } from './support.js';

const CLI = fileURLToPath(new URL('../../packages/collector/dist/cli.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the collector CLI and resolves once it listens. */
function startCollector(port: number, dataDir: string, origin: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI], {
    env: {
      ...process.env,
      TILLIT_PORT: String(port),
      TILLIT_DATA_DIR: dataDir,
      TILLIT_WRITE_KEY: WRITE_KEY,
      TILLIT_ORIGINS: origin,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start:\n${output}`)), 10_000);
    child.stderr!.on('data', (d) => {
      output += d;
    });
    child.stdout!.on('data', (d) => {
      output += d;
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`collector exited (${code}):\n${output}`)));
  });
}

/**
 * Posts batches of 20 fresh events from `connections` loops until `stop()` or a connection error
 * (the kill), and records the ids of every event in a batch the collector answered 200 for.
 */
function loadCollector(url: string, connections: number, deadline: number) {
  const acknowledged: string[] = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped && Date.now() < deadline) {
      const batch = Array.from({ length: 20 }, () => ({
        type: 'track',
        event: 'Load',
        messageId: randomUUID(),
        anonymousId: 'load-subject',
        timestamp: new Date().toISOString(),
        properties: { pad: 'x'.repeat(200) },
      }));
      try {
        const res = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ writeKey: WRITE_KEY, sentAt: new Date().toISOString(), batch }),
        });
        const answer = (await res.json()) as { accepted: number; duplicates: number };
        if (res.status === 200 && answer.accepted + answer.duplicates === batch.length) {
          acknowledged.push(...batch.map((e) => e.messageId));
        }
      } catch {
        return; // the collector is gone: what it answered before is what counts
      }
    }
  };
  const running = Promise.all(Array.from({ length: connections }, loop));
  return {
    acknowledged,
    done: () => {
      stopped = true;
      return running;
    },
  };
}

test('SIGKILL under load, then restart: every event answered 200 is stored, and the browser delivers its events once', async ({
  page,
  site,
}) => {
  test.setTimeout(45_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-faults-crash-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let collector = await startCollector(port, dataDir, site.origin);
  try {
    const errors = pageErrors(page);
    site.setPage('/crash', tillitPage({ collector: { url }, banner: false, attributes: { 'auto-page': 'off' } }));
    await page.goto(site.url('/crash'));
    await sdk(page, (t) => t.consent.acceptAll());

    const load = loadCollector(url, 8, Date.now() + 10_000);
    await track(page, 'Crash', 20);
    await expect.poll(() => load.acknowledged.length, { timeout: 10_000 }).toBeGreaterThan(2000);
    await track(page, 'Crash', 15, { from: 20 });
    collector.kill('SIGKILL'); // mid-load: requests in flight and rows waiting for the group commit
    await load.done();
    await track(page, 'Crash', 15, { from: 35 }); // tracked while the collector is down
    collector = await startCollector(port, dataDir, site.origin);

    const db = new Database(join(dataDir, 'tillit.db'), { readonly: true });
    try {
      const stored = db.prepare('SELECT count(*) AS n FROM events WHERE message_id = ?');
      const missing = load.acknowledged.filter((id) => (stored.get(id) as { n: number }).n !== 1);
      expect(missing, `${missing.length} of ${load.acknowledged.length} acknowledged events missing`).toEqual([]);
      const rows = async <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
      const json = (path: string) => `json_extract(payload, '$.${path}')`;
      await expectExactlyOnce({ rows, json }, 'Crash', [{ tab: 'a', count: 50 }], { timeout: 25_000 });
    } finally {
      db.close();
    }
    expect(errors).toEqual([]);
  } finally {
    collector.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
