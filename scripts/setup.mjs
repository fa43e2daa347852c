// What `npm start` and `npm test` need before they run, done once and skipped when already done:
// the npm packages (as locked), the bundles, and for tests a Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(new URL('..', import.meta.url).pathname);

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

/** True when node_modules is missing or older than package-lock.json. */
export function installIsStale() {
  const marker = join(root, 'node_modules/.package-lock.json');
  return !existsSync(marker) || statSync(marker).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs;
}

/** Installs the locked packages when node_modules is missing or older than package-lock.json. */
export function ensureInstalled() {
  if (installIsStale()) {
    console.log('[tillit] installing npm packages (npm ci; better-sqlite3 compiles, about a minute)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  try {
    execFileSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `[tillit] better-sqlite3 cannot open a database: ${String(error.stderr ?? error.message).split('\n')[0]}\n` +
        'Its native module was not built. Check that package.json approves its install script ("allowScripts") and run `npm rebuild better-sqlite3`.',
    );
  }
}

export function build() {
  console.log('[tillit] building every package (rollup.config.ts)…');
  run('npx', ['rollup', '-c', 'rollup.config.ts', '--configPlugin', 'esbuild', '--silent']);
}

/**
 * Flags for a headless Chromium in a sandbox without outside network: without the background-networking
 * ones it stalls on connections the machine refuses. Used by Playwright's config and the bench.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** A Chromium for Playwright: CHROMIUM_PATH, the system one, or Debian's package installed when we are root. */
export function ensureChromium() {
  const found = [process.env.CHROMIUM_PATH, ...CHROMIUM_CANDIDATES].find((p) => p && existsSync(p));
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log("[tillit] no Chromium found: installing Debian's chromium package (apt-get)…");
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  throw new Error(
    '[tillit] the browser tests need Chromium and none was found.\n' +
      'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.\n' +
      'Playwright cannot download its own browser here.',
  );
}

export function packageVersion() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
}
