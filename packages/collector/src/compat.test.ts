import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SINGLE_EVENT_ROUTES } from './compat.js';
import { type RunningCollector, TEST_ORIGIN, TEST_WRITE_KEY, startCollector } from './testing.js';

let running: RunningCollector;
beforeEach(async () => {
  running = await startCollector();
});
afterEach(async () => {
  await running.destroy();
});

const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: 'Signed Up',
    messageId: randomUUID(),
    anonymousId: 'anon-1',
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${running.url}${path}`, {
    method: 'POST',
    body: body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function stored(): Promise<
  { type: string; event: string | null; anonymous_id: string | null; user_id: string | null; payload: any }[]
> {
  const rows = await running.sql.query<any>(
    `SELECT type, event, anonymous_id, user_id, payload FROM events ORDER BY ${running.sql.arrival}`,
  );
  return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) }));
}

const EVENT_FIELDS: Record<string, Record<string, unknown>> = {
  track: { event: 'Signed Up' },
  page: { name: 'Docs' },
  screen: { name: 'Home' },
  identify: { traits: { plan: 'pro' } },
  group: { groupId: 'acme', traits: { size: 12 } },
  alias: { userId: 'user-1', previousId: 'anon-1' },
};

it('stores one event of the route type on every single-event route and answers {"success": true}', async () => {
  const routes = Object.entries(SINGLE_EVENT_ROUTES);
  for (const [path, type] of routes) {
    // The long forms as Segment's HTTP API documents them (no type, key in HTTP Basic); the short forms as analytics.js sends them.
    const short = path.length === '/v1/t'.length;
    const { type: _, event: __, ...rest } = event();
    Object.assign(rest, EVENT_FIELDS[type]);
    const body = short ? { ...rest, type, writeKey: TEST_WRITE_KEY } : rest;
    const answer = await post(path, body, short ? { 'Content-Type': 'text/plain' } : { Authorization: basic(TEST_WRITE_KEY) });
    expect(answer, path).toEqual({ status: 200, body: { success: true } });
  }
  const rows = await stored();
  expect(rows.map((row) => row.type)).toEqual(routes.map(([, type]) => type));
  expect(rows.find((row) => row.type === 'group')!.payload).toMatchObject({ groupId: 'acme', traits: { size: 12 } });
  expect(rows.find((row) => row.type === 'alias')!.payload).toMatchObject({ previousId: 'anon-1', userId: 'user-1' });
  // The write key authenticates the request; it is not stored with the event.
  expect(rows.some((row) => 'writeKey' in row.payload)).toBe(false);
});

it('refuses an event whose type does not match its route, naming both, and stores nothing', async () => {
  const answer = await post('/v1/t', { ...event({ type: 'page', name: 'Home' }), writeKey: TEST_WRITE_KEY });
  expect(answer.status).toBe(400);
  expect(answer.body.reason).toBe('type: "page" does not match /v1/t, which takes track events');
  expect(await stored()).toEqual([]);
});

it('answers 400 with the reason and the messageId when a single event is invalid', async () => {
  const bad = event({ event: undefined });
  const answer = await post('/v1/track', { ...bad, writeKey: TEST_WRITE_KEY });
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ error: 'bad_request', messageId: bad.messageId });
  expect(answer.body.reason).toMatch(/^the event was rejected: event: a track event needs an event name/);
  const notAnEvent = await post('/v1/track', [bad], { Authorization: basic(TEST_WRITE_KEY) });
  expect(notAnEvent.body.reason).toBe('the body of /v1/track must be one event as a JSON object');
  expect(await stored()).toEqual([]);
});

it('takes a gzip body with the write key in HTTP Basic', async () => {
  const body = gzipSync(JSON.stringify(event()));
  const answer = await post('/v1/track', body, { Authorization: basic(TEST_WRITE_KEY), 'Content-Encoding': 'gzip' });
  expect(answer.body).toEqual({ success: true });
  expect(await stored()).toHaveLength(1);
});

it('takes batches on /v1/b (write key in the body and in each event) and /beacon/v1/batch (write key in the query)', async () => {
  const segment = await post(
    '/v1/b',
    { writeKey: TEST_WRITE_KEY, sentAt: new Date().toISOString(), batch: [event({ writeKey: TEST_WRITE_KEY }), event()] },
    { 'Content-Type': 'text/plain' },
  );
  expect(segment.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
  const beacon = await post(`/beacon/v1/batch?writeKey=${TEST_WRITE_KEY}`, {
    batch: [event()],
    sentAt: new Date().toISOString(),
  });
  expect(beacon.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  expect(await stored()).toHaveLength(3);
  expect((await stored()).some((row) => 'writeKey' in row.payload)).toBe(false);
  const keyless = await post('/beacon/v1/batch', { batch: [event()] });
  expect(keyless.status).toBe(401);
  expect(keyless.body.reason).toMatch(/\?writeKey=/);
});

it("takes RudderStack's AnonymousId header and originalTimestamp for events that lack anonymousId and timestamp", async () => {
  const originalTimestamp = new Date(Date.now() - 60_000).toISOString();
  const { anonymousId: _, timestamp: __, ...rudder } = event({ originalTimestamp });
  const answer = await post('/v1/track', rudder, {
    Authorization: basic(TEST_WRITE_KEY),
    AnonymousId: Buffer.from('rudder-anon').toString('base64'),
  });
  expect(answer.body).toEqual({ success: true });
  const [row] = await stored();
  expect(row!.anonymous_id).toBe('rudder-anon');
  expect(row!.payload.originalTimestamp).toBe(originalTimestamp);
  // No sentAt: the client's time is taken as it is.
  expect(row!.payload.timestamp).toBe(originalTimestamp);
});

it('stores numeric ids as their strings, and refuses other ids with the reason', async () => {
  const numeric = await post('/v1/identify', {
    ...event({ type: 'identify', userId: 42, anonymousId: 7 }),
    writeKey: TEST_WRITE_KEY,
  });
  expect(numeric.body).toEqual({ success: true });
  expect((await stored()).map((row) => [row.user_id, row.anonymous_id])).toEqual([['42', '7']]);
  const bad = await post('/v1/identify', { ...event({ type: 'identify', userId: ['42'] }), writeKey: TEST_WRITE_KEY });
  expect(bad.status).toBe(400);
  expect(bad.body.reason).toMatch(/userId/);
  expect(await stored()).toHaveLength(1);
});

it("maps Segment's categoryPreferences to purposes (case-insensitive, a union with the event's own) and keeps the object", async () => {
  const categoryPreferences = { Advertising: false, ANALYTICS: true, Functional: true, Unlisted: true };
  const consent = { categoryPreferences, purposes: ['marketing'], vendor: { id: 7 } };
  const answer = await post('/v1/track', { ...event({ context: { consent } }), writeKey: TEST_WRITE_KEY });
  expect(answer.body).toEqual({ success: true });
  expect((await stored())[0]!.payload.context.consent).toEqual({
    categoryPreferences,
    purposes: ['marketing', 'analytics', 'personalization'],
    vendor: { id: 7 },
  });
});

it('maps categories by the configured table', async () => {
  await running.destroy();
  running = await startCollector({ categoryPurposes: { C0002: ['analytics'], Ads: ['marketing', 'personalization'] } });
  const categoryPreferences = { c0002: true, ads: true, Analytics: true };
  await post('/v1/track', { ...event({ context: { consent: { categoryPreferences } } }), writeKey: TEST_WRITE_KEY });
  expect((await stored())[0]!.payload.context.consent.purposes).toEqual(['analytics', 'marketing', 'personalization']);
});

it('keeps unknown fields at every level as sent', async () => {
  const sent = event({
    integrations: { All: false, Amplitude: { session_id: 1 } },
    _metadata: { bundled: ['Segment.io'] },
    channel: 'web',
    properties: { nested: { deep: [1, { x: null }] } },
    context: {
      page: { url: 'https://shop.example/a', hash: '#x' },
      library: { name: 'analytics.js', version: 'next-1.84.3', extra: true },
      userAgentData: { mobile: false },
      consent: { purposes: ['analytics'], policyVersion: 'v1', region: 'EU' },
    },
  });
  await post('/v1/batch', { batch: [sent], writeKey: TEST_WRITE_KEY });
  const { payload } = (await stored())[0]!;
  for (const key of ['integrations', '_metadata', 'channel', 'properties'] as const) expect(payload[key]).toEqual(sent[key]);
  expect(payload.context).toMatchObject(sent.context as object);
});

it("answers RudderStack's source config request for a known write key, and 401 for an unknown one", async () => {
  const res = await fetch(`${running.url}/sourceConfig/?p=npm&writeKey=${TEST_WRITE_KEY}`, {
    headers: { Authorization: basic(TEST_WRITE_KEY), Origin: TEST_ORIGIN },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  const { source } = (await res.json()) as any;
  expect(source).toMatchObject({ id: 'test', enabled: true, destinations: [] });
  expect(source.config.statsCollection).toEqual({ errors: { enabled: false }, metrics: { enabled: false } });
  const unknown = await fetch(`${running.url}/sourceConfig`, { headers: { Authorization: basic('not-a-write-key') } });
  expect(unknown.status).toBe(401);
});

it('allows the headers Segment and RudderStack send from a browser in the CORS preflight', async () => {
  const res = await fetch(`${running.url}/v1/track`, {
    method: 'OPTIONS',
    headers: {
      Origin: TEST_ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,anonymousid,content-type,x-retry-count,sentat,rsa-retry-attempt',
    },
  });
  expect(res.status).toBe(204);
  const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/);
  const sent = ['authorization', 'anonymousid', 'content-type', 'x-retry-count', 'sentat', 'rsa-retry-attempt'];
  expect(allowed).toEqual(expect.arrayContaining(sent));
});
