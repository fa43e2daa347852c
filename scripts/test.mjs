// `npm test`: everything a fresh clone needs, then every test: types, lint, unit and integration
// tests (vitest, real collector over HTTP on SQLite and on PostgreSQL), browser tests (Playwright, real
// Chromium; every spec on both stores).
// Extra arguments go to both runners' filters, e.g. `npm test -- consent`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureChromium, ensureInstalled, root } from './setup.mjs';

const filters = process.argv.slice(2);
// A filter may match only one runner's tests: the other then has none, which is fine (the count at
// the end still fails a run where no test ran at all).
const noTestsOk = (flag) => (filters.length ? [flag] : []);
ensureInstalled();
build();
const chromium = ensureChromium();

const reports = join(root, 'test-results/reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const steps = [];
function step(name, command, args, env = {}) {
  console.log(`\n[tillit] ${name}: ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  steps.push({ name, ok: status === 0 });
}

// The collector's tests run on SQLite and on PostgreSQL: without a reachable PostgreSQL the run fails,
// first with this one message saying what to start (then with each PostgreSQL test's own).
const databaseUrl = process.env.TILLIT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
async function checkPostgres() {
  // Imported here: on a fresh clone, ensureInstalled() above is what installs it.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    steps.push({ name: 'PostgreSQL reachable', ok: true });
  } catch (error) {
    console.error(
      `\n[tillit] PostgreSQL is not reachable at ${databaseUrl} (${error.message}).\n` +
        '[tillit] The collector tests run on PostgreSQL too: start PostgreSQL 15 with trust authentication for local\n' +
        '[tillit] connections and a database named test (Debian: pg_ctlcluster 15 main start), or point\n' +
        '[tillit] TILLIT_TEST_DATABASE_URL at one.',
    );
    steps.push({ name: 'PostgreSQL reachable', ok: false });
  } finally {
    await client.end().catch(() => {});
  }
}
await checkPostgres();

if (!filters.length) {
  step('types', 'npx', ['tsc', '-p', 'tsconfig.json']);
  step('lint', 'npx', ['biome', 'check', '.']);
  step('import rules', 'npm', ['run', '--silent', 'lint:imports']);
}
step('unit and integration tests', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${join(reports, 'vitest.json')}`,
  ...noTestsOk('--passWithNoTests'),
  ...filters,
]);
step('browser tests', 'npx', ['playwright', 'test', ...noTestsOk('--pass-with-no-tests'), ...filters], {
  CHROMIUM_PATH: chromium,
  PLAYWRIGHT_JSON_OUTPUT_NAME: join(reports, 'playwright.json'),
});

function read(file) {
  try {
    return JSON.parse(readFileSync(join(reports, file), 'utf8'));
  } catch {
    return null;
  }
}
let passed = 0;
let failed = 0;
let skipped = 0;
const vitest = read('vitest.json');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + (vitest.numTodoTests ?? 0);
}
const playwright = read('playwright.json');
if (playwright?.stats) {
  passed += playwright.stats.expected;
  failed += playwright.stats.unexpected;
  skipped += playwright.stats.skipped;
  passed += playwright.stats.flaky;
}
const failedSteps = steps.filter((s) => !s.ok).map((s) => s.name);
console.log(`\n[tillit] steps: ${steps.map((s) => `${s.name} ${s.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failedSteps.length || failed) process.exit(1);
if (passed === 0) {
  console.error('[tillit] no test ran');
  process.exit(1);
}
