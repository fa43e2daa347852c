import { PURGE_OUTBOX } from '../destinations/outbox-store.js';
import type { PgDatabase } from './database.js';
import { dropPartitionsBefore } from './partitions.js';
import { DELETE_EXPIRED_EVENTS, DELETE_EXPIRED_IDS, RETENTION_CHUNK } from './sql.js';

/**
 * Drops the month partitions that ended before `cutoff`, deletes the older rows left in the others in
 * chunks, and makes the partitions ahead. One collector at a time: the others skip (advisory lock).
 */
export async function deleteExpiredPg(db: PgDatabase, cutoff: number): Promise<{ events: number; identityLinks: number }> {
  await db.start();
  return db.owner(async (client) => {
    if (!(await db.tryLock(client, 'retention'))) return { events: 0, identityLinks: 0 };
    await db.maintainPartitions(client, Date.now());
    let events = await dropPartitionsBefore(client, cutoff);
    const chunked = async (sql: string) => {
      let total = 0;
      for (let n = RETENTION_CHUNK; n === RETENTION_CHUNK; total += n) n = (await client.query(sql, [cutoff])).rowCount ?? 0;
      return total;
    };
    events += await chunked(DELETE_EXPIRED_EVENTS);
    await chunked(DELETE_EXPIRED_IDS);
    const links = await client.query('DELETE FROM identity_links WHERE last_seen_at < $1', [cutoff]);
    await client.query(`DELETE FROM audit_log WHERE subject_hash IS NULL AND outcome = 'denied' AND at < $1`, [cutoff]);
    await client.query('DELETE FROM failure_windows WHERE reset_at < $1', [Date.now()]);
    await client.query(PURGE_OUTBOX, [cutoff]);
    return { events, identityLinks: links.rowCount ?? 0 };
  });
}
