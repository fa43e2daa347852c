// The dashboard's page and operator routes, in-process against a real SQLite store.
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Collector, createCollector } from '../server.js';
import { consentBody, TEST_ORIGIN, TEST_WRITE_KEY } from '../testing.js';

const OPERATOR = 'dashboard-operator-token-'.padEnd(40, 'x');
let collector: Collector;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tillit-dashboard-'));
  collector = createCollector({
    dataDir,
    operatorToken: OPERATOR,
    logLevel: 'silent',
    durability: 'normal',
    sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN] }],
  });
});

afterEach(async () => {
  await collector.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = (path: string, token?: string) =>
  collector.handle(new Request(`http://collector${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} }));
const post = (path: string, body: unknown) =>
  collector.handle(new Request(`http://collector${path}`, { method: 'POST', body: JSON.stringify(body) }));

it('serves /dashboard under a CSP that allows no inline script or style and no other origin', async () => {
  const res = await get('/dashboard');
  expect(res.status).toBe(200);
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toMatch(/script-src 'self';/);
  expect(csp).toMatch(/style-src 'self';/);
  expect(csp).toMatch(/connect-src 'self';/);
  expect(csp).not.toContain('unsafe');
  const html = await res.text();
  expect(html).toContain('<script src="/dashboard/dashboard.js" defer></script>');
  expect(html).not.toMatch(/<script>|<style|style=/);
  const js = await get('/dashboard/dashboard.js');
  expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
  expect((await get('/dashboard/dashboard.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
});

it('refuses the overview and the live log without the operator token', async () => {
  for (const path of ['/v1/admin/overview', '/v1/admin/live']) {
    expect((await get(path)).status, path).toBe(401);
    expect((await get(path, 'not-the-token')).status, path).toBe(401);
  }
});

it('answers the overview from the events and the consent log, over a period', async () => {
  const subject = { id: 'anon-1', secret: 's'.repeat(43) };
  expect((await post('/v1/consent', consentBody(subject, { timestamp: '2026-03-02T10:00:00Z', locale: 'sv-SE' }))).status).toBe(
    201,
  );
  const event = (messageId: string, timestamp: string, extra = {}) => ({
    messageId,
    type: 'page',
    anonymousId: subject.id,
    timestamp,
    context: { consent: { purposes: ['analytics'] } },
    ...extra,
  });
  const batch = [
    event('m1', '2026-03-02T10:00:00Z'),
    event('m2', '2026-03-02T11:00:00Z', { type: 'track', event: 'Order Completed' }),
    event('m3', '2026-03-05T10:00:00Z'),
  ];
  expect((await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch })).status).toBe(200);
  const body = await (await get('/v1/admin/overview?from=2026-03-01&to=2026-03-03', OPERATOR)).json();
  expect(body.days).toEqual([{ day: '2026-03-02', events: 2, visitors: 1, orders: 1 }]);
  expect(body.consent.funnel).toMatchObject({ decisions: 1, acceptAll: 1 });
  expect(body.consent.byLocale[0].locale).toBe('sv-se');
  const bad = await get('/v1/admin/overview?from=yesterday', OPERATOR);
  expect([bad.status, (await bad.json()).reason]).toEqual([400, 'from: must be an ISO 8601 date or date-time, got "yesterday"']);
});

it('shows the last events received, rejected ones with their reason, after a sequence number', async () => {
  const batch = [
    {
      messageId: 'm1',
      type: 'track',
      event: 'Signed Up',
      anonymousId: 'a',
      timestamp: new Date().toISOString(),
      properties: { plan: 'pro' },
    },
    { messageId: 'm2', type: 'nonsense', anonymousId: 'a', timestamp: new Date().toISOString() },
  ];
  await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch });
  await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch: [batch[0]] });
  const { entries } = await (await get('/v1/admin/live', OPERATOR)).json();
  expect(entries.map((e: { status: string; messageId: string }) => [e.status, e.messageId])).toEqual([
    ['accepted', 'm1'],
    ['rejected', 'm2'],
    ['duplicate', 'm1'],
  ]);
  expect(entries[0].properties).toEqual(['plan']);
  expect(entries[1].reason).toMatch(/type/);
  const later = await (await get(`/v1/admin/live?after=${entries[1].seq}`, OPERATOR)).json();
  expect(later.entries).toHaveLength(1);
});
