// Section 5: the bulk export (GET /v1/export) of 1,000,000 stored events in each format, through the
// built collector over loopback HTTP, with the server process's resident memory sampled from /proc.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filledCopy } from './erasure.mjs';
import { spawnServer } from './ingest.mjs';

const TOKEN = 'bench-operator-token-'.padEnd(40, 'x');
const FORMATS = ['ndjson', 'csv', 'parquet'];

const rssOf = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** Reads one export to its end, counting bytes and taking the server's RSS every 20 ms. */
async function exportOnce(url, pid, format) {
  const start = rssOf(pid);
  let peak = start;
  const samples = [];
  const timer = setInterval(() => {
    const rss = rssOf(pid);
    peak = Math.max(peak, rss);
    samples.push(rss);
  }, 20);
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/export?format=${format}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  let firstByteMs;
  for await (const chunk of res.body) {
    firstByteMs ??= performance.now() - t0;
    bytes += chunk.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const end = rssOf(pid);
  // RSS in the second half of the export against the first: flat memory means no growth with rows sent.
  const half = samples.length >> 1;
  const maxOf = (xs) => xs.reduce((a, b) => Math.max(a, b), 0);
  return {
    format,
    seconds,
    bytes,
    firstByteMs,
    rssStart: start,
    rssPeak: peak,
    rssEnd: end,
    rssPeakFirstHalf: maxOf(samples.slice(0, half)),
    rssPeakSecondHalf: maxOf(samples.slice(half)),
  };
}

export async function exportSection({ events = 1_000_000, log = console.log } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillit-bench-export-'));
  try {
    log(`  export: a database of ${events} events…`);
    // The erasure section's database when it ran in this process (a copy of the same fill), else a new fill.
    const { fillSeconds, copySeconds } = await filledCopy(dataDir, events, 10_000);
    const dbBytes = statSync(join(dataDir, 'tillit.db')).size;
    const server = await spawnServer(['packages/collector/dist/cli.js'], {
      TILLIT_PORT: '0',
      TILLIT_DATA_DIR: dataDir,
      TILLIT_WRITE_KEY: 'bench-write-key',
      TILLIT_OPERATOR_TOKEN: TOKEN,
      TILLIT_LOG_LEVEL: 'warn',
    });
    const runs = [];
    try {
      for (const format of FORMATS) {
        log(`  export: ${format}…`);
        runs.push({ ...(await exportOnce(server.url, server.child.pid, format)), rowsPerSec: 0 });
        runs.at(-1).rowsPerSec = events / runs.at(-1).seconds;
      }
    } finally {
      await server.stop();
    }
    return {
      events,
      fillSeconds,
      copySeconds,
      dbBytes,
      runs,
      measured: 'GET /v1/export on the built collector (CLI), loopback HTTP, the client reading as fast as it can',
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node bench/export.mjs [events]`: this section alone, printed as JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await exportSection({ events: Number(process.argv[2] ?? 1_000_000) }), null, 2));
}
