// @vitest-environment happy-dom
/**
 * The real SDK (createTillit from packages/sdk) on random pages, titles, landing URLs and properties:
 * everything it sends to the collector validates against the wire schema. The schema model in
 * schema.test.ts can drift from the SDK; this one cannot.
 */
import { BatchEnvelope, ConsentRecord, Event } from '@tillit/schema';
import { createTillit } from '@tillit/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landingUrl, params, properties } from './arbitraries.js';

interface Sent {
  url: string;
  body: unknown;
}

/** A fetch that records every request body and answers as the collector would. */
function fakeCollector(sent: Sent[]): typeof fetch {
  return async (input, init) => {
    const url = String(input);
    const body = JSON.parse(String(init?.body));
    sent.push({ url, body });
    if (url.endsWith('/v1/consent')) return new Response(JSON.stringify({ receiptId: 'r-1' }), { status: 201 });
    const n = (body as { batch: unknown[] }).batch.length;
    return new Response(JSON.stringify({ accepted: n, duplicates: 0, rejected: [] }), { status: 200 });
  };
}

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

/** Sends what the SDK made for one page; resolves with every request body it sent. */
async function runSdk(page: { href: string; title: string }, calls: (t: ReturnType<typeof createTillit>) => void) {
  history.replaceState(null, '', page.href);
  document.title = page.title;
  const sent: Sent[] = [];
  const tillit = createTillit({
    collectorUrl: 'https://collector.example',
    writeKey: 'wk-12345678',
    policyVersion: '2026-11',
    fetch: fakeCollector(sent),
    storage: memoryStorage(),
    batch: { size: 500, intervalMs: 60_000 },
    idbTimeoutMs: 10,
  });
  await tillit.consent.acceptAll({ source: 'banner' });
  calls(tillit);
  await tillit.flush();
  await new Promise((resolve) => setTimeout(resolve, 0)); // the consent record goes on its own
  return sent;
}

function expectValid(sent: Sent[]) {
  const batches = sent.filter((s) => s.url.endsWith('/v1/batch'));
  expect(batches.length).toBeGreaterThan(0);
  for (const { body } of batches) {
    expect(BatchEnvelope.safeParse(body).success).toBe(true);
    for (const event of (body as { batch: unknown[] }).batch) {
      const result = Event.safeParse(event);
      if (!result.success)
        throw new Error(`${JSON.stringify(result.error.issues.slice(0, 3))} for ${JSON.stringify(event).slice(0, 300)}`);
    }
  }
  for (const { body } of sent.filter((s) => s.url.endsWith('/v1/consent'))) {
    const result = ConsentRecord.safeParse(body);
    if (!result.success)
      throw new Error(`${JSON.stringify(result.error.issues.slice(0, 3))} for ${JSON.stringify(body).slice(0, 300)}`);
  }
}

// happy-dom keeps the page on one origin: landing URLs are moved onto it, keeping path, query and fragment.
const onPage = landingUrl.map((href) => {
  const u = new URL(href);
  return `${location.origin}${u.pathname}${u.search}${u.hash}`;
});

describe('what the real SDK sends', () => {
  it('every event and consent record the SDK sends from ordinary pages validates', async () => {
    const call = fc.record({
      name: fc.string({ minLength: 1, maxLength: 200 }),
      props: fc.option(properties, { nil: undefined }),
      kind: fc.constantFrom('track', 'page', 'identify'),
    });
    await fc.assert(
      fc.asyncProperty(
        onPage,
        fc.string({ maxLength: 300 }),
        fc.array(call, { minLength: 1, maxLength: 8 }),
        async (href, title, calls) => {
          const sent = await runSdk({ href, title }, (t) => {
            for (const c of calls) {
              if (c.kind === 'track') t.track(c.name, c.props);
              else if (c.kind === 'page') t.page(c.name, c.props);
              else t.identify(c.name.slice(0, 128), c.props);
            }
          });
          expectValid(sent);
        },
      ),
      params(60),
    );
  });

  // Pages a browser opens every day, but whose context strings are over the schema's limits: the
  // collector rejects the whole event, so it is lost though the visitor consented.
  it('a page view from a page whose <title> is 2000 characters long validates', async () => {
    expectValid(await runSdk({ href: `${location.origin}/article`, title: 'T'.repeat(2000) }, (t) => t.page()));
  });

  it('a page view from a URL of 5000 characters validates', async () => {
    const href = `${location.origin}/search?q=${'x'.repeat(5000)}`;
    expectValid(await runSdk({ href, title: 'Search' }, (t) => t.page()));
  });
});
