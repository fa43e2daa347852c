import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './scripts/setup.mjs';

// No browser can be downloaded here: use the system Chromium (scripts/test.mjs finds or installs it).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Every browser spec runs on both stores: SQLite (project sqlite) and PostgreSQL (project pg, a fresh
 * schema per test collector, dropped after). Specs of the banner and the SDK alone still send their
 * consent records and events to the collector, so the store is in their path too.
 */

export default defineConfig<object, { store: 'sqlite' | 'pg' }>({
  projects: [
    { name: 'sqlite', use: { store: 'sqlite' } },
    { name: 'pg', use: { store: 'pg' } },
  ],
  testDir: 'test',
  // No path mapping: the browser tests import @tillit/* as a site does, through the built packages.
  tsconfig: './tsconfig.playwright.json',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/playwright',
  // axe-core scans take most of a test's time on a loaded 2-core machine; 30 s timed them out there.
  timeout: 60_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath,
      args: [
        ...CHROMIUM_ARGS,
        // *.test names resolve to this machine, so a test can open a plain-http page that is not a
        // secure context (no crypto.randomUUID, no Web Locks), as real http sites are.
        '--host-resolver-rules=MAP *.test 127.0.0.1',
      ],
    },
  },
});
