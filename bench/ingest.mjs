// Section 2: collector ingest next to its two limits (a parse-only node:http server, raw SQLite
// inserts), and the HTTP layers it could have used. Every server runs as its own process on
// 127.0.0.1; autocannon drives it from this process with a fixed number of requests.
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { eventBytes, eventRow, makeBodies } from './events.mjs';

const root = new URL('..', import.meta.url).pathname;
const WRITE_KEY = 'bench-write-key';
const CONNECTIONS = 50;

/** Starts a server process and resolves once it prints its URL. */
export function spawnServer(args, env = {}) {
  // BENCH_SERVER_NODE_ARGS: node flags for the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to profile them.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${args.join(' ')}\n${log}`)), 15_000);
    const onData = (d) => {
      log += d;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(log)?.[0];
      if (!url) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url,
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      log += d;
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${args.join(' ')}\n${log}`)));
  });
}

/** CPU time (ms, user + system) of a process or one of its threads, from /proc (Linux); null elsewhere. */
function cpuMsOf(pid, tid) {
  try {
    const fields = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    // utime and stime, in clock ticks of 10 ms (USER_HZ 100 on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU per event while `work` runs: the server process (all threads: the collector's request thread, its
 * SQLite writer, GC and libuv threads), its request thread alone, and this process (the load generator).
 */
async function withCpu(pid, work) {
  const before = { all: cpuMsOf(pid), main: cpuMsOf(pid, pid), gen: process.cpuUsage() };
  const figures = await work();
  const all = cpuMsOf(pid);
  const main = cpuMsOf(pid, pid);
  const gen = process.cpuUsage(before.gen);
  const events = figures.requests * figures.batchSize;
  const perEvent = (ms) => (events > 0 ? (ms * 1000) / events : null);
  return {
    ...figures,
    cpuUsPerEvent: all === null ? null : perEvent(all - before.all),
    mainUsPerEvent: main === null ? null : perEvent(main - before.main),
    loadGenUsPerEvent: perEvent((gen.user + gen.system) / 1000),
  };
}

/**
 * Sends bodies in order over `connections` keep-alive connections for `seconds` (autocannon's
 * counts are exact for a duration; with a request count its clock rounds up to whole seconds).
 * Past the end of `bodies` it starts over, which the collector would count as duplicates: the
 * pools are sized so that this does not happen, and `stored` in the report shows it did not.
 */
export async function load(url, bodies, batchSize, { connections = CONNECTIONS, seconds = 5 } = {}) {
  let next = 0;
  const result = await autocannon({
    url: `${url}/v1/batch`,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
  const ok = result['2xx'];
  return {
    batchSize,
    requests: ok,
    sent: next,
    // Past the end of the pool the same events go again: the collector would answer duplicates, a cheaper path.
    wrapped: next > bodies.length,
    failed: result.non2xx + result.errors + result.timeouts,
    eventsPerSec: (ok * batchSize) / result.duration,
    requestsPerSec: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
  };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'tillit-bench-'));

/**
 * The disk's fdatasync of a 4 KB append where the data directories go: each group commit with durability
 * full waits for one (the WAL's), so it bounds commits per second, and so requests per second at a fixed
 * number of connections when each request holds few events.
 */
export function fsyncLatency(samples = 200) {
  const dir = tempDir();
  const fd = openSync(join(dir, 'probe'), 'w');
  const page = Buffer.alloc(4096, 1);
  const ms = [];
  for (let i = 0; i < samples; i++) {
    writeSync(fd, page);
    const started = performance.now();
    fdatasyncSync(fd);
    ms.push(performance.now() - started);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(samples / 2)], p99: ms[Math.floor(samples * 0.99)] };
}

/** The collector as a site runs it: the built CLI, a fresh data dir, configured by environment. */
export async function runCollector(bodies, batchSize, durability, seconds, env = {}) {
  const dataDir = tempDir();
  // Its defaults, but no limit on requests per connection. By default a keep-alive connection is closed
  // after 1,000 requests; a client (a browser, undici) then opens another, one handshake per 1,000
  // requests, but autocannon keeps writing to the closing connection and counts 503s: it capped a 5 s
  // row at 50 × 1,000 ÷ 5 = 10,000 requests/s (both rounds of the one-event rows, 2026-12-03 15:16,
  // hit exactly 9,980 with 28,775 errors).
  const config = join(dataDir, 'bench-collector.json');
  writeFileSync(config, JSON.stringify({ connections: { maxRequestsPerConnection: 0 } }));
  const server = await spawnServer(['packages/collector/dist/cli.js'], {
    TILLIT_CONFIG: config,
    TILLIT_PORT: '0',
    TILLIT_DATA_DIR: dataDir,
    TILLIT_WRITE_KEY: WRITE_KEY,
    ...(durability ? { TILLIT_DURABILITY: durability } : {}),
    ...env,
  });
  try {
    // Warm-up: JIT, SQLite page cache, connections; its events (other ids) are not counted.
    const warmBodies = makeBodies({ count: 2000, size: batchSize, writeKey: WRITE_KEY });
    const warm = await load(server.url, warmBodies, batchSize, { seconds: 1 });
    const figures = await withCpu(server.child.pid, () => load(server.url, bodies, batchSize, { seconds }));
    await server.stop();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dataDir, 'tillit.db'), { readonly: true });
    // Past the end of its pool the warm-up sends the same events again: they are stored once.
    const warmRows = Math.min(warm.sent, warmBodies.length) * batchSize;
    figures.stored = db.prepare('SELECT count(*) AS n FROM events').get().n - warmRows;
    figures.warmStored = warmRows;
    db.close();
    return figures;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runParseOnly(kind, bodies, batchSize, seconds) {
  const server = await spawnServer(['bench/servers.mjs', kind]);
  try {
    await load(server.url, bodies, batchSize, { seconds: 1 });
    return await withCpu(server.child.pid, () => load(server.url, bodies, batchSize, { seconds }));
  } finally {
    await server.stop();
  }
}

/**
 * Raw SQLite: the collector's own SqliteStore (same schema, indexes, statements, group commit) fed
 * the same rows without HTTP, 50 batches at a time as 50 connections would, so each transaction
 * holds 50 × batch rows. The payload is the event as the collector stores it. On the calling thread
 * (no writer thread), so that this stays the bare cost of the inserts and commits.
 *
 * `like`: a collector row's figures. Then the table first takes as many untimed rows as that
 * collector's warm-up stored, and the timed part inserts as many rows as the collector stored: an
 * insert costs more the larger the table (the anonymous_id index takes each row at a random place:
 * without that index, 2026-12-03, the same 320,000 inserts ran twice as fast and did not slow down as
 * the table grew), so the limit is taken over the same table sizes as the collector's run (`kind`: its
 * message ids). Without it, `bodies` whole into an empty table.
 */
export async function runRawSqlite(bodies, durability, { like, kind = 'v7' } = {}) {
  const { SqliteStore } = await import('../packages/collector/dist/index.js');
  const dataDir = tempDir();
  const store = new SqliteStore({ dataDir, durability, writerThread: false });
  const receivedAt = Date.now();
  const rowsOf = (list) => list.map((body) => JSON.parse(body).batch.map((e) => eventRow(e, 'bench', receivedAt)));
  const insertAll = async (batches) => {
    for (let i = 0; i < batches.length; i += CONNECTIONS) {
      await Promise.all(batches.slice(i, i + CONNECTIONS).map((rows) => store.insertEvents(rows)));
    }
  };
  const batchSize = JSON.parse(bodies[0]).batch.length;
  const warm = like
    ? rowsOf(makeBodies({ count: Math.round(like.warmStored / batchSize), size: batchSize, kind, writeKey: WRITE_KEY }))
    : [];
  await insertAll(warm);
  const timed = like ? bodies.slice(0, Math.min(bodies.length, Math.round(like.stored / batchSize))) : bodies;
  const batches = rowsOf(timed);
  const events = batches.reduce((n, b) => n + b.length, 0);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await insertAll(batches);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const warmStored = warm.length * batchSize;
  const stored = (await store.countEvents()) - warmStored;
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const cpuUsPerEvent = (used.user + used.system) / events;
  return {
    eventsPerSec: events / seconds,
    seconds,
    stored,
    warmStored,
    requests: batches.length,
    cpuUsPerEvent,
    mainUsPerEvent: cpuUsPerEvent,
  };
}

/**
 * The collector's per-event CPU work apart from HTTP and SQL: JSON.parse of the body, validation of
 * each event and JSON.stringify of what is stored. One core, no I/O. `compiled`: the schema's compiled
 * check (validateEvent, what the collector runs) instead of zod's Event.safeParse.
 */
export async function runValidation(bodies, { compiled = false } = {}) {
  const { Event, validateEvent } = await import('../packages/schema/dist/index.js');
  const byZod = (e) => {
    const parsed = Event.safeParse(e);
    return parsed.success ? parsed.data : null;
  };
  const validate = compiled ? validateEvent : byZod;
  let events = 0;
  const work = (list) => {
    for (const body of list) {
      for (const e of JSON.parse(body).batch) {
        const event = validate(e);
        if (!event) throw new Error('a benchmark event did not validate');
        JSON.stringify(event);
        events++;
      }
    }
  };
  work(bodies.slice(0, 500)); // warm-up: the collector's code is hot when it ingests
  events = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  work(bodies);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuUsPerEvent = (used.user + used.system) / events;
  return { eventsPerSec: events / seconds, seconds, requests: bodies.length, cpuUsPerEvent, mainUsPerEvent: cpuUsPerEvent };
}

/** Every ingest figure of the report, in one run. `scale` shortens the runs for a quick try. */
export async function ingestSection({ scale = 1, sdkBatchSize = 30, rounds = 2, log = console.log } = {}) {
  const seconds = Math.max(1, Math.round(5 * scale));
  // Each pool holds more distinct events than a collector ingests in `seconds` (≈ 40 000 events/s here at
  // best), so that none goes twice; the parse-only servers may wrap around, they keep nothing.
  const pool = (size, kind = 'v7') =>
    makeBodies({ count: Math.ceil((80_000 / size) * seconds), size, kind, writeKey: WRITE_KEY });
  const bodies20 = pool(20);
  const bodies20v4 = pool(20, 'v4');
  const bodiesSdk = pool(sdkBatchSize);
  const bodies1 = pool(1);
  // 80,000 events: the validation rows' work, and the raw SQLite limit as measured before 2026-12-03.
  const first80k = bodies20.slice(0, 4000);
  // Every row runs once per round, rounds one after another, so a burst of other work on the machine
  // hits one round of a row rather than all of it; the report keeps each row's better round and shows the other.
  // A raw SQLite limit runs right after its collector row (`after`), over that round's table sizes.
  const jobs = [];
  const add = (name, meta, fn, after) => jobs.push({ name, meta, fn, after, results: [] });
  const COLLECTOR_FULL = 'collector, default durability (full)';
  const COLLECTOR_NORMAL = 'collector, durability=normal';
  const COLLECTOR_V4 = 'collector, random v4 message ids (as Segment clients send)';
  add('bare node:http, parse only', { batch: 20, kind: 'limit-http' }, () => runParseOnly('bare', bodies20, 20, seconds));
  // The ceiling of the one-event-per-request target: the same bodies, a server that only parses them.
  add('bare node:http, parse only, 1 event per request', { batch: 1, kind: 'limit-http-1' }, () =>
    runParseOnly('bare', bodies1, 1, seconds),
  );
  add('fastify 5, parse only', { batch: 20, kind: 'layer' }, () => runParseOnly('fastify', bodies20, 20, seconds));
  add('hono 4 on @hono/node-server 2, parse only', { batch: 20, kind: 'layer' }, () =>
    runParseOnly('hono', bodies20, 20, seconds),
  );
  add(
    'raw SQLite inserts, synchronous=FULL, over the collector’s table sizes',
    { batch: 20, kind: 'limit-sql', durability: 'full' },
    (last) => runRawSqlite(bodies20, 'full', { like: last.get(COLLECTOR_FULL) }),
    COLLECTOR_FULL,
  );
  add(
    'raw SQLite inserts, synchronous=NORMAL, over the collector’s table sizes',
    { batch: 20, kind: 'limit-sql', durability: 'normal' },
    (last) => runRawSqlite(bodies20, 'normal', { like: last.get(COLLECTOR_NORMAL) }),
    COLLECTOR_NORMAL,
  );
  add(
    'raw SQLite inserts, synchronous=FULL, 80,000 rows into an empty table',
    { batch: 20, kind: 'sql-empty', durability: 'full' },
    () => runRawSqlite(first80k, 'full'),
  );
  add('validation only: JSON.parse + Event.safeParse + JSON.stringify', { batch: 20, kind: 'cpu' }, () =>
    runValidation(first80k),
  );
  add(
    'validation only, compiled validator: JSON.parse + validateEvent + JSON.stringify',
    { batch: 20, kind: 'cpu-compiled' },
    () => runValidation(first80k, { compiled: true }),
  );
  add(
    'raw SQLite inserts, random v4 ids, FULL, over the collector’s table sizes',
    { batch: 20, kind: 'sql-v4', durability: 'full' },
    (last) => runRawSqlite(bodies20v4, 'full', { like: last.get(COLLECTOR_V4), kind: 'v4' }),
    COLLECTOR_V4,
  );
  add(COLLECTOR_FULL, { batch: 20, kind: 'collector', durability: 'full' }, () => runCollector(bodies20, 20, undefined, seconds));
  add(COLLECTOR_NORMAL, { batch: 20, kind: 'collector', durability: 'normal' }, () =>
    runCollector(bodies20, 20, 'normal', seconds),
  );
  add(
    'collector, SQLite writer on the request thread (TILLIT_WRITER_THREAD=off)',
    { batch: 20, kind: 'collector-one-thread', durability: 'full' },
    () => runCollector(bodies20, 20, undefined, seconds, { TILLIT_WRITER_THREAD: 'off' }),
  );
  add(`collector, SDK batch size (${sdkBatchSize})`, { batch: sdkBatchSize, kind: 'collector', durability: 'full' }, () =>
    runCollector(bodiesSdk, sdkBatchSize, undefined, seconds),
  );
  add('collector, 1 event per request (one page view flushed alone)', { batch: 1, kind: 'collector', durability: 'full' }, () =>
    runCollector(bodies1, 1, undefined, seconds),
  );
  add(
    'collector, 1 event per request, durability=normal (no fsync per commit)',
    { batch: 1, kind: 'collector-nosync', durability: 'normal' },
    () => runCollector(bodies1, 1, 'normal', seconds),
  );
  add(COLLECTOR_V4, { batch: 20, kind: 'collector-v4', durability: 'full' }, () =>
    runCollector(bodies20v4, 20, undefined, seconds),
  );
  const fsync = [];
  for (let round = 1; round <= rounds; round++) {
    fsync.push(fsyncLatency());
    const last = new Map();
    const runJob = async (job) => {
      log(`  ingest round ${round}/${rounds}: ${job.name}…`);
      const loadAtStart = loadavg()[0];
      const figures = { ...(await job.fn(last)), loadAtStart };
      job.results.push(figures);
      last.set(job.name, figures);
      for (const next of jobs.filter((j) => j.after === job.name)) await runJob(next);
    };
    for (const job of jobs.filter((j) => !j.after)) await runJob(job);
  }
  const rows = jobs.map((job) => {
    const sorted = [...job.results].sort((a, b) => b.eventsPerSec - a.eventsPerSec);
    return {
      name: job.name,
      ...job.meta,
      ...sorted[0],
      otherRounds: sorted.slice(1).map((r) => r.eventsPerSec),
      byRound: job.results.map((r) => r.eventsPerSec),
    };
  });
  return { rows, rounds, eventBytes: eventBytes(), connections: CONNECTIONS, seconds, fsync };
}
