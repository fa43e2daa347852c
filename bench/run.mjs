// `npm run bench`: installs what the benchmarks need (bench/ is its own npm package, so peers never
// reach the workspace), builds Tillit, runs every section in one go, writes bench/REPORT.md and
// prints it. Benchmarks, not tests: nothing here passes or fails on a figure.
//   node bench/run.mjs [--quick] [--only=sizes,ingest,erasure,pg,browser,dashboard,export,insights] [--insights]
// --only= runs those sections alone and rewrites only their sections of bench/REPORT.md in place (each
// section notes the run it came from); --insights is --only=insights. --quick runs are printed, and
// written to REPORT.md only by a run of every section (marked as quick there).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled, root } from '../scripts/setup.mjs';
import { SECTIONS } from './sections.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const insightsAlone = args.includes('--insights');
const only = insightsAlone
  ? ['insights']
  : args
      .find((a) => a.startsWith('--only='))
      ?.slice(7)
      .split(',');
const unknown = only?.filter((s) => !SECTIONS.includes(s)) ?? [];
if (unknown.length) throw new Error(`[bench] --only: no section ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})`);
const wanted = (section) => !only || only.includes(section);
const log = (...a) => console.log('[bench]', ...a);

function run(command, argv, options = {}) {
  return spawnSync(command, argv, { cwd: root, stdio: 'inherit', ...options }).status === 0;
}

// 1. Packages: the workspace as locked, then bench/'s own (peers, load tools) as locked.
ensureInstalled();
const benchLock = join(root, 'bench/package-lock.json');
const benchMarker = join(root, 'bench/node_modules/.package-lock.json');
if (!existsSync(benchMarker) || statSync(benchMarker).mtimeMs < statSync(benchLock).mtimeMs) {
  log('installing bench/ packages (npm ci --prefix bench)…');
  if (!run('npm', ['ci', '--prefix', 'bench', '--no-audit', '--no-fund']))
    throw new Error('[bench] npm ci --prefix bench failed');
}

// 2. Build. A package that does not build (work in progress) is reported, and the rest still runs.
const buildFailures = [];
log('building (rollup.config.ts)…');
if (!run('npx', ['rollup', '-c', 'rollup.config.ts', '--configPlugin', 'esbuild', '--silent'])) {
  for (const pkg of ['schema', 'collector', 'sdk', 'banner', 'portal']) {
    const ok = run('npx', ['rollup', '-c', 'rollup.config.ts', '--configPlugin', 'esbuild', '--silent'], {
      env: { ...process.env, TILLIT_PACKAGES: pkg },
      stdio: 'ignore',
    });
    if (!ok) buildFailures.push(pkg);
  }
  log(`these packages did not build: ${buildFailures.join(', ')}`);
}

// 3. The machine and the versions, taken now so the report states what produced its figures.
const osName = (() => {
  try {
    return /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
})();
const pkgVersion = (dir, name) => {
  try {
    return JSON.parse(readFileSync(join(root, dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
};
const { default: Database } = await import('better-sqlite3');
const sqliteVersion = (() => {
  const db = new Database(':memory:');
  const v = db.prepare('SELECT sqlite_version() AS v').get().v;
  db.close();
  return v;
})();
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  ramGiB: totalmem() / 2 ** 30,
  node: process.version,
  os: `${osName} (Linux ${release()})`,
  git: (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })(),
};
const versions = {
  'better-sqlite3': pkgVersion('.', 'better-sqlite3'),
  SQLite: sqliteVersion,
  esbuild: pkgVersion('.', 'esbuild'),
  autocannon: pkgVersion('bench', 'autocannon'),
  fastify: pkgVersion('bench', 'fastify'),
  hono: pkgVersion('bench', 'hono'),
  '@hono/node-server': pkgVersion('bench', '@hono/node-server'),
  '@playwright/test': pkgVersion('.', '@playwright/test'),
};

/** The SDK's default batch size, read from its source (falls back to 10 if it cannot be found). */
function sdkBatchSize() {
  try {
    const src = readFileSync(join(root, 'packages/sdk/src/state.ts'), 'utf8');
    // `batchSize: batch.size ?? 30` in createState.
    return Number(/batch\??\.size \?\? (\d+)/.exec(src)?.[1] ?? 10);
  } catch {
    return 10;
  }
}

const started = new Date();
const load = { before: loadavg() };
const results = {};
const errors = {};
async function section(name, fn) {
  if (!wanted(name)) return;
  const loadBefore = loadavg()[0];
  log(`section ${name}…`);
  const t0 = performance.now();
  try {
    results[name] = await fn();
  } catch (error) {
    errors[name] = String(error?.stack ?? error);
    console.error(`[bench] section ${name} failed:`, error);
  }
  results[`${name}Meta`] = { seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadavg()[0] };
}

// The report renders with bench/'s packages (pg.mjs) and the built @tillit/insights (insights.mjs), so it
// loads only once they are installed and built.
const { renderReport, renderSection, updateReport } = await import('./report.mjs');
const { sizesSection } = await import('./sizes.mjs');
const { ingestSection } = await import('./ingest.mjs');
const { erasureSection } = await import('./erasure.mjs');
const { browserSection } = await import('./browser.mjs');
const { pgSection } = await import('./pg.mjs');
const { dashboardSection } = await import('./dashboard.mjs');
const { exportSection } = await import('./export.mjs');
const { insightsSection } = await import('./insights.mjs');
const batchSize = sdkBatchSize();
await section('sizes', () => sizesSection());
await section('ingest', () => ingestSection({ scale: quick ? 0.4 : 1, sdkBatchSize: batchSize }));
await section('erasure', () =>
  erasureSection(
    quick ? { events: 100_000, subjects: 1_000, samples: 20, log } : { events: 1_000_000, subjects: 10_000, samples: 100, log },
  ),
);
await section('pg', () =>
  pgSection(quick ? { rows: 10_000, events: 100_000, seconds: 2, log } : { rows: 50_000, events: 1_000_000, seconds: 5, log }),
);
await section('browser', () => browserSection({ events: quick ? 2_000 : 10_000 }));
await section('dashboard', () => dashboardSection());
await section('export', () => exportSection({ events: quick ? 100_000 : 1_000_000, log }));
await section('insights', () => insightsSection(quick ? { events: 100_000, people: 10_000, customers: 10_000, log } : { log }));
load.after = loadavg();

const report = renderReport({ machine, versions, load, started, results, errors, buildFailures, quick, batchSize });
const reportFile = join(root, 'bench/REPORT.md');
if (!only) writeFileSync(reportFile, report);
else if (quick) log('(--only with --quick: bench/REPORT.md left as it was)');
else {
  // A section that failed keeps its figures from the run before; the failure is printed below.
  const context = { results, errors, started, git: machine.git };
  const sections = Object.fromEntries(
    only.filter((name) => !errors[name] && results[name]).map((name) => [name, renderSection(name, context)]),
  );
  writeFileSync(reportFile, updateReport(readFileSync(reportFile, 'utf8'), sections, results));
  log(`(--only: ${Object.keys(sections).join(', ') || 'no section'} rewritten in place in bench/REPORT.md)`);
}
console.log(`\n${report}`);
