/**
 * A small, deterministic shop history for the dashboard's browser tests, posted over HTTP to a real
 * collector as the SDK and a shop's backend would: consent decisions (locales, GPC, accept/reject/custom),
 * page views from several channels, identifies, orders with products, survey responses.
 */
const DAY = 86_400_000;
const CHANNELS = [
  { referrer: 'https://www.google.com/' },
  { campaign: { source: 'newsletter', medium: 'email' } },
  { campaign: { source: 'facebook', medium: 'paid_social' } },
  { referrer: 'https://news.example.org/story' },
  {},
];
const PRODUCTS = ['mug', 'tea', 'honey', 'spoon', 'pot', 'cup'];
const COMMENTS = ['Fast delivery', 'Lovely tea', 'Checkout was confusing', 'Great mugs', 'Too expensive'];

export interface SeededVisitor {
  id: string;
  secret: string;
  userId: string | null;
  orders: number;
}

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`[seed] ${url} answered ${res.status}: ${await res.text()}`);
}

/** Posts `visitors` people's decisions and events over the `days` before `end` to the collector. */
export async function seedShop(
  collectorUrl: string,
  writeKey: string,
  { visitors = 120, days = 120, end = Date.now(), seed = 7 } = {},
): Promise<SeededVisitor[]> {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const people: SeededVisitor[] = [];
  let n = 0;
  const events: Record<string, unknown>[] = [];
  for (let v = 0; v < visitors; v++) {
    const id = `seed-anon-${seed}-${v}`;
    const secret = `seed-secret-${seed}-${v}-${'x'.repeat(24)}`;
    const first = end - Math.floor(rnd() * days) * DAY - Math.floor(rnd() * DAY);
    const roll = rnd();
    const purposes =
      roll < 0.55
        ? { analytics: true, marketing: true, personalization: true }
        : roll < 0.75
          ? { analytics: true, marketing: false, personalization: true }
          : { analytics: false, marketing: false, personalization: false };
    const gpc = rnd() < 0.1;
    await post(`${collectorUrl}/v1/consent`, {
      writeKey,
      anonymousId: id,
      secret,
      purposes: gpc ? { ...purposes, marketing: false } : purposes,
      policyVersion: '2026-11',
      source: gpc ? 'gpc' : 'banner',
      locale: rnd() < 0.6 ? 'sv-SE' : 'en-GB',
      timestamp: new Date(first).toISOString(),
    });
    const person: SeededVisitor = { id, secret, userId: null, orders: 0 };
    people.push(person);
    if (!purposes.analytics) continue;
    const consent = {
      purposes: Object.keys(purposes).filter((p) => purposes[p as keyof typeof purposes]),
      policyVersion: '2026-11',
    };
    const base = (at: number, fields: Record<string, unknown>, context: Record<string, unknown> = {}) => ({
      messageId: `seed-${seed}-${++n}`,
      anonymousId: id,
      timestamp: new Date(Math.min(at, end - 1000)).toISOString(),
      context: { consent, locale: 'sv-SE', page: { url: 'https://shop.test/' }, ...context },
      ...fields,
    });
    const visits = 1 + Math.floor(rnd() * rnd() * 8);
    let at = first;
    for (let k = 0; k < visits && at < end; k++) {
      const channel = pick(CHANNELS);
      events.push(
        base(
          at,
          { type: 'page', name: 'Home' },
          {
            page: { url: 'https://shop.test/', ...('referrer' in channel ? { referrer: channel.referrer } : {}) },
            ...('campaign' in channel ? { campaign: channel.campaign } : {}),
          },
        ),
      );
      if (rnd() < 0.45) {
        if (!person.userId) {
          person.userId = `seed-user-${seed}-${v}`;
          events.push(base(at + 60_000, { type: 'identify', userId: person.userId }));
        }
        const products = [...new Set([pick(PRODUCTS), pick(PRODUCTS), rnd() < 0.5 ? 'mug' : 'tea'])];
        events.push(
          base(at + 120_000, {
            type: 'track',
            event: 'Order Completed',
            userId: person.userId,
            properties: {
              order_id: `o-${seed}-${n}`,
              revenue: Math.round(10 + rnd() * 90),
              products: products.map((product_id) => ({ product_id })),
            },
          }),
        );
        person.orders++;
        if (rnd() < 0.5) {
          events.push(
            base(at + 180_000, {
              type: 'track',
              event: 'Survey Responded',
              userId: person.userId,
              properties: { score: Math.floor(rnd() * 11), comment: pick(COMMENTS) },
            }),
          );
        }
      }
      at += Math.floor(1 + rnd() * 20) * DAY;
    }
  }
  for (let i = 0; i < events.length; i += 200)
    await post(`${collectorUrl}/v1/batch`, { writeKey, batch: events.slice(i, i + 200) });
  return people;
}
