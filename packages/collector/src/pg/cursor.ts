import type pg from 'pg';

/**
 * The rows of `sql` through a server-side cursor in one read-only REPEATABLE READ transaction: one
 * snapshot, one fetch of `pageSize` rows in memory at a time. The connection is taken when the consumer
 * starts reading and given back when it stops, early or not.
 */
export async function* readThroughCursor<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  sql: string,
  params: unknown[],
  pageSize: number,
): AsyncIterable<T> {
  const client = await pool.connect();
  let done = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE tillit_rows NO SCROLL CURSOR FOR ${sql}`, params);
    for (;;) {
      const page = await client.query<T>(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM tillit_rows`);
      if (!page.rows.length) break;
      yield* page.rows;
    }
    await client.query('COMMIT');
    done = true;
  } finally {
    if (!done) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
