import type { ConsentRecord, Event } from '@tillit/schema';
import { randomBeta, randomExponential, randomGamma, seededRandom } from './math/random.js';
import { DAY_MS } from './types.js';

/**
 * Simulated traffic of a small web shop, for the demo (`npm start`), tests and dashboards: visitors
 * arriving through channels (utm campaigns, search and social referrers, direct), returning customers
 * buying baskets, NPS answers with comments, identify() logins (some on a second device), and a
 * share who refuse consent, grant only some purposes or withdraw later. Deterministic: the same
 * options give the same events, ids included, so posting them twice stores them once. No clock:
 * `end` says when the traffic stops. Every event carries `context.simulated: true`.
 */
export interface ShopSimulationOptions {
  /** The last moment of traffic (epoch ms); it spans the `days` before. */
  end: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Browsers that reach the shop (default 1,000); each decides on consent once. */
  visitors?: number;
  /** Days of traffic before `end` (default 120). */
  days?: number;
  /** Origin of the shop's pages (default `https://shop.example`). */
  origin?: string;
  /** The policy version in consent records and snapshots (default `2026-11`, the demo's). */
  policyVersion?: string;
}

/** A consent decision as the banner posts it to `POST /v1/consent` (write key added by whoever posts it). */
export type SimulatedConsent = Omit<ConsentRecord, 'writeKey'> & { recordId: string };

export interface ShopSimulation {
  /** Consent decisions in time order: one per browser, and a later withdrawal for some. */
  consents: SimulatedConsent[];
  /** Events in time order, as the SDK sends them (with `messageId`, consent snapshot, page context). */
  events: Event[];
}

export interface Product {
  sku: string;
  name: string;
  category: string;
  price: number;
}

/** The demo shop's four products and four more; companions are what tends to go in the same basket. */
export const SIMULATED_CATALOGUE: readonly (Product & { weight: number; companions: readonly string[] })[] = [
  { sku: 'TEA-02', name: 'Smoked black tea', category: 'Tea', price: 9.5, weight: 30, companions: ['STR-07', 'MUG-01'] },
  { sku: 'MUG-01', name: 'Stoneware mug', category: 'Tableware', price: 18, weight: 18, companions: ['TEA-02'] },
  { sku: 'TEA-05', name: 'Green sencha', category: 'Tea', price: 11, weight: 20, companions: ['HON-08'] },
  { sku: 'POT-06', name: 'Glass teapot', category: 'Tableware', price: 32, weight: 8, companions: ['TEA-05', 'STR-07'] },
  { sku: 'CUP-04', name: 'Espresso cups (2)', category: 'Tableware', price: 21, weight: 8, companions: ['MUG-01'] },
  { sku: 'BAG-03', name: 'Linen tote bag', category: 'Bags', price: 24, weight: 6, companions: [] },
  { sku: 'STR-07', name: 'Tea strainer', category: 'Accessories', price: 7, weight: 5, companions: [] },
  { sku: 'HON-08', name: 'Forest honey', category: 'Pantry', price: 8.5, weight: 5, companions: ['TEA-02'] },
];

interface Source {
  weight: number;
  campaign?: { source: string; medium: string; name: string };
  referrer?: string;
  /** How much likelier a visit from here ends in an order. */
  buys: number;
}

const FIRST_VISIT: readonly Source[] = [
  { weight: 20, campaign: { source: 'google', medium: 'cpc', name: 'brand' }, buys: 1.3 },
  { weight: 24, referrer: 'https://www.google.com/', buys: 1 },
  { weight: 5, referrer: 'https://www.bing.com/', buys: 1 },
  { weight: 9, referrer: 'https://www.facebook.com/', buys: 0.6 },
  { weight: 8, campaign: { source: 'instagram', medium: 'paid_social', name: 'autumn' }, buys: 0.7 },
  { weight: 6, referrer: 'https://teablog.example/best-mugs', buys: 0.9 },
  { weight: 18, buys: 1.1 },
];
const NEWSLETTER: Source = { weight: 0, campaign: { source: 'newsletter', medium: 'email', name: 'weekly' }, buys: 1.6 };
const DIRECT: Source = { weight: 0, buys: 1.2 };

const PURPOSES = ['analytics', 'personalization', 'marketing'] as const;
/** Consent choices and their shares: refusals send nothing but the (anonymous) refusal record. */
const CHOICES: readonly { weight: number; grants: readonly string[] }[] = [
  { weight: 12, grants: [] },
  { weight: 18, grants: ['analytics'] },
  { weight: 5, grants: ['personalization', 'marketing'] },
  { weight: 65, grants: PURPOSES },
];
const COMMENTS: Record<'promoter' | 'passive' | 'detractor', readonly string[]> = {
  promoter: ['Lovely tea, fast delivery', 'The smoked tea is wonderful', 'Will order again', 'Great gift wrapping'],
  passive: ['Good, but shipping was slow', 'Nice mug, a bit pricey', 'Fine'],
  detractor: ['The parcel arrived damaged', 'Delivery took two weeks', 'Checkout kept failing', 'Tea was stale'],
};
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const MINUTE_MS = 60_000;

/** The run's state: one PRNG drawn in a fixed order, and what has been made so far. */
interface Run {
  random: () => number;
  options: Required<ShopSimulationOptions>;
  start: number;
  consents: SimulatedConsent[];
  events: Event[];
  users: number;
}

function pick<T extends { weight: number }>(random: () => number, items: readonly T[]): T {
  let total = 0;
  for (const item of items) total += item.weight;
  let x = random() * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1]!;
}

const choose = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A UUID v4 drawn from the seeded PRNG, so ids repeat with the seed. */
function uuid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 4; i++)
    hex += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  const variant = ((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One browser: its id, what it granted, and whose it is once someone logs in. */
interface Browser {
  anonymousId: string;
  grants: readonly string[];
  agent: string;
  userId?: string;
  /** Traffic stops here (withdrawal of consent, or `end`). */
  until: number;
}

function event(run: Run, browser: Browser, time: number, fields: Partial<Event>, context: Record<string, unknown> = {}): void {
  run.events.push({
    messageId: uuid(run.random),
    anonymousId: browser.anonymousId,
    ...(browser.userId ? { userId: browser.userId } : {}),
    timestamp: new Date(Math.round(time)).toISOString(),
    ...fields,
    context: {
      consent: { purposes: [...browser.grants], policyVersion: run.options.policyVersion },
      userAgent: browser.agent,
      locale: 'sv-SE',
      library: { name: 'tillit-simulator', version: '1' },
      simulated: true,
      ...context,
    },
  } as Event);
}

function decide(run: Run, browser: Browser | null, grants: readonly string[], time: number, userId?: string): void {
  const purposes = Object.fromEntries(PURPOSES.map((p) => [p, grants.includes(p)]));
  run.consents.push({
    recordId: uuid(run.random),
    anonymousId: browser?.anonymousId ?? null,
    ...(userId ? { userId } : {}),
    purposes,
    policyVersion: run.options.policyVersion,
    source: 'banner',
    timestamp: new Date(Math.round(time)).toISOString(),
    url: `${run.options.origin}/`,
  });
}

function newBrowser(run: Run, grants: readonly string[], time: number, until: number): Browser {
  const browser = { anonymousId: uuid(run.random), grants, agent: choose(run.random, AGENTS), until };
  decide(run, browser, grants, time);
  return browser;
}

function basket(random: () => number): Product[] {
  const first = pick(random, SIMULATED_CATALOGUE);
  const skus = new Set([first.sku]);
  for (const companion of first.companions) if (random() < 0.35) skus.add(companion);
  if (random() < 0.12) skus.add(pick(random, SIMULATED_CATALOGUE).sku);
  return [...skus].map((sku) => SIMULATED_CATALOGUE.find((p) => p.sku === sku)!);
}

/** The order at the end of a visit, and sometimes an NPS answer two days later. */
function order(run: Run, browser: Browser, time: number, person: Person): void {
  const { random } = run;
  const products = basket(random).map(({ sku, name, category, price }) => ({
    product_id: sku,
    sku,
    name,
    category,
    price,
    quantity: Math.max(1, Math.round(person.spend * (0.5 + random()))),
  }));
  const revenue = Math.round(products.reduce((sum, p) => sum + p.price * p.quantity, 0) * 100) / 100;
  const orderId = `sim-${uuid(random).slice(0, 8)}`;
  event(run, browser, time, {
    type: 'track',
    event: 'Order Completed',
    properties: { order_id: orderId, revenue, currency: 'EUR', products },
  });
  const answerAt = time + 2 * DAY_MS + random() * DAY_MS;
  if (random() >= 0.4 || answerAt > browser.until) return;
  const score = Math.max(0, Math.min(10, Math.round(person.satisfaction + (random() - 0.5) * 3)));
  const kind = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
  const comment = random() < 0.5 ? { comment: choose(random, COMMENTS[kind]) } : {};
  event(run, browser, answerAt, {
    type: 'track',
    event: 'Survey Responded',
    properties: { score, order_id: orderId, ...comment },
  });
}

/** One visit: a landing page from its source, a few more pages, maybe a login and an order. */
function visit(run: Run, browser: Browser, time: number, source: Source, person: Person): void {
  const { random, options } = run;
  const landing = random() < 0.5 ? '/' : `/?product=${pick(random, SIMULATED_CATALOGUE).sku}`;
  const pages = [
    landing,
    ...Array.from({ length: Math.floor(random() * 4) }, () => `/?product=${pick(random, SIMULATED_CATALOGUE).sku}`),
  ];
  const buys = random() < Math.min(0.9, person.propensity * source.buys);
  if (buys) pages.push('/?view=cart');
  let t = time;
  pages.forEach((page, i) => {
    const utm = i === 0 && source.campaign ? `utm_source=${source.campaign.source}&utm_medium=${source.campaign.medium}` : '';
    const query = page.slice(1) + (utm ? `${page.length > 1 ? '&' : '?'}${utm}` : '');
    const url = `${options.origin}/${query}`;
    const referrer = i === 0 ? source.referrer : `${options.origin}${pages[i - 1]}`;
    const properties = {
      url,
      path: '/',
      title: 'Tillit demo shop',
      ...(query ? { search: query } : {}),
      ...(referrer ? { referrer } : {}),
    };
    const campaign = i === 0 && source.campaign ? { campaign: { ...source.campaign } } : {};
    event(run, browser, t, { type: 'page', properties }, { page: properties, ...campaign });
    t += (1 + random() * 3) * MINUTE_MS;
  });
  if (!buys) return;
  if (!browser.userId && random() < 0.8) login(run, browser, t, person);
  order(run, browser, t + MINUTE_MS, person);
}

interface Person {
  propensity: number;
  /** Items per product line: some customers buy one of each, some stock up. */
  spend: number;
  satisfaction: number;
  userId?: string;
}

function login(run: Run, browser: Browser, time: number, person: Person): void {
  person.userId ??= `sim-user-${String(++run.users).padStart(5, '0')}`;
  browser.userId = person.userId;
  event(run, browser, time, { type: 'identify', traits: { plan: 'customer' } });
}

/** A visitor from first visit to drop-out: visits at exponential gaps, each with a chance to be the last. */
function visitor(run: Run): void {
  const { random, options } = run;
  const first = run.start + random() * options.days * DAY_MS;
  const { grants } = pick(random, CHOICES);
  if (grants.length === 0) {
    decide(run, null, grants, first);
    return;
  }
  const withdraws = random() < 0.04;
  const until = withdraws ? first + random() * (options.end - first) : options.end;
  let browser = newBrowser(run, grants, first, until);
  if (withdraws) decide(run, browser, [], until);
  const person: Person = {
    propensity: randomBeta(random, 1.2, 5),
    spend: randomGamma(random, 2, 1.6),
    satisfaction: choose(random, [9.5, 9.5, 8, 7.5, 4]),
  };
  const gapDays = 1 / randomGamma(random, 2, 40); // mean gap between visits: about 20 days, varying by person
  const dropOut = randomBeta(random, 0.7, 1.6);
  let time = first;
  let source = pick(random, FIRST_VISIT);
  while (time < until) {
    visit(run, browser, time, source, person);
    if (random() < dropOut) break;
    time += randomExponential(random, 1 / gapDays) * DAY_MS;
    source = random() < (person.userId ? 0.35 : 0.1) ? NEWSLETTER : random() < 0.5 ? DIRECT : pick(random, FIRST_VISIT);
    // A customer who comes back on their phone logs in there too: a second browser of the same person.
    if (person.userId && browser.userId && random() < 0.1 && time < until) {
      browser = newBrowser(run, grants, time, until);
      login(run, browser, time, person);
    }
  }
}

/** Simulated shop traffic (see ShopSimulationOptions); events and consents sorted by time. */
export function simulateShop(options: ShopSimulationOptions): ShopSimulation {
  const o: Required<ShopSimulationOptions> = {
    seed: 1,
    visitors: 1000,
    days: 120,
    origin: 'https://shop.example',
    policyVersion: '2026-11',
    ...options,
  };
  for (const key of ['end', 'seed', 'visitors', 'days'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0)
      throw new RangeError(`simulateShop: ${key} must be a finite number ≥ 0, got ${o[key]}`);
  }
  const run: Run = {
    random: seededRandom(o.seed),
    options: o,
    start: o.end - o.days * DAY_MS,
    consents: [],
    events: [],
    users: 0,
  };
  for (let i = 0; i < o.visitors; i++) visitor(run);
  // Visits near `end` can run a few minutes past it: the traffic stops at `end`.
  const events = run.events.filter((e) => Date.parse(e.timestamp) <= o.end);
  const byTime = (a: { timestamp: string }, b: { timestamp: string }) =>
    a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0;
  return { consents: run.consents.sort(byTime), events: events.sort(byTime) };
}
