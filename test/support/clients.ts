/** Shared by the specs that run other vendors' browser clients against the collector (compat-*.spec.ts). */
import type { Page } from '@playwright/test';
import { type TestCollector, expect } from './fixtures.js';

/** Every request the page makes, to prove that none leaves this machine. */
export function recordRequests(page: Page): URL[] {
  const urls: URL[] = [];
  page.on('request', (request) => urls.push(new URL(request.url())));
  return urls;
}

/** A page of the site that loads one file of node_modules, as a site hosting its own copy would. */
export function vendorPage(modulePath: string): string {
  return `<!doctype html><title>shop</title>
<script src="/vendor/${modulePath}"></script>
<body><h1>Shop</h1></body>`;
}

/** The paths of the collector that the page called. */
export function collectorPaths(requests: URL[], collector: TestCollector): Set<string> {
  const port = new URL(collector.url).port;
  return new Set(requests.filter((url) => url.port === port).map((url) => url.pathname));
}

/** Each of `types` stored exactly once; returns the stored events by type. */
export async function expectEachTypeOnce(collector: TestCollector, types: string[]): Promise<Record<string, any>> {
  const rows = await collector.rows<{ type: string; message_id: string; payload: string }>(
    `SELECT type, message_id, payload FROM events ORDER BY ${collector.arrival}`,
  );
  expect(rows.map((row) => row.type).sort()).toEqual([...types].sort());
  expect(new Set(rows.map((row) => row.message_id)).size).toBe(types.length);
  return Object.fromEntries(rows.map((row) => [row.type, JSON.parse(row.payload)]));
}

/** Waits until `types.length` events are stored, then checks that none went anywhere but this machine. */
export async function expectDelivered(collector: TestCollector, types: string[], requests: URL[]): Promise<void> {
  await expect.poll(() => collector.count('SELECT count(*) AS n FROM events')).toBe(types.length);
  expect(requests.filter((url) => url.hostname !== '127.0.0.1')).toEqual([]);
}
