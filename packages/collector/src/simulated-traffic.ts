/**
 * Seeds a running collector with @tillit/insights' simulated shop traffic through its real ingest
 * path: consent records to `POST /v1/consent`, events to `POST /v1/batch`, as the site's pages send
 * them (text/plain, write key in the body, the page's Origin), so the collector's checks and every
 * consent rule apply. Ids are deterministic, so seeding twice stores everything once. For the demo
 * (`npm start`) and for tests that want a collector with months of data in it.
 */
import { type ShopSimulationOptions, simulateShop } from '@tillit/insights';

export interface SeedOptions extends Omit<ShopSimulationOptions, 'origin'> {
  /** The site's write key. */
  writeKey: string;
  /** An origin of the site (the pages' origin and the requests' Origin header). */
  origin: string;
  /** Events per `POST /v1/batch` (default 400: about 300 KB, under the 512 KB body limit). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
}

export interface SeedResult {
  events: number;
  consents: number;
  /** Newly stored events; the rest were there already (`duplicates`) or erased since (dropped as duplicates too). */
  accepted: number;
  duplicates: number;
  milliseconds: number;
}

async function post(url: string, origin: string, body: unknown): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', Origin: origin },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`seeding: ${url} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Runs `task` over `items` with at most `limit` at once. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Simulates the traffic (`simulateShop`) and posts it to the collector at `collectorUrl`. */
export async function seedSimulatedShop(collectorUrl: string, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const { writeKey, origin, batchSize = 400, concurrency = 4, ...simulation } = options;
  const { consents, events } = simulateShop({ ...simulation, origin });
  // Consent records are small requests, one each: more in flight keeps both processes busy (2 → 16: 1.9× at load 12).
  await inPool(consents, concurrency * 4, async (record) => {
    await post(`${collectorUrl}/v1/consent`, origin, { writeKey, ...record });
  });
  const batches: (typeof events)[] = [];
  for (let i = 0; i < events.length; i += batchSize) batches.push(events.slice(i, i + batchSize));
  let accepted = 0;
  let duplicates = 0;
  // No sentAt: the simulated times are taken as they are (a sentAt would shift them by the request's latency).
  await inPool(batches, concurrency, async (batch) => {
    const answer = await post(`${collectorUrl}/v1/batch`, origin, { writeKey, batch });
    if (answer.rejected.length)
      throw new Error(`seeding: the collector rejected simulated events: ${JSON.stringify(answer.rejected[0])}`);
    accepted += answer.accepted;
    duplicates += answer.duplicates;
  });
  return { events: events.length, consents: consents.length, accepted, duplicates, milliseconds: performance.now() - started };
}
