/** What the insights read from PostgreSQL: the site's events streamed through a cursor, and processing limits. */
import type pg from 'pg';
import type { ConsentDecisionRow, EventQuery, EventRow, ProcessingLimit } from '../store.js';
import { readThroughCursor } from './cursor.js';
import { EVENT_COLUMNS } from './sql.js';

/** The site's events in time order, one snapshot, one page in memory at a time. */
export function streamPgEvents(pool: pg.Pool, { site, from, to, pageSize = 5000 }: EventQuery): AsyncIterable<EventRow> {
  return readThroughCursor<EventRow>(
    pool,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE site = $1 AND timestamp >= $2 AND timestamp < $3 ORDER BY timestamp, seq`,
    [site, from ?? Number.MIN_SAFE_INTEGER, to ?? Number.MAX_SAFE_INTEGER],
    pageSize,
  );
}

export async function addPgLimit(pool: pg.Pool, { site, subjectHash, right, at }: ProcessingLimit): Promise<void> {
  await pool.query(
    'INSERT INTO processing_limits (site, subject_hash, "right", at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [site, subjectHash, right, at],
  );
}

export async function removePgLimit(pool: pg.Pool, site: string, subjectHash: string, right: string): Promise<boolean> {
  const result = await pool.query('DELETE FROM processing_limits WHERE site = $1 AND subject_hash = $2 AND "right" = $3', [
    site,
    subjectHash,
    right,
  ]);
  return (result.rowCount ?? 0) > 0;
}

export async function listPgLimits(pool: pg.Pool, site: string): Promise<ProcessingLimit[]> {
  const result = await pool.query<ProcessingLimit>(
    'SELECT site, subject_hash AS "subjectHash", "right", at FROM processing_limits WHERE site = $1 ORDER BY at',
    [site],
  );
  return result.rows;
}

/** The site's consent decisions, without ids (the dashboard's consent statistics). */
export async function listPgConsentDecisions(pool: pg.Pool, site: string): Promise<ConsentDecisionRow[]> {
  const { rows } = await pool.query<ConsentDecisionRow>(
    'SELECT purposes, source, locale, decided_at AS "decidedAt" FROM consent_records WHERE site = $1 ORDER BY id',
    [site],
  );
  return rows;
}
