/**
 * Playwright fixtures for every browser test: a real collector (the built package, on an ephemeral
 * port, with a fresh SQLite file, or a fresh PostgreSQL schema in the `pg` project), and a real site on another origin that serves pages loading the
 * built script-tag bundles from /tillit/, exactly as a website would.
 *
 *   test('…', async ({ page, site, collector }) => {
 *     site.setPage('/', tillitPage({ collector }));
 *     await page.goto(site.url('/'));
 *     expect(await collector.count('SELECT count(*) AS n FROM events')).toBe(1);
 *   });
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test as base, expect } from '@playwright/test';
// The built collector, as a site runs it (npm test builds before it tests): tsconfig.json maps this
// name to the sources for the type check, while Playwright resolves it through the package's exports
// (playwright.config.ts gives it tsconfig.playwright.json, which maps nothing).
import { type RunningCollector, startCollector, type TestStoreKind } from '@tillit/collector/testing';
import { createStaticServer } from '../../scripts/static.mjs';

export const WRITE_KEY = 'e2e-write-key';
export const POLICY_VERSION = '2026-11';
/** The site's token key: the site's backend signs data-subject tokens for its signed-in users with it. */
export const E2E_TOKEN_KEY = 'e2e-token-key-'.padEnd(40, 'k');

export interface TestSite {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  /** A URL on this site; `host` swaps the host name, e.g. 'shop.test' for a plain-http, non-secure origin. */
  url(path?: string, host?: string): string;
  /** Serves `html` at `path` until the test ends. */
  setPage(path: string, html: string): void;
}

export interface TestCollector {
  url: string;
  running: RunningCollector;
  /** Rows of a SQL query (`?` placeholders) against the collector's live database, SQLite or PostgreSQL. */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** The `n` column of a `SELECT count(*) AS n …` query. */
  count(sql: string, ...params: unknown[]): Promise<number>;
  /** Every "table.column" holding `needle`, over every table of the database (erasure checks). */
  cellsContaining(needle: string): Promise<string[]>;
  /** The column that orders events by arrival. */
  readonly arrival: string;
  /** An SQL expression for the JSON value at `path` (e.g. 'properties.tab') of an event's payload. */
  json(path: string): string;
  /** Stops the collector (connections refused) until `restart()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same database. */
  restart(): Promise<void>;
}

export interface TillitPageOptions {
  collector: { url: string };
  writeKey?: string;
  policyVersion?: string;
  /** Extra data-* attributes of the SDK's script tag, without the `data-` prefix. */
  attributes?: Record<string, string>;
  /** Markup before the SDK's script tag (e.g. a stub or a CSP meta tag). */
  head?: string;
  body?: string;
  /** Set false to leave the banner out of the page (SDK-only tests). */
  banner?: boolean;
  lang?: string;
}

/** A page that loads the built script-tag bundle as a site would. */
export function tillitPage(options: TillitPageOptions): string {
  const attributes = {
    collector: options.collector.url,
    'write-key': options.writeKey ?? WRITE_KEY,
    'policy-version': options.policyVersion ?? POLICY_VERSION,
    ...(options.banner === false ? { banner: 'off' } : {}),
    ...options.attributes,
  };
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` data-${name}="${value.replaceAll('"', '&quot;')}"`)
    .join('');
  return `<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<title>Tillit test page</title>
${options.head ?? ''}
<script src="/tillit/tillit.js"${attrs}></script>
</head>
<body>
${options.body ?? '<h1>Test shop</h1>'}
</body>
</html>`;
}

export const test = base.extend<
  { collector: TestCollector; siteConfig: Record<string, unknown> },
  { site: TestSite & { pages: Map<string, string> }; store: TestStoreKind }
>({
  // More of the collector's site config (e.g. `test.use({ siteConfig: { serverCookie: true } })`).
  siteConfig: [{}, { option: true }],
  // The collector's store: a Playwright project sets it (playwright.config.ts runs the collector-facing specs on both).
  store: ['sqlite', { option: true, scope: 'worker' }],
  site: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      const pages = new Map<string, string>();
      // /vendor/ serves node_modules: the compat tests load other vendors' clients from the site, as a
      // site that hosts its own copy would, so that nothing is fetched from their CDNs.
      const vendor = fileURLToPath(new URL('../../node_modules/', import.meta.url));
      const server = createStaticServer({ pages, mounts: { '/vendor/': vendor } });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      await use({
        origin,
        port,
        pages,
        url: (path = '/', host = '127.0.0.1') => `http://${host}:${port}${path}`,
        setPage: (path, html) => pages.set(path, html),
      });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    { scope: 'worker' },
  ],
  collector: async ({ site, store, siteConfig }, use) => {
    site.pages.clear();
    // a. and b.shop.test: two subdomains of one site (the domain cookie's tests).
    const origins = [site.origin, 'localhost', 'shop.test', 'a.shop.test', 'b.shop.test'].map((host, i) =>
      i ? `http://${host}:${site.port}` : host,
    );
    const config = { sites: [{ name: 'e2e', writeKey: WRITE_KEY, origins, tokenKeys: [E2E_TOKEN_KEY], ...siteConfig }] };
    let running = await startCollector(config, undefined, store);
    const port = Number(new URL(running.url).port);
    const collector: TestCollector = {
      url: running.url,
      get running() {
        return running;
      },
      get arrival() {
        return running.sql.arrival;
      },
      json: (path) => running.sql.json(path),
      rows: (sql, ...params) => running.sql.query(sql, ...params),
      count: (sql, ...params) => running.sql.count(sql, ...params),
      cellsContaining: (needle) => running.sql.cellsContaining(needle),
      stop: () => running.stop(),
      restart: async () => {
        running = await startCollector({ ...config, port }, running.dataDir, store);
      },
    };
    await use(collector);
    await running.destroy();
  },
});

export { expect };
