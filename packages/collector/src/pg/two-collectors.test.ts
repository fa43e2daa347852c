import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { CollectorConfigInput } from '../config.js';
import { type Collector, createCollector } from '../server.js';
import { TEST_WRITE_KEY, consentBody } from '../testing.js';
import { type TestSchema, adminQuery, createTestSchema } from './test-database.js';

// Two collector instances on one database, each with its own connection pool (as two processes would
// have); driven in-process through collector.handle. The fault tests run them as separate processes.
const SERVER_KEY = 's'.repeat(40);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

async function twoCollectors(overrides: Partial<CollectorConfigInput> = {}): Promise<[Collector, Collector, TestSchema]> {
  const schema = await createTestSchema();
  cleanups.push(schema.drop);
  const start = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tillit-pg-collector-'));
    const collector = createCollector({
      port: 0,
      dataDir,
      sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [] }],
      serverKey: SERVER_KEY,
      logLevel: 'silent',
      database: { url: schema.url, schema: schema.schema, poolMax: 4 },
      ...overrides,
    });
    cleanups.push(async () => {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return collector;
  };
  return [start(), start(), schema];
}

const post = (collector: Collector, path: string, body: unknown) =>
  collector.handle(new Request(`http://collector.test${path}`, { method: 'POST', body: JSON.stringify(body) }));

function events(anonymousId: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    type: 'track',
    event: 'Product Viewed',
    messageId: randomUUID(),
    anonymousId,
    properties: { i },
    timestamp: new Date().toISOString(),
  }));
}

async function send(collector: Collector, batch: unknown[]) {
  const res = await post(collector, '/v1/batch', { writeKey: TEST_WRITE_KEY, batch });
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: number; duplicates: number };
}

const countEvents = async (schema: TestSchema, anonymousId: string) =>
  (
    await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema.schema}.events WHERE anonymous_id = $1`, [
      anonymousId,
    ])
  )[0]!.n;

it('stores a batch sent to both collectors at once exactly once', async () => {
  const [a, b, schema] = await twoCollectors();
  const batch = events('anon-both', 50);
  const answers = await Promise.all([send(a, batch), send(b, batch), send(a, batch), send(b, batch)]);
  expect(answers.reduce((sum, x) => sum + x.accepted, 0)).toBe(50);
  expect(answers.reduce((sum, x) => sum + x.duplicates, 0)).toBe(150);
  expect(await countEvents(schema, 'anon-both')).toBe(50);
});

it('honours an erasure made through one collector in the very next batch the other ingests', async () => {
  const [a, b, schema] = await twoCollectors();
  const subject = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  const consent = await post(a, '/v1/consent', consentBody(subject));
  expect(consent.status).toBe(201);
  // b has served this subject already, so its in-memory state is warm (and knows nothing of the erasure).
  expect((await send(b, events(subject.id, 3))).accepted).toBe(3);
  const erased = await a.handle(
    new Request(`http://collector.test/v1/subjects/${subject.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${subject.secret}` },
    }),
  );
  expect(erased.status).toBe(200);
  expect(await send(b, events(subject.id, 4))).toEqual(expect.objectContaining({ accepted: 0, duplicates: 4 }));
  expect(await countEvents(schema, subject.id)).toBe(0);
});

it('counts failed data-subject requests of one address across both collectors', async () => {
  const [a, b] = await twoCollectors({ failureLimit: { max: 3, windowSeconds: 60 } });
  const guess = (collector: Collector, remoteAddress: string) =>
    collector.handle(
      new Request(`http://collector.test/v1/subjects/${randomUUID()}`, { headers: { Authorization: 'Bearer wrong-secret' } }),
      { remoteAddress },
    );
  expect([(await guess(a, '198.51.100.7')).status, (await guess(b, '198.51.100.7')).status]).toEqual([404, 404]);
  expect((await guess(a, '198.51.100.7')).status).toBe(404);
  // Three failures in all, none of them b's alone beyond one: b refuses the address now.
  const refused = await guess(b, '198.51.100.7');
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
  expect((await guess(b, '198.51.100.8')).status).toBe(404);
});
