import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningCollector, TEST_WRITE_KEY, consentBody, startCollector } from '../testing.js';

// Issue 15 item 7, against a real collector over HTTP (SQLite; PostgreSQL in the node-pg project): what a client other
// than the SDK sends (Segment's page() puts the page in properties too) is cleaned as the SDK cleans
// it; the access answer shows every stored field; erasure leaves only the proof of consent.

/** What must not survive: the address, the token, the fragment's token. */
const PERSONAL = /ann\.lee|ann%40|token=abc|access_token|xyz/;
let c: RunningCollector;

const PAGE = {
  url: 'https://shop.test/account?email=ann%40example.com&token=abc&sku=7#access_token=xyz',
  referrer: 'https://mail.test/inbox/ann.lee@example.com?q=1',
  title: 'Orders of ann.lee@example.com',
  path: '/users/ann.lee@example.com',
  search: '?email=ann%40example.com&sku=7',
};
const CLEAN = {
  url: 'https://shop.test/account?sku=7',
  referrer: 'https://mail.test/inbox/?q=1',
  title: 'Orders of ',
  path: '/users/',
  search: '?sku=7',
};

async function post(path: string, body: unknown) {
  const res = await fetch(`${c.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.json() as Promise<Record<string, unknown>>;
}

const subjectRequest = (subject: { id: string; secret: string }, method = 'GET', rest = '') =>
  fetch(`${c.url}/v1/subjects/${subject.id}${rest}`, { method, headers: { Authorization: `Bearer ${subject.secret}` } });

/** The subject's consent records as stored, every column. */
const consentRows = (receiptId: string) => c.sql.query('SELECT * FROM consent_records WHERE receipt_id = ?', receiptId);

beforeEach(async () => {
  c = await startCollector();
});
afterEach(async () => {
  await c.destroy();
});

it('cleans page fields and consent URLs of any client as the SDK does, and shows every stored field', async () => {
  const subject = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  const recordId = randomUUID();
  const decision = consentBody(subject, { url: PAGE.url, locale: 'sv-SE', recordId });
  const { receiptId } = await post('/v1/consent', decision);
  const timestamp = new Date().toISOString();
  const context = {
    page: PAGE,
    userAgent: 'Mozilla/5.0 (X11) Firefox/140.0',
    locale: 'sv-SE',
    library: { name: 'analytics.js', version: '5' },
  };
  const base = { anonymousId: subject.id, timestamp, context };
  const batch = [
    {
      ...base,
      type: 'page',
      messageId: randomUUID(),
      name: 'Account',
      properties: { ...PAGE, plan: 'gold' },
      integrations: { All: true },
    },
    { ...base, type: 'track', messageId: randomUUID(), event: 'Viewed', properties: { url: 'kept as sent' } },
  ];
  expect(await post('/v1/batch', { writeKey: TEST_WRITE_KEY, batch, sentAt: timestamp })).toMatchObject({ accepted: 2 });

  const answer = (await (await subjectRequest(subject)).json()) as {
    data: { events: any[]; consentRecords: any[]; identityLinks: any[] };
  };
  const text = JSON.stringify(answer);
  expect(text).not.toMatch(PERSONAL);
  const [page, track] = answer.data.events;
  expect(page.context.page).toEqual(CLEAN);
  expect(page.properties).toEqual({ ...CLEAN, plan: 'gold' });
  // Every stored field: the page's name, integrations, client times, user agent and locale.
  expect(page).toMatchObject({ name: 'Account', integrations: { All: true }, originalTimestamp: timestamp, sentAt: timestamp });
  expect(page.context).toMatchObject({ userAgent: context.userAgent, locale: 'sv-SE', library: context.library });
  expect(track.properties).toEqual({ url: 'kept as sent' });
  expect(answer.data.consentRecords).toEqual([expect.objectContaining({ receiptId, url: CLEAN.url, locale: 'sv-SE', recordId })]);
  const csv = await (await subjectRequest(subject, 'GET', '/export?format=csv')).text();
  expect(csv).toContain('sv-SE');
  expect(csv).toContain('Firefox/140.0');
  expect(csv).toContain(CLEAN.url);
  expect(csv).not.toMatch(PERSONAL);
});

it('erases everything of a consent record that is not proof of the decision', async () => {
  const subject = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
  const textHash = 'a'.repeat(64);
  const decision = consentBody(subject, {
    url: 'https://shop.test/p?sku=7',
    locale: 'sv-SE',
    recordId: randomUUID(),
    textHash,
  });
  const { receiptId } = await post('/v1/consent', decision);
  expect((await subjectRequest(subject, 'DELETE')).status).toBe(200);
  const [row] = await consentRows(receiptId as string);
  const kept = Object.entries(row!)
    .filter(([, v]) => v !== null)
    .map(([k]) => k)
    .sort();
  // What proves the decision: which, when, under what text and policy, by whom (a keyed hash only).
  expect(kept).toEqual(
    [
      'decided_at',
      'id',
      'locale',
      'policy_version',
      'purposes',
      'receipt_id',
      'received_at',
      'record_id',
      'site',
      'source',
      'subject_hash',
      'text_hash',
    ]
      .filter((k) => k in row!)
      .sort(),
  );
  expect(JSON.stringify(row)).not.toContain(subject.id);
});
