import { randomUUID } from 'node:crypto';
import { expect, test } from '../support/fixtures.js';

// The harness itself: a page on the site's origin can reach the collector across origins (CORS),
// and a page on an origin the collector does not list cannot.
test('a page on an allowed origin posts a batch with a text/plain body and no preflight', async ({ page, site, collector }) => {
  site.setPage('/', '<!doctype html><title>t</title><h1>plain</h1>');
  await page.goto(site.url('/'));
  const preflights: string[] = [];
  page.on('request', (r) => r.method() === 'OPTIONS' && preflights.push(r.url()));
  const answer = await page.evaluate(async (url) => {
    const res = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({
        writeKey: 'e2e-write-key',
        sentAt: new Date().toISOString(),
        batch: [
          {
            type: 'track',
            event: 'Smoke',
            messageId: crypto.randomUUID(),
            anonymousId: 'a',
            timestamp: new Date().toISOString(),
          },
        ],
      }),
    });
    return res.json();
  }, collector.url);
  expect(answer).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  expect(preflights).toEqual([]);
  expect(await collector.count("SELECT count(*) AS n FROM events WHERE event = 'Smoke'")).toBe(1);
});

test('a page on another origin is refused and nothing is stored', async ({ page, site, collector }) => {
  site.setPage('/', '<!doctype html><title>t</title>');
  await page.goto(site.url('/', 'evil.test'));
  // A text/plain POST is a simple request: the browser sends it without a preflight, so the collector
  // itself must refuse it. The batch holds a valid event, so "nothing is stored" proves the refusal.
  const outcome = await page.evaluate(
    async ({ url, messageId }) => {
      const event = {
        type: 'track',
        event: 'Evil',
        messageId,
        anonymousId: 'a',
        timestamp: new Date().toISOString(),
      };
      try {
        await fetch(`${url}/v1/batch`, { method: 'POST', body: JSON.stringify({ writeKey: 'e2e-write-key', batch: [event] }) });
        return 'readable';
      } catch {
        return 'blocked';
      }
    },
    { url: collector.url, messageId: randomUUID() },
  );
  expect(outcome).toBe('blocked');
  // fetch settles after the collector answered, so the count is final.
  expect(await collector.count('SELECT count(*) AS n FROM events')).toBe(0);
});
