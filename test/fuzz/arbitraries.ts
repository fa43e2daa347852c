/** fast-check models shared by the fuzz tests: what the SDK puts on the wire, and how events go wrong. */
import { LIMITS } from '@tillit/schema';
// The SDK's own id and URL code, so the model makes ids and URLs exactly as the browser does.
import { campaignOf, DEFAULT_URL_DENYLIST, sanitizeUrl, uuidv7 } from '@tillit/sdk';
import fc from 'fast-check';

export const PURPOSES = ['analytics', 'marketing', 'personalization'] as const;
// A fixed seed keeps failures reproducible in CI; FC_SEED=random explores further locally.
export const seed = process.env.FC_SEED === 'random' ? Date.now() : 20261125;
export const params = (numRuns: number) => ({ numRuns, seed });

/** 1970 … 2100: the clocks browsers have; toISOString() writes 4-digit years in that range. */
export const anyClock = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });

/** A landing URL with UTM, denylisted and e-mail-valued parameters, as a visitor could arrive with. */
export const landingUrl = fc
  .tuple(
    fc.webUrl({ withFragments: true }),
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('utm_source', 'utm_medium', 'utm_campaign', 'UTM_Term', 'utm_content', 'email', 'token', 'q', 'ref'),
          fc.string({ maxLength: 12 }),
        ),
        fc.oneof(fc.string({ maxLength: 600 }), fc.emailAddress()),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([base, pairs]) => {
    const url = new URL(base);
    for (const [k, v] of pairs) url.searchParams.append(k, v);
    return url.href;
  });

/** JSON-able properties as a site passes them to track(): anything JSON can carry. */
export const properties = fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 });

/**
 * One event as the SDK's enqueue() builds it (packages/sdk/src/events.ts), within the limits a site's
 * own input respects (event name ≤ 200 characters, user id ≤ 128) and a page title of a common length.
 * `clock` gives the event's time; the result is the event as JSON has carried it.
 */
export const sdkEvent = (clock = anyClock) =>
  fc
    .record({
      kind: fc.constantFrom('track', 'page', 'identify'),
      name: fc.string({ minLength: 1, maxLength: LIMITS.maxNameLength }),
      pageName: fc.option(fc.string({ maxLength: LIMITS.maxNameLength }), { nil: undefined }),
      userId: fc.option(fc.string({ minLength: 1, maxLength: LIMITS.maxIdLength }), { nil: undefined }),
      properties: fc.option(properties, { nil: undefined }),
      href: landingUrl,
      referrer: fc.oneof(fc.constant(''), landingUrl),
      title: fc.string({ maxLength: 300 }),
      locale: fc.constantFrom('en-US', 'sv-SE', 'de', 'zh-Hant-TW'),
      granted: fc.subarray([...PURPOSES], { minLength: 1 }),
      policyVersion: fc.string({ minLength: 1, maxLength: 64 }),
      now: clock,
    })
    .map((m) => {
      const url = sanitizeUrl(m.href, DEFAULT_URL_DENYLIST);
      const u = new URL(url);
      const event: Record<string, unknown> = {
        type: m.kind,
        messageId: uuidv7(m.now),
        anonymousId: uuidv7(m.now),
        userId: m.kind === 'identify' ? (m.userId ?? 'user-1') : m.userId,
        timestamp: new Date(m.now).toISOString(),
        context: {
          page: {
            url,
            path: u.pathname,
            search: u.search,
            title: m.title,
            referrer: sanitizeUrl(m.referrer, DEFAULT_URL_DENYLIST),
          },
          campaign: campaignOf(m.href) ?? undefined,
          locale: m.locale,
          library: { name: 'tillit', version: '0.1.0' },
          consent: { purposes: m.granted, policyVersion: m.policyVersion },
        },
      };
      if (m.kind === 'track') Object.assign(event, { event: m.name, properties: m.properties });
      if (m.kind === 'page') Object.assign(event, { name: m.pageName, properties: m.properties });
      if (m.kind === 'identify') event.traits = m.properties;
      // What travels is JSON: undefined fields vanish, as they do in the browser.
      return JSON.parse(JSON.stringify(event)) as Record<string, unknown> & { messageId: string };
    });

/**
 * Ways to break a valid event, each one the collector must reject by index. `now` is the
 * batch's sentAt, so "a day ahead" stays a day ahead after clock-skew correction.
 */
export const breakEvent = (now: number) =>
  fc.constantFrom<[string, (e: Record<string, unknown>) => unknown]>(
    ['no messageId', ({ messageId, ...e }) => e],
    ['numeric messageId', (e) => ({ ...e, messageId: 42 })],
    ['empty messageId', (e) => ({ ...e, messageId: '' })],
    ['messageId too long', (e) => ({ ...e, messageId: 'm'.repeat(LIMITS.maxIdLength + 1) })],
    ['unknown type', (e) => ({ ...e, type: 'bogus' })],
    ['track without a name', (e) => ({ ...e, type: 'track', event: undefined })],
    ['no subject', (e) => ({ ...e, anonymousId: null, userId: undefined })],
    ['timestamp not ISO', (e) => ({ ...e, timestamp: 'yesterday' })],
    ['timestamp a number', (e) => ({ ...e, timestamp: now })],
    ['timestamp a day ahead', (e) => ({ ...e, timestamp: new Date(now + 864e5).toISOString() })],
    ['properties an array', (e) => ({ ...e, properties: [1, 2] })],
    ['properties a string', (e) => ({ ...e, properties: 'x' })],
    ['consent purposes not a list', (e) => ({ ...e, context: { consent: { purposes: 'all', policyVersion: 'v' } } })],
    ['over 32 KB', (e) => ({ ...e, properties: { blob: 'x'.repeat(LIMITS.maxEventBytes + 10) } })],
    ['null', () => null],
    ['a number', () => 7],
    ['a string', (e) => JSON.stringify(e)],
  );
