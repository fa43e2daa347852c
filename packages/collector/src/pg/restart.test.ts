/**
 * PostgreSQL restarted under load, on a private PostgreSQL 15 made for this test (initdb in a temp dir,
 * a free port): the shared server on 5432 serves other tests at the same time and is never restarted.
 * Every event answered 200 is stored exactly once, the collector answers 503 with Retry-After while the
 * database is away, and it recovers without a restart.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Collector, createCollector } from '../server.js';
import { TEST_WRITE_KEY } from '../testing.js';

const BIN = '/usr/lib/postgresql/15/bin';
const available = existsSync(join(BIN, 'initdb'));
// PostgreSQL refuses to run as root: as root, its tools run as the postgres user.
const asRoot = process.getuid?.() === 0;

const command = (tool: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]] : [join(BIN, tool), args];
function pgTool(tool: string, args: string[]): void {
  execFileSync(...command(tool, args), { stdio: 'pipe', timeout: 60_000 });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let dir: string;
let url: string;
// Always with a log file: a server started without one keeps pg_ctl's output pipe open.
const ctlArgs = (args: string[]) => ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '60', ...args];
const ctl = (...args: string[]) => pgTool('pg_ctl', ctlArgs(args));

beforeAll(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'tillit-private-pg-'));
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
    chownSync(dir, uid!, gid!);
  }
  pgTool('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  ctl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
  url = `postgres://postgres@127.0.0.1:${port}/postgres`;
}, 120_000);

afterAll(async () => {
  if (!available) return;
  try {
    ctl('-m', 'immediate', 'stop');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

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

it.skipIf(!available)(
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
      await promisify(execFile)(...command('pg_ctl', ctlArgs(['-m', 'fast', 'restart'])), { timeout: 60_000 });
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
