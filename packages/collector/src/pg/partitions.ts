import type { ClientBase } from 'pg';

/** Months of event partitions made ahead of time (at start and on every retention run, hourly). */
const MONTHS_AHEAD = 2;
const NAME = /^events_m(\d{4})(\d{2})$/;

const monthStart = (year: number, month: number) => Date.UTC(year, month, 1);

/** The name and [from, to) bounds (ms) of the month partition `offset` months from `now`. */
function monthPartition(now: number, offset: number): { name: string; from: number; to: number } {
  const d = new Date(now);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + offset;
  const from = monthStart(year, month);
  const start = new Date(from);
  const name = `events_m${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { name, from, to: monthStart(year, month + 1) };
}

/**
 * Makes the partitions of this month and the next ones. A month whose rows already went to the default
 * partition (its partition was missing) cannot get one; it stays in the default, which retention
 * deletes row by row.
 */
export async function ensurePartitions(client: ClientBase, now: number): Promise<void> {
  for (let offset = 0; offset <= MONTHS_AHEAD; offset++) {
    const { name, from, to } = monthPartition(now, offset);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events FOR VALUES FROM (${from}) TO (${to})`);
    } catch (error) {
      // Another collector made it at the same moment (IF NOT EXISTS does not cover that race).
      if ((error as { code?: string }).code === '42P07' || (error as { code?: string }).code === '23505') continue;
      console.error(`[tillit-collector] could not make the events partition ${name}: ${(error as Error).message}`);
    }
  }
}

/** Drops every month partition that ends at or before `cutoff`; returns how many events they held. */
export async function dropPartitionsBefore(client: ClientBase, cutoff: number): Promise<number> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass`,
  );
  let dropped = 0;
  for (const { name } of rows) {
    const match = NAME.exec(name);
    if (!match) continue;
    // The name's month is 1-based, so this is the start of the next month: where the partition ends.
    if (monthStart(Number(match[1]), Number(match[2])) > cutoff) continue;
    await client.query('BEGIN');
    try {
      const counted = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${name}`);
      // event_ids of these rows go with the row-wise pass over event_ids (received_at < cutoff).
      await client.query(`DROP TABLE ${name}`);
      await client.query('COMMIT');
      dropped += Number(counted.rows[0]!.n);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  return dropped;
}
