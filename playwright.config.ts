import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './scripts/setup.mjs';

// No browser can be downloaded here: use the system Chromium (scripts/test.mjs finds or installs it).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The browser specs where what the collector stores is the point run on both stores: SQLite (project
 * sqlite, every spec) and PostgreSQL (project pg, a fresh schema per test, dropped after). The others
 * test the banner, the SDK in the browser and its fault handling, which no store changes.
 */
const COLLECTOR_FACING = [
  'e2e/collector-smoke.spec.ts',
  'e2e/privacy-flow.spec.ts',
  'e2e/privacy-portal.spec.ts',
  'e2e/sdk-delivery.spec.ts',
  'e2e/compat-segment.spec.ts',
  'e2e/compat-rudderstack.spec.ts',
];

export default defineConfig<object, { store: 'sqlite' | 'pg' }>({
  projects: [
    { name: 'sqlite', use: { store: 'sqlite' } },
    { name: 'pg', use: { store: 'pg' }, testMatch: COLLECTOR_FACING },
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
