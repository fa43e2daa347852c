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

/** ISO date-times around the edges of zod's pattern: leap days, offsets, missing zones, six-digit years. */
const isoLike = fc.oneof(
  fc.date({ min: new Date(-9e14), max: new Date(9e14), noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
    )
    .chain(([y, mo, d, h]) =>
      fc
        .constantFrom('Z', '+02:00', '-11:30', '+24:00', '+0200', '', 'z', '.5Z', '.123456789Z', ':60Z')
        .map(
          (zone) =>
            `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00${zone}`,
        ),
    ),
  fc.constantFrom(
    '2024-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2026-11-25 10:00:00Z',
    '2026-11-25',
    'yesterday',
    '',
  ),
);

/** Strings of each length at and one past a limit of the wire format, in one- and two-unit characters. */
const LIMIT_LENGTHS = [0, 1, 31, 32, 33, 64, 65, 128, 129, 200, 201, 512, 513, 1024, 1025, 4096, 4097];
const atLimits = fc
  .tuple(fc.constantFrom(...LIMIT_LENGTHS), fc.constantFrom('a', 'é', '😀'))
  .map(([n, ch]) => ch.repeat(Math.max(0, Math.floor(n / ch.length))) + (n % ch.length ? 'a' : ''));

/** `{"a":{"a":…}}` nested `levels` deep: around the 32 levels an event may nest. */
const nested = (levels: number): unknown => (levels <= 1 ? {} : { a: nested(levels - 1) });

/** Values that fit some fields and break others: wrong types, lengths at limits, bad dates, purposes, deep nesting. */
export const nearMissValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, 1.5, 1e308, -1e308, 2 ** 53 + 2, [], {}, [1], { a: 1 }),
  atLimits,
  isoLike,
  fc.constantFrom('track', 'page', 'identify', 'screen', 'group', 'alias', 'Track', 'analytics', 'Analytics', '1abc', 'a-b_c'),
  fc.array(fc.constantFrom('analytics', 'marketing', 'x'.repeat(32), 'X'), { minLength: 0, maxLength: 34 }),
  fc.integer({ min: 1, max: 36 }).map(nested),
  fc.jsonValue({ maxDepth: 2 }),
);

const id = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: LIMITS.maxIdLength }));
const optionalText = (maxLength: number) => fc.string({ maxLength });
// Smaller than `properties` and `landingUrl`: a million of these events must be made in minutes.
const fields = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

/** An event as any Segment-spec client may send it, with every field the wire format knows (valid or not). */
export const clientEvent = fc.record(
  {
    type: fc.constantFrom('track', 'page', 'identify', 'screen', 'group', 'alias'),
    messageId: id,
    anonymousId: fc.option(id, { nil: null }),
    userId: fc.option(id, { nil: null }),
    event: fc.string({ minLength: 1, maxLength: LIMITS.maxNameLength }),
    name: optionalText(LIMITS.maxNameLength),
    properties: fields,
    traits: fields,
    context: fc.record(
      {
        consent: fc.record(
          {
            purposes: fc.subarray([...PURPOSES]),
            policyVersion: fc.string({ minLength: 1, maxLength: 64 }),
            categoryPreferences: fc.dictionary(fc.string({ maxLength: 20 }), fc.boolean(), { maxKeys: 4 }),
          },
          { requiredKeys: [] },
        ),
        page: fc.record(
          {
            url: landingUrl,
            path: optionalText(40),
            title: optionalText(60),
            referrer: optionalText(40),
            search: optionalText(40),
          },
          { requiredKeys: [] },
        ),
        campaign: fc.dictionary(fc.string({ maxLength: 12 }), optionalText(40), { maxKeys: 4 }),
        locale: optionalText(64),
        library: fc.record({ name: optionalText(64), version: optionalText(64) }),
        ip: optionalText(64),
        userAgent: optionalText(200),
        screen: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
    timestamp: isoLike,
    sentAt: isoLike,
    integrations: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['type', 'messageId', 'timestamp'] },
);

/** Every path to a value inside `value` (objects and arrays, a few levels down). */
function pathsOf(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (prefix.length > 5 || value === null || typeof value !== 'object') return out;
  for (const key of Object.keys(value)) {
    out.push([...prefix, key]);
    pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
  }
  return out;
}

type Edit = { op: 'set' | 'delete' | 'add'; pick: number; key: string; value: unknown };
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('set', 'set', 'delete', 'add'),
  pick: fc.nat(),
  key: fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'),
    fc.string({ maxLength: 8 }),
  ),
  value: nearMissValue,
});

/** Puts `key: value` on an object as JSON.parse would: an own property, even for `__proto__`. */
const define = (o: object, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

/** Applies one edit to a JSON value in place: replace or delete a field anywhere, or add a key to an object. */
function applyEdit(root: Record<string, unknown>, { op, pick, key, value: shared }: Edit): void {
  // A copy: constants of nearMissValue are shared between runs, and a later edit may add to this one.
  const value = structuredClone(shared);
  const paths = pathsOf(root);
  const path = paths[pick % paths.length] ?? [];
  const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
  const last = path[path.length - 1];
  if (op === 'add' || last === undefined) {
    const target = op === 'add' && last !== undefined ? parent[last] : root;
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) define(target, key, value);
  } else if (op === 'set') define(parent, last, value);
  else delete parent[last];
}

/**
 * Near misses of an event: a Segment-spec event with one to three edits (a wrong type or an oversize
 * string at any field, a field deleted, a prototype key added…), as JSON text so that it reaches a
 * validator exactly as a request body would.
 */
export const nearMissEventJson = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: clientEvent }, { weight: 1, arbitrary: sdkEvent() }),
    fc.array(edit, { minLength: 1, maxLength: 3 }),
  )
  .map(([event, edits]) => {
    const copy = JSON.parse(JSON.stringify(event));
    for (const e of edits) applyEdit(copy, e);
    return JSON.stringify(copy);
  });
