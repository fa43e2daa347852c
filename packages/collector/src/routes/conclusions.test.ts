// "What we concluded about you" over HTTP against a real collector seeded with simulated shop traffic:
// the visitor's own segment, CLTV band and churn risk, gone at once when they object or restrict, never
// another visitor's, and in their exports.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningCollector, seedSimulatedShop, startCollector, TEST_ORIGIN, TEST_WRITE_KEY } from '../testing.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);
let running: RunningCollector;
const a = { id: `anon-a-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };
const b = { id: `anon-b-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };

async function call(method: string, path: string, secret: string) {
  const res = await fetch(`${running.url}${path}`, { method, headers: { Authorization: `Bearer ${secret}` } });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? JSON.parse(text) : null };
}

async function visitor(subject: { id: string; secret: string }, purposes: Record<string, boolean>, orders: number[]) {
  const post = (path: string, body: unknown) =>
    fetch(`${running.url}${path}`, { method: 'POST', body: JSON.stringify({ writeKey: TEST_WRITE_KEY, ...(body as object) }) });
  const decided = new Date(END - 100 * DAY).toISOString();
  const consent = {
    anonymousId: subject.id,
    secret: subject.secret,
    purposes,
    policyVersion: '1',
    source: 'banner',
    timestamp: decided,
  };
  expect((await post('/v1/consent', consent)).status).toBe(201);
  const granted = Object.keys(purposes).filter((p) => purposes[p]);
  const batch = orders.map((daysBefore, i) => ({
    messageId: randomUUID(),
    type: 'track',
    event: 'Order Completed',
    anonymousId: subject.id,
    timestamp: new Date(END - daysBefore * DAY).toISOString(),
    context: { consent: { purposes: granted, policyVersion: '1' } },
    properties: { order_id: `${subject.id}-${i}`, revenue: 400, products: [{ product_id: 'p1' }] },
  }));
  if (batch.length) expect((await (await post('/v1/batch', { batch })).json()).accepted).toBe(batch.length);
}

beforeAll(async () => {
  running = await startCollector();
  await seedSimulatedShop(running.url, { writeKey: TEST_WRITE_KEY, origin: TEST_ORIGIN, visitors: 300, end: END });
  // A: a big, frequent, recent spender who consented to personalization. B: consented, never bought.
  await visitor(a, { analytics: true, personalization: true }, [90, 70, 50, 30, 10, 2]);
  await visitor(b, { analytics: true, personalization: true }, []);
}, 120_000);

afterAll(() => running?.destroy());

it("shows the visitor's own segment, CLTV band and churn risk, each with how and what for, and the consent behind them", async () => {
  const { status, body } = await call('GET', `/v1/subjects/${a.id}/conclusions`, a.secret);
  expect(status).toBe(200);
  expect(body.results.map((r: { kind: string }) => r.kind)).toEqual(['segment', 'cltv', 'churnRisk']);
  expect(body.results[0].value).toBe('Champions');
  expect(body.results[1].value).toBe('high');
  expect(body.results[2].value).toMatch(/^\d+ %$/);
  for (const r of body.results) expect([r.how.en, r.how.sv, r.use.en, r.use.sv].every((t: string) => t.length > 40)).toBe(true);
  expect(body).toMatchObject({ objection: false, restriction: false, none: null, basis: { purpose: 'personalization' } });
});

it('never shows one visitor what was concluded about another', async () => {
  const own = await call('GET', `/v1/subjects/${b.id}/conclusions`, b.secret);
  expect(own.body).toMatchObject({ results: [], none: 'no_purchases' });
  expect((await call('GET', `/v1/subjects/${a.id}/conclusions`, b.secret)).status).toBe(404);
});

it('an objection hides the conclusions at once and lifting it brings them back; a restriction too', async () => {
  for (const right of ['objection', 'restriction'] as const) {
    expect((await call('POST', `/v1/subjects/${a.id}/${right}`, a.secret)).status).toBe(201);
    const after = (await call('GET', `/v1/subjects/${a.id}/conclusions`, a.secret)).body;
    expect(after).toMatchObject({ results: [], none: right, [right]: true });
    expect((await call('DELETE', `/v1/subjects/${a.id}/${right}`, a.secret)).status).toBe(200);
    expect((await call('GET', `/v1/subjects/${a.id}/conclusions`, a.secret)).body.results).toHaveLength(3);
  }
});

it('puts the conclusions in the JSON and CSV exports', async () => {
  const json = (await call('GET', `/v1/subjects/${a.id}/export?format=json`, a.secret)).body;
  expect(json.derived.results[0]).toMatchObject({ kind: 'segment', value: 'Champions' });
  const csv = (await call('GET', `/v1/subjects/${a.id}/export?format=csv`, a.secret)).text;
  expect(csv).toMatch(/\r\nderived,,,segment,Champions,,,"\{""how"":/);
  expect(csv).toContain('processing_limits,');
});
