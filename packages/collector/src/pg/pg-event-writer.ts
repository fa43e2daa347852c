import type { EventRow, SubjectRef } from '../store.js';
import type { PgDatabase } from './database.js';
import { INSERT_EVENTS } from './sql.js';

export type Hasher = (site: string, kind: SubjectRef['kind'], id: string) => string;

/** INSERT_EVENTS's parameters: one array per column, each subject id's hash (for suppression) beside it. */
function eventColumns(rows: readonly EventRow[], hashOf: Hasher | undefined): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 13 }, () => new Array(rows.length));
  const hashes = new Map<string, string>();
  const hashed = (site: string, kind: SubjectRef['kind'], id: string | null) => {
    if (!hashOf || !id) return null;
    const key = `${kind[0]}${site}\0${id}`;
    let h = hashes.get(key);
    if (h === undefined) {
      h = hashOf(site, kind, id);
      hashes.set(key, h);
    }
    return h;
  };
  for (const [i, r] of rows.entries()) {
    const values: unknown[] = [
      r.messageId,
      r.site,
      r.type,
      r.event,
      r.anonymousId,
      r.userId,
      r.timestamp,
      r.receivedAt,
      r.payload,
    ];
    values.push(hashed(r.site, 'anonymous', r.anonymousId), hashed(r.site, 'user', r.userId), r.linkProven === true);
    values.push(r.destinations ? JSON.stringify(r.destinations) : null);
    for (let c = 0; c < 13; c++) columns[c]![i] = values[c];
  }
  return columns;
}

/**
 * Commits one group of event rows as one multi-row INSERT ... ON CONFLICT DO NOTHING, under the erasure
 * lock held shared; one flag per row: stored (true) or a duplicate (false).
 */
export async function commitPgEvents(db: PgDatabase, rows: EventRow[], hashOf: Hasher | undefined): Promise<boolean[]> {
  const columns = eventColumns(rows, hashOf);
  const stored = await db.tx(async (client) => {
    await db.lock(client, 'erasure', true);
    return (await client.query<{ message_id: string }>(INSERT_EVENTS, columns)).rows;
  });
  const fresh = new Set(stored.map((r) => r.message_id));
  // A messageId twice in one group: the first is the one stored.
  return rows.map((r) => fresh.delete(r.messageId));
}
