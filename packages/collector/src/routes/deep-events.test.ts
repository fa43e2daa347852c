import { randomBytes, randomUUID } from 'node:crypto';
import { LIMITS } from '@tillit/schema';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, consentBody, startCollector } from '../testing.js';

// Issue 15 item 5, as the attack was made: events nested thousands of levels deep through
// /v1/batch, then the subject's access and exports. Real collector over HTTP (SQLite; PostgreSQL in the node-pg project).

let c: RunningCollector;

const nested = (levels: number, open = '[', close = ']', leaf = '1') => `${open.repeat(levels)}${leaf}${close.repeat(levels)}`;
const deepObject = (levels: number) => nested(levels, '{"a":', '}');

/** The JSON text of a track event with `fields` spliced in as raw JSON (a deep value cannot go through JSON.stringify). */
function eventText(anonymousId: string, fields: Record<string, string>) {
  const base = JSON.stringify({
    type: 'track',
    event: 'Deep',
    messageId: randomUUID(),
    anonymousId,
    timestamp: new Date().toISOString(),
  });
  return `${base.slice(0, -1)}${Object.entries(fields)
    .map(([k, v]) => `,"${k}":${v}`)
    .join('')}}`;
}

async function postBatch(events: string[]) {
  const body = `{"writeKey":${JSON.stringify(TEST_WRITE_KEY)},"batch":[${events.join(',')}]}`;
  const res = await fetch(`${c.url}/v1/batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
}

async function visitor() {
  const subject = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  const res = await fetch(`${c.url}/v1/consent`, { method: 'POST', body: JSON.stringify(consentBody(subject)) });
  expect(res.status).toBe(201);
  return subject;
}

/** Access and both exports of the subject: every one must answer 200. */
async function readAll(subject: { id: string; secret: string }) {
  const texts: string[] = [];
  for (const rest of ['', '/export?format=json', '/export?format=csv']) {
    const res = await fetch(`${c.url}/v1/subjects/${subject.id}${rest}`, {
      headers: { Authorization: `Bearer ${subject.secret}` },
    });
    const text = await res.text();
    expect(res.status, `${rest || 'access'}: ${text.slice(0, 200)}`).toBe(200);
    texts.push(text);
  }
  return texts;
}

const OPERATOR = 'operator-token-'.padEnd(40, 'x');

beforeEach(async () => {
  c = await startCollector({ operatorToken: OPERATOR });
});
afterEach(async () => {
  await c.destroy();
});

it('rejects an event nested deeper than the limit, naming the field and the limit, and stores the others', async () => {
  const subject = await visitor();
  const max = LIMITS.maxEventDepth;
  const result = await postBatch([
    eventText(subject.id, { properties: `{"list":${nested(4_110)}}` }),
    eventText(subject.id, { traits: deepObject(max) }),
    eventText(subject.id, { context: `{"extra":${nested(max)}}` }),
    eventText(subject.id, { integrations: nested(max) }),
    // The deepest an event may nest: properties (level 2) holds 30 more levels.
    eventText(subject.id, { properties: `{"ok":${nested(max - 2)}}` }),
  ]);
  expect(result.accepted).toBe(1);
  expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  const fields = ['properties', 'traits', 'context', 'integrations'];
  for (const [i, r] of result.rejected.entries()) {
    expect(r.reason).toBe(
      `${fields[i]}: nests deeper than ${max} levels (the event is level 1), the limit for an event: flatten it`,
    );
  }
  const [access, json, csv] = await readAll(subject);
  expect(JSON.parse(access!).data.events).toHaveLength(1);
  expect(JSON.parse(json!).data.events[0].properties.ok).toBeDefined();
  expect(csv).toContain('event,');
});

it('answers access and both exports for an event stored before the limit existed, showing it as stored', async () => {
  const subject = await visitor();
  const payload = eventText(subject.id, { properties: `{"list":${nested(4_110)}}` });
  const now = Date.now();
  const row = { messageId: randomUUID(), site: 'test', type: 'track', event: 'Deep', anonymousId: subject.id, userId: null };
  await c.collector.store.insertEvents([{ ...row, timestamp: now, receivedAt: now, payload }]);
  const [access, json, csv] = await readAll(subject);
  for (const text of [access!, json!]) {
    const [event] = JSON.parse(text).data.events;
    expect(event).toMatchObject({ messageId: row.messageId, event: 'Deep', storedAsText: payload });
    expect(event.properties).toBeUndefined();
  }
  expect(csv).toContain(nested(4_110).replaceAll('"', '""'));
});

it('runs every analysis and the bulk export over an event stored before the limit existed', async () => {
  const subject = await visitor();
  // Deep where the analyses look: products (basket), revenue (CLTV), score (NPS), under a consent snapshot that lets them read it.
  const deep = nested(4_110);
  const payload = eventText(subject.id, {
    properties: `{"products":${deep},"revenue":${deep},"score":${deep}}`,
    context: '{"consent":{"purposes":["analytics","personalization"]}}',
  });
  const now = Date.now();
  const row = {
    messageId: randomUUID(),
    site: 'test',
    type: 'track',
    event: 'Order Completed',
    anonymousId: subject.id,
    userId: null,
  };
  await c.collector.store.insertEvents([{ ...row, timestamp: now, receivedAt: now, payload }]);
  const from = new Date(now - 60_000).toISOString();
  const to = new Date(now + 60_000).toISOString();
  const reads = ['attribution', 'journeys', 'cltv', 'segments', 'basket', 'cohorts', 'nps'].map(
    (a) => `/v1/insights/${a}?from=${from}&to=${to}`,
  );
  for (const path of [...reads, '/v1/export?format=ndjson', '/v1/export?format=csv']) {
    const res = await fetch(`${c.url}${path}`, { headers: { Authorization: `Bearer ${OPERATOR}` } });
    expect(res.status, `${path}: ${(await res.text()).slice(0, 200)}`).toBe(200);
  }
});
