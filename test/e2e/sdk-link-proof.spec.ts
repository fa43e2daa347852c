/**
 * Issue 15 item 1, the SDK's side: identify(userId, traits, { userToken }) with consent proves the identity
 * link with the browser's subject secret and the site's token for that user (POST
 * /v1/subjects/:anonymousId/links, from the privacy chunk), so that the site's token for that user
 * reaches the visitor's events; an identify() without that proof (as anyone can send with the public
 * write key) reaches nothing. In real Chromium, against the real collector.
 */
import { mintToken } from '@tillit/collector';
import { E2E_TOKEN_KEY, expect, type TestCollector, test, tillitPage } from '../support/fixtures.js';

interface TillitWindow {
  tillit: {
    consent: { acceptAll(): Promise<void> };
    track(event: string): void;
    identify(userId: string, traits?: object, options?: { userToken?: string }): void;
    flush(): Promise<void>;
    anonymousId(): string | null;
  };
}

const LINKS = /\/v1\/subjects\/[^/]+\/links$/;

/** What the site's backend reads for a signed-in user, with a token it signed for that user id. */
async function userAccess(collector: TestCollector, userId: string) {
  const token = mintToken({ key: E2E_TOKEN_KEY, userId });
  const res = await fetch(`${collector.url}/v1/subjects/${userId}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const { data } = (await res.json()) as { data: { subjects: { anonymousId: string }[]; events: { event?: string }[] } };
  return { anonymousIds: data.subjects.map((s) => s.anonymousId), events: data.events.map((e) => e.event) };
}

test('identify() after consent proves the link: the user’s token reads the visitor’s events; without the proof it reads none, and the next page proves it', async ({
  page,
  site,
  collector,
}) => {
  site.setPage('/', tillitPage({ collector, banner: false }));
  // The first page's proof is cut off on its way: the collector then holds only the identify event.
  let cut = true;
  await page.route(LINKS, (route) => (cut ? route.abort() : route.continue()));
  await page.goto(site.url('/'));
  const attempt = page.waitForRequest(LINKS);
  // What the site's backend hands its page for the signed-in user.
  const userToken = mintToken({ key: E2E_TOKEN_KEY, userId: 'user-42' });
  const id = await page.evaluate(async (token) => {
    const { tillit } = window as unknown as TillitWindow;
    await tillit.consent.acceptAll();
    tillit.track('Product Viewed'); // anonymous: only a proven link leads a user's token here
    await tillit.flush();
    tillit.identify('user-42', {}, { userToken: token });
    await tillit.flush();
    return tillit.anonymousId()!;
  }, userToken);
  const request = await attempt;
  expect(request.method()).toBe('POST');
  expect(request.url()).toBe(`${collector.url}/v1/subjects/${id}/links`);
  expect(JSON.parse(request.postData()!)).toEqual({ userId: 'user-42', userToken });
  const secret = await page.evaluate(() => JSON.parse(localStorage.getItem('tillit_id')!).secret as string);
  expect(request.headers().authorization).toBe(`Bearer ${secret}`);
  await expect
    .poll(() => collector.count("SELECT count(*) AS n FROM events WHERE anonymous_id = ? AND type = 'identify'", id))
    .toBe(1);

  // Unproven: the identify event alone (what an attacker can send) gives the token nothing of the visitor.
  const before = await userAccess(collector, 'user-42');
  expect(before.anonymousIds).not.toContain(id);
  expect(before.events).not.toContain('Product Viewed');

  // The next page tries again, and the collector takes the proof.
  cut = false;
  const proven = page.waitForResponse((r) => LINKS.test(r.url()) && r.request().method() === 'POST');
  await page.reload();
  expect((await proven).status()).toBe(201);
  const after = await userAccess(collector, 'user-42');
  expect(after.anonymousIds).toContain(id);
  expect(after.events).toContain('Product Viewed');

  // Proven once per pair: the next page sends nothing, and another identify() of the same user (with a
  // fresh token) only has its token dropped by the privacy client, without a request.
  let again = 0;
  page.on('request', (r) => LINKS.test(r.url()) && again++);
  await page.reload();
  await page.evaluate(async (token) => {
    const { tillit } = window as unknown as TillitWindow;
    tillit.identify('user-42', {}, { userToken: token });
    await tillit.flush();
  }, userToken);
  const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem('tillit_id')!));
  await expect.poll(async () => (await stored()).userToken).toBeUndefined();
  expect((await stored()).linked).toBe('user-42');
  expect(again).toBe(0);
});
