// End to end: events posted over HTTP to a real collector on a real SQLite file, then the insights
// API answers from them; objection, restriction and erasure take a person out at once.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { insightsCommand } from '../cli-insights.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testStoreConfig } from '../test-store.js';
import { type RunningCollector, startCollector, TEST_ORIGIN, TEST_WRITE_KEY } from '../testing.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 5);
const BOTH = { purposes: ['analytics', 'personalization'], policyVersion: '1' };
const ANALYTICS = { purposes: ['analytics'], policyVersion: '1' };

let running: RunningCollector;
const a = { id: `anon-a-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };
const b = { id: `anon-b-${randomUUID()}`, secret: randomBytes(32).toString('base64url') };

async function send(path: string, init: RequestInit & { token?: string } = {}) {
  const { token, ...rest } = init;
  const res = await fetch(`${running.url}${path}`, { ...rest, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text,
    body: text.startsWith('{') ? JSON.parse(text) : null,
  };
}

async function consent(subject: { id: string; secret: string }) {
  const body = {
    writeKey: TEST_WRITE_KEY,
    anonymousId: subject.id,
    secret: subject.secret,
    purposes: { analytics: true, personalization: true },
    policyVersion: '1',
    source: 'banner',
    timestamp: new Date(T0).toISOString(),
  };
  expect((await send('/v1/consent', { method: 'POST', body: JSON.stringify(body) })).status).toBe(201);
}

const event = (day: number, fields: Record<string, unknown>, consent = BOTH) => ({
  messageId: randomUUID(),
  timestamp: new Date(T0 + day * DAY).toISOString(),
  context: { consent, page: { url: 'https://shop.test/' } },
  ...fields,
});

beforeEach(async () => {
  running = await startCollector({ operatorToken: OPERATOR });
  await consent(a);
  await consent(b);
  const batch = [
    event(0, {
      type: 'page',
      anonymousId: a.id,
      context: { consent: BOTH, page: { url: 'https://shop.test/', referrer: 'https://www.google.com/' } },
    }),
    event(1, { type: 'identify', anonymousId: a.id, userId: 'user-a' }),
    event(1.1, {
      type: 'track',
      event: 'Order Completed',
      anonymousId: a.id,
      userId: 'user-a',
      properties: { revenue: 100, products: [{ product_id: 'p1' }, { product_id: 'p2' }] },
    }),
    event(2, {
      type: 'page',
      anonymousId: b.id,
      context: { consent: ANALYTICS, page: { url: 'https://shop.test/' }, campaign: { source: 'Newsletter' } },
    }),
    event(
      3,
      {
        type: 'track',
        event: 'Order Completed',
        anonymousId: b.id,
        properties: { revenue: 30, products: [{ product_id: 'p2' }] },
      },
      ANALYTICS,
    ),
    event(10, {
      type: 'track',
      event: 'Order Completed',
      anonymousId: a.id,
      userId: 'user-a',
      properties: { revenue: 50, products: [{ product_id: 'p1' }] },
    }),
    event(11, {
      type: 'track',
      event: 'Survey Responded',
      anonymousId: a.id,
      userId: 'user-a',
      properties: { score: 10, comment: 'Quick delivery' },
    }),
  ];
  const posted = await send('/v1/batch', {
    method: 'POST',
    body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch, sentAt: new Date().toISOString() }),
  });
  expect(posted.body).toMatchObject({ accepted: 7, rejected: [] });
});

afterEach(async () => {
  await running.destroy();
});

const insight = (query: string) => send(`/v1/insights/${query}`, { token: OPERATOR });
const credits = (body: { channels: { channel: string; conversions: number; revenue: number }[] }) =>
  Object.fromEntries(body.channels.map((c) => [c.channel, [c.conversions, c.revenue]]));

describe('insights API', () => {
  it('attributes conversions across stitched identities, as JSON and CSV', async () => {
    const first = await insight('attribution?model=first');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      analysis: 'attribution',
      site: 'test',
      model: 'first',
      purpose: 'analytics',
      conversions: 3,
      revenue: 180,
    });
    // a's google visit was anonymous, before logging in: the identify stitches it to user-a's first order.
    expect(credits(first.body)).toEqual({ 'organic search': [1, 100], newsletter: [1, 30], direct: [1, 50] });
    const csv = await insight('attribution?model=first&format=csv');
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('channel,conversions,revenue');
  });

  it('keeps per-person results to people who granted personalization, and says what it left out', async () => {
    const result = await insight(`cltv?to=${new Date(T0 + 20 * DAY).toISOString()}&unit=day&horizon=30`);
    expect(result.status).toBe(200);
    expect(result.body.purpose).toBe('personalization');
    expect(result.body.customers.map((c: { person: string }) => c.person)).toEqual(['user-a']);
    expect(result.body.excluded['purpose not granted']).toBe(2); // b's page and order
    const nps = await insight('nps');
    expect(nps.body).toMatchObject({ responses: 1, nps: 100, comments: [{ score: 10, comment: 'Quick delivery' }] });
    expect((await insight('basket?minSupport=0.3')).body.rules[0]).toMatchObject({ product: 'p1' });
    expect((await insight('cohorts?period=week')).body.cohorts[0]).toMatchObject({ size: 2 });
    expect((await insight('journeys')).body.conversions).toBe(3);
    expect((await insight('segments')).body.customers).toHaveLength(1);
  });

  it('answers every analysis as CSV too: its main table, a line per row of the JSON answer', async () => {
    const until = `to=${new Date(T0 + 20 * DAY).toISOString()}`;
    const tables: [string, string, (body: any) => number][] = [
      ['attribution', 'channel,conversions,revenue', (b) => b.channels.length],
      ['journeys', 'path,conversions,journeys,conversionRate,revenue', (b) => b.topPaths.length],
      [
        `cltv?${until}&unit=day`,
        'person,frequency,recency,T,pAlive,expectedPurchases,expectedSpend,cltv,revenue',
        (b) => b.customers.length,
      ],
      [`segments?${until}`, 'person,recency,frequency,monetary,r,f,m,segment,churnRisk', (b) => b.customers.length],
      [
        'basket?minSupport=0.3',
        'antecedent,consequent,support,confidence,lift,orders',
        (b) => b.rules.flatMap((p: any) => p.rules).length,
      ],
      [
        'cohorts?period=week',
        'cohort,size,period,active,retention,revenue',
        (b) => b.cohorts.flatMap((c: any) => c.periods).length,
      ],
      [
        'nps',
        'breakdown,group,responses,promoters,passives,detractors,nps,low,high',
        (b) => b.byChannel.length + b.bySegment.length + b.overTime.length,
      ],
    ];
    for (const [query, header, count] of tables) {
      const json = await insight(query);
      const csv = await insight(`${query}${query.includes('?') ? '&' : '?'}format=csv`);
      expect(csv.type, query).toMatch(/^text\/csv/);
      const lines = csv.text.split('\r\n').filter(Boolean);
      expect(lines[0], query).toBe(header);
      expect(count(json.body), query).toBeGreaterThan(0);
      expect(lines.length - 1, query).toBe(count(json.body));
    }
  });

  it('refuses bad parameters naming them, and callers without the operator token', async () => {
    expect((await insight('attribution?model=magic')).body).toMatchObject({ error: 'bad_request', parameter: 'model' });
    expect((await insight('cltv?from=yesterday')).body).toMatchObject({ parameter: 'from' });
    expect((await insight('basket?lookbackDays=3')).body).toMatchObject({ parameter: 'lookbackDays' });
    expect((await insight('magic')).body).toMatchObject({ parameter: 'analysis' });
    expect((await insight('nps?format=xml')).status).toBe(400);
    expect((await send('/v1/insights/nps')).status).toBe(401);
  });

  it('takes out at once a subject who objects (own secret) and one restricted by the operator, both audited', async () => {
    const objected = await send(`/v1/subjects/${a.id}/objection`, { method: 'POST', token: a.secret });
    expect(objected.status).toBe(201);
    expect((await insight('cltv')).body.customers).toEqual([]);
    expect((await insight('cltv')).body.excluded['objection (Art. 21)']).toBeGreaterThan(0);
    // Objection is to profiling: the aggregates still count user-a.
    expect((await insight('attribution')).body.conversions).toBe(3);
    const restricted = await send(`/v1/subjects/${b.id}/restriction?site=test&kind=anonymous`, {
      method: 'POST',
      token: OPERATOR,
    });
    expect(restricted.status).toBe(201);
    expect((await insight('attribution')).body.conversions).toBe(2);
    const audit = (await send('/v1/admin/audit', { token: OPERATOR })).body.entries.map(
      (e: { action: string; via: string }) => `${e.action}/${e.via}`,
    );
    expect(audit).toEqual(expect.arrayContaining(['objection/secret', 'restriction/operator']));
    await send(`/v1/subjects/${a.id}/objection`, { method: 'DELETE', token: a.secret });
    expect((await insight('cltv')).body.customers).toHaveLength(1);
  });

  it('leaves nothing derived after erasure: the next answer no longer counts the person', async () => {
    expect((await send(`/v1/subjects/${b.id}`, { method: 'DELETE', token: b.secret })).status).toBe(200);
    const after = await insight('attribution?model=first');
    expect(after.body.conversions).toBe(2);
    expect(after.text).not.toContain(b.id);
  });

  it('leaves no per-person result after erasure: the customer is gone from CLTV and segments, ids and all', async () => {
    expect((await insight('segments')).body.customers).toHaveLength(1);
    expect((await send(`/v1/subjects/${a.id}`, { method: 'DELETE', token: a.secret })).status).toBe(200);
    for (const analysis of ['cltv', 'segments', 'nps']) {
      const after = await insight(analysis);
      expect(after.status).toBe(200);
      expect(after.text, analysis).not.toContain(a.id);
      expect(after.text, analysis).not.toContain('user-a');
      expect(after.text, analysis).not.toContain('Quick delivery');
    }
    expect((await insight('cltv')).body.customers).toEqual([]);
  });
});

describe('server-side events', () => {
  it('count only for the purposes the config declares for events without a consent snapshot', async () => {
    const order = {
      type: 'track',
      event: 'Order Completed',
      userId: 'user-s',
      messageId: randomUUID(),
      timestamp: new Date(T0 + 5 * DAY).toISOString(),
      properties: { revenue: 70 },
    };
    const posted = await send('/v1/batch', {
      method: 'POST',
      body: JSON.stringify({ writeKey: TEST_WRITE_KEY, batch: [order] }),
    });
    expect(posted.body).toMatchObject({ accepted: 1 });
    expect((await insight('attribution')).body).toMatchObject({ conversions: 3, excluded: { 'no consent snapshot': 1 } });
    await running.stop();
    const serverSide = { serverSidePurposes: ['analytics'], serverSideLegalBasis: 'contract (GDPR Art. 6(1)(b))' };
    running = await startCollector({ operatorToken: OPERATOR, ...serverSide }, running.dataDir);
    expect((await insight('attribution')).body).toMatchObject({ conversions: 4, revenue: 250 });
    // The processing register (Art. 30) says so.
    expect((await send('/v1/admin/register', { token: OPERATOR })).body.purposes).toContainEqual({
      purpose: 'server-side events: analytics',
      description: "Events the website's own server sends (such as orders) without a consent decision count for analytics",
      legalBasis: 'contract (GDPR Art. 6(1)(b))',
    });
  });

  it('need a legal basis in the config, for the processing register', async () => {
    await expect(startCollector({ operatorToken: OPERATOR, serverSidePurposes: ['analytics'] })).rejects.toThrow(
      /serverSideLegalBasis: required with serverSidePurposes/,
    );
  });
});

describe('tillit-collector insights', () => {
  it('answers from the same data directory, as CSV or JSON, and names a bad option', async () => {
    const config = join(running.dataDir, 'cli-config.json');
    const site = { name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN] };
    // On PostgreSQL runs, the same database as the collector's.
    writeFileSync(config, JSON.stringify({ dataDir: running.dataDir, sites: [site], ...testStoreConfig(running.dataDir) }));
    const csv = await insightsCommand(['attribution', '--model', 'first', '--csv', '--config', config], {});
    expect(csv.split('\r\n').slice(0, 4).sort()).toEqual([
      'channel,conversions,revenue',
      'direct,1,50',
      'newsletter,1,30',
      'organic search,1,100',
    ]);
    const json = JSON.parse(await insightsCommand(['nps', '--json', '--config', config], {}));
    expect(json).toMatchObject({ analysis: 'nps', responses: 1 });
    // Every analysis, as the API answers it.
    for (const analysis of ['attribution', 'journeys', 'cltv', 'segments', 'basket', 'cohorts', 'nps']) {
      const fromCli = JSON.parse(await insightsCommand([analysis, '--json', '--config', config], {}));
      const { site: _site, ...fromApi } = (await insight(analysis)).body;
      expect(fromCli, analysis).toMatchObject(fromApi);
    }
    await expect(insightsCommand(['attribution', '--model', 'magic', '--config', config], {})).rejects.toThrow(
      /--model: must be one of/,
    );
  });
});
