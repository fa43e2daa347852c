// The demo's simulated traffic, seeded through a real collector's HTTP ingest into a real SQLite file:
// every insights route answers with something, consent rules apply to it, and seeding again adds nothing.
import { ATTRIBUTION_MODELS } from '@tillit/insights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningCollector,
  type SeedResult,
  seedSimulatedShop,
  startCollector,
  TEST_ORIGIN,
  TEST_WRITE_KEY,
} from './testing.js';

const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const END = Date.UTC(2026, 10, 30);
const SEED = { writeKey: TEST_WRITE_KEY, origin: TEST_ORIGIN, seed: 7, visitors: 600, days: 90, end: END };

let running: RunningCollector;
let first: SeedResult;
beforeAll(async () => {
  running = await startCollector({ operatorToken: OPERATOR });
  first = await seedSimulatedShop(running.url, SEED);
}, 60_000);
afterAll(() => running?.destroy());

async function insight(path: string) {
  const response = await fetch(`${running.url}/v1/insights/${path}`, { headers: { Authorization: `Bearer ${OPERATOR}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, any>;
}

describe('seedSimulatedShop', () => {
  it('stores every simulated event and consent record, marked simulated', () => {
    expect(first.accepted).toBe(first.events);
    expect(first.duplicates).toBe(0);
    const rows = running.db
      .prepare(`SELECT count(*) AS n, sum(json_extract(payload, '$.context.simulated')) AS simulated FROM events`)
      .get() as any;
    expect(rows).toEqual({ n: first.events, simulated: first.events });
    const consents = running.db
      .prepare('SELECT count(*) AS n, sum(anonymous_id IS NULL) AS refusals FROM consent_records')
      .get() as any;
    expect(consents.n).toBe(first.consents);
    expect(consents.refusals).toBeGreaterThan(0);
  });

  it('gives every attribution model channels with credit', async () => {
    for (const model of ATTRIBUTION_MODELS) {
      const answer = await insight(`attribution?model=${model}`);
      expect(answer.conversions, model).toBeGreaterThan(50);
      expect(answer.channels.length, model).toBeGreaterThanOrEqual(5);
      expect(
        answer.channels.every((c: any) => Number.isFinite(c.conversions) && Number.isFinite(c.revenue)),
        model,
      ).toBe(true);
    }
  });

  it('gives every other analysis something to show, and leaves out what was not consented to', async () => {
    const cltv = await insight('cltv');
    expect(cltv.customers.length).toBeGreaterThan(50);
    expect(cltv.customers.some((c: any) => c.frequency > 0)).toBe(true);
    for (const value of Object.values(cltv.params)) expect(Number.isFinite(value)).toBe(true);
    // Visitors who granted analytics only are in the aggregates and out of profiling.
    expect(cltv.excluded['purpose not granted']).toBeGreaterThan(0);
    const segments = await insight('segments');
    expect(new Set(segments.customers.map((c: any) => c.segment)).size).toBeGreaterThanOrEqual(4);
    const basket = await insight('basket');
    expect(basket.rules.length).toBeGreaterThan(0);
    const cohorts = await insight('cohorts?period=month');
    expect(cohorts.cohorts.length).toBeGreaterThanOrEqual(3);
    expect(cohorts.cohorts[0].periods.length).toBeGreaterThan(1);
    const nps = await insight('nps?period=month');
    expect(nps.responses).toBeGreaterThan(30);
    expect(nps.byChannel.length).toBeGreaterThan(2);
    expect(nps.comments.length).toBeGreaterThan(0);
    const journeys = await insight('journeys');
    expect(journeys.topPaths.length).toBeGreaterThan(3);
    expect(journeys.topPaths.some((p: any) => p.path.length > 1)).toBe(true);
  });

  it('adds nothing when seeded again with the same options', async () => {
    const again = await seedSimulatedShop(running.url, SEED);
    expect(again).toMatchObject({ events: first.events, accepted: 0, duplicates: first.events });
    expect(running.db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: first.events });
    expect(running.db.prepare('SELECT count(*) AS n FROM consent_records').get()).toEqual({ n: first.consents });
  });
});
