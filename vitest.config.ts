import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The collector's integration tests, run once per store: on SQLite (project node) and on PostgreSQL
 * (project node-pg, each test collector in a schema of its own, dropped after; see test-store.ts).
 * The SQLite-only ones (data dir, SQLite schema and triggers) and the PostgreSQL-only ones (pg/) are not here.
 */
const collectorIntegration = [
  'packages/collector/src/{server,security,observe,compat,client-compat,erasure-ledger}.test.ts',
  'packages/collector/src/routes/*.test.ts',
  'test/fuzz/collector.test.ts',
];

/** SDK modules with no platform access: their tests run in Node, so a DOM dependency would fail them. */
const platformFreeSdk = 'packages/sdk/src/{backoff,consent-rules,ids,queue-policy,session,size,url}.test.ts';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  // Shared by both projects (`extends: true`): workspace packages resolve to their sources, and the
  // build-time constant gets a test value.
  resolve: {
    alias: {
      // Before '@tillit/schema', which would otherwise take the subpath as a path below its index.ts.
      '@tillit/schema/scrub': fileURLToPath(new URL('./packages/schema/src/scrub.ts', import.meta.url)),
      '@tillit/schema': src('schema'),
      '@tillit/sdk': src('sdk'),
      '@tillit/banner': src('banner'),
      '@tillit/portal': src('portal'),
      '@tillit/insights': src('insights'),
      // Before '@tillit/collector', which would otherwise match this name as its prefix.
      '@tillit/collector/testing': fileURLToPath(new URL('./packages/collector/src/testing.ts', import.meta.url)),
      '@tillit/collector': src('collector'),
      // Before '@tillit/ui-kit', which would otherwise take the subpath as a path below its index.ts.
      '@tillit/ui-kit/shipped': fileURLToPath(new URL('./packages/ui-kit/src/shipped.ts', import.meta.url)),
      '@tillit/ui-kit': src('ui-kit'),
    },
  },
  define: { __TILLIT_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/{schema,insights,collector}/src/**/*.test.ts', platformFreeSdk, 'test/fuzz/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'node-pg',
          environment: 'node',
          include: collectorIntegration,
          env: { TILLIT_TEST_STORE: 'pg' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['packages/{sdk,banner,portal,ui-kit,dashboard}/src/**/*.test.ts'],
          exclude: [platformFreeSdk],
        },
      },
      {
        extends: true,
        test: {
          name: 'readme',
          environment: 'node',
          include: ['test/readme.test.ts'],
          // After the other projects: it rebuilds packages/*/dist, which some of their tests read.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
        },
      },
    ],
  },
});
