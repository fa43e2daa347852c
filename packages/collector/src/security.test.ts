/**
 * The attacks of issue 15 on the collector, each performed against a real collector (real SQLite file;
 * over HTTP where the transport is part of the attack). Each test failed on the code before its fix.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mintToken } from './auth.js';
import type { CollectorConfigInput } from './config.js';
import { type TestCollector, testCollector } from './test-collector.js';
import { TEST_ORIGIN, TEST_WRITE_KEY } from './testing.js';

const TOKEN_KEY = 'k'.repeat(40);
const OPERATOR = 'operator-token-'.padEnd(40, 'x');
const CONFIG: Partial<CollectorConfigInput> = {
  sites: [{ name: 'test', writeKey: TEST_WRITE_KEY, origins: [TEST_ORIGIN], tokenKeys: [TOKEN_KEY] }],
  operatorToken: OPERATOR,
};

let running: TestCollector;
beforeEach(() => {
  running = testCollector(CONFIG);
});
afterEach(async () => {
  await running.destroy();
});

const newSecret = () => randomBytes(32).toString('base64url');
const subjectPath = (id: string, rest = '') => `/v1/subjects/${encodeURIComponent(id)}${rest}`;

/** A visitor who consented (binding a secret) and sent one event. */
async function visitor(): Promise<{ id: string; secret: string }> {
  const subject = { id: randomUUID(), secret: newSecret() };
  const consent = await running.fetch('/v1/consent', {
    method: 'POST',
    body: JSON.stringify({
      writeKey: TEST_WRITE_KEY,
      anonymousId: subject.id,
      secret: subject.secret,
      purposes: { analytics: true },
      policyVersion: '2026-11',
      source: 'banner',
      timestamp: new Date().toISOString(),
    }),
  });
  expect(consent.status).toBe(201);
  return subject;
}

async function dsr(method: string, path: string, credential: string, init: RequestInit & { remoteAddress?: string } = {}) {
  const res = await running.fetch(path, { method, ...init, headers: { Authorization: `Bearer ${credential}`, ...init.headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

it('a token mints no token: neither a portal token nor a site token renews itself (15.3)', async () => {
  const a = await visitor();
  const portal = await dsr('POST', subjectPath(a.id, '/token'), a.secret);
  expect(portal.status).toBe(201);
  const renewed = await dsr('POST', subjectPath(a.id, '/token'), portal.body.token);
  expect(renewed.status).toBe(403);
  expect(renewed.body.reason).toMatch(/send the subject secret/);
  const site = await dsr('POST', subjectPath('user-5', '/token'), mintToken({ key: TOKEN_KEY, userId: 'user-5' }));
  expect(site.status).toBe(403);
});

it('erasure ends every token of the subject issued before it (15.3)', async () => {
  const a = await visitor();
  const portal = (await dsr('POST', subjectPath(a.id, '/token'), a.secret)).body.token as string;
  expect((await dsr('DELETE', subjectPath(a.id), portal)).status).toBe(200);
  for (const [method, rest] of [
    ['GET', ''],
    ['DELETE', ''],
    ['GET', '/export'],
    ['POST', '/token'],
  ] as const) {
    expect({ method, rest, status: (await dsr(method, subjectPath(a.id, rest), portal)).status }).toEqual({
      method,
      rest,
      status: 404,
    });
  }

  const siteToken = mintToken({ key: TOKEN_KEY, userId: 'user-5' });
  expect((await dsr('DELETE', subjectPath('user-5'), siteToken)).status).toBe(200);
  expect((await dsr('GET', subjectPath('user-5'), siteToken)).status).toBe(404);
  // The user keeps their account: a token the site issues after the erasure opens what is held since.
  const later = mintToken({ key: TOKEN_KEY, userId: 'user-5', now: Date.now() + 1_500 });
  expect((await dsr('GET', subjectPath('user-5'), later)).status).toBe(200);
});
