import { expect, it } from 'vitest';
import type { ExportQuery, Store } from './store.js';
import { type WithStore, eventRow } from './store-contract-rows.js';

/** Every row of an export page, by messageId. */
async function page(store: Store, query: ExportQuery) {
  const result = await store.exportEvents(query);
  const ids: string[] = [];
  for await (const row of result.rows) ids.push(row.messageId);
  return { ...result, ids };
}

/** The bulk export (GET /v1/export): storage order, a bound fixed per page, exact resumption after a key. */
export function exportContract(withStore: WithStore): void {
  it(
    'exports events in the order they were stored, filtered by site, type and [from, to)',
    withStore(async (store) => {
      const rows = [
        eventRow({ timestamp: 5_000 }),
        eventRow({ timestamp: 1_000, type: 'page' }),
        eventRow({ timestamp: 3_000, site: 'site-b' }),
        eventRow({ timestamp: 9_000 }),
      ];
      for (const row of rows) await store.insertEvents([row]);
      expect((await page(store, {})).ids).toEqual(rows.map((r) => r.messageId));
      expect((await page(store, { site: 'site-a', type: 'track' })).ids).toEqual([rows[0]!.messageId, rows[3]!.messageId]);
      expect((await page(store, { from: 1_000, to: 9_000 })).ids).toEqual(rows.slice(0, 3).map((r) => r.messageId));
      // Leaving the loop early ends the read (a PostgreSQL store releases its connection).
      for await (const row of (await store.exportEvents({})).rows) {
        expect(row).toEqual(rows[0]);
        break;
      }
    }),
  );

  it(
    'pages by limit and resumes exactly after the last key: no row twice, none missed, later rows in a later page',
    withStore(async (store) => {
      const rows = Array.from({ length: 7 }, (_, i) => eventRow({ timestamp: 1_000 + i, type: i % 2 ? 'page' : 'track' }));
      for (const row of rows) await store.insertEvents([row]);
      const seen: string[] = [];
      let after: string | undefined;
      const mores: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await page(store, { type: 'track', limit: 2, ...(after ? { after } : {}) });
        seen.push(...p.ids);
        mores.push(p.more);
        if (i === 0) await store.insertEvents([eventRow({ timestamp: 0 })]); // stored later: after the others
        after = p.last ?? undefined;
        if (!p.more) break;
      }
      const tracks = rows.filter((r) => r.type === 'track').map((r) => r.messageId);
      expect(seen.slice(0, 4)).toEqual(tracks);
      expect(seen).toHaveLength(5);
      expect(mores.at(-1)).toBe(false);
      const again = await page(store, { type: 'track', ...(after ? { after } : {}) });
      expect(again.ids).toEqual([]);
      expect(again.last).toBe(after);
    }),
  );

  it(
    'fixes the bound when the page is made: rows stored while it streams wait for the next page',
    withStore(async (store) => {
      await store.insertEvents([eventRow()]);
      const made = await store.exportEvents({});
      await store.insertEvents([eventRow()]);
      const ids: string[] = [];
      for await (const row of made.rows) ids.push(row.messageId);
      expect(ids).toHaveLength(1);
      expect((await page(store, { after: made.last! })).ids).toHaveLength(1);
    }),
  );

  it(
    'answers an empty store with no rows and no key',
    withStore(async (store) => {
      expect(await page(store, {})).toMatchObject({ ids: [], last: null, more: false });
    }),
  );
}
