/** The PostgreSQL side of the bulk export: events in `seq` order (the index of migration 6), one page's bound fixed first. */
import type pg from 'pg';
import type { EventRow, ExportPage, ExportQuery } from '../store.js';
import { readThroughCursor } from './cursor.js';
import { EVENT_COLUMNS } from './sql.js';

const FILTER =
  '($1::text IS NULL OR site = $1) AND ($2::text IS NULL OR type = $2) AND timestamp >= $3 AND timestamp < $4 AND seq > $5';
const NTH = `SELECT seq FROM events WHERE ${FILTER} ORDER BY seq LIMIT 1 OFFSET $6`;
const ROWS = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${FILTER} AND seq <= $6 ORDER BY seq`;
/** Rows fetched from the server-side cursor at a time: memory holds one fetch. */
const FETCH = 2000;

const params = (q: ExportQuery) => [
  q.site ?? null,
  q.type ?? null,
  q.from ?? Number.MIN_SAFE_INTEGER,
  q.to ?? Number.MAX_SAFE_INTEGER,
  q.after === undefined ? 0 : Number(q.after),
];

async function bound(pool: pg.Pool, query: ExportQuery): Promise<{ last: number | null; more: boolean }> {
  if (query.limit !== undefined) {
    const nth = await pool.query<{ seq: number }>(NTH, [...params(query), query.limit - 1]);
    if (nth.rows.length) return { last: nth.rows[0]!.seq, more: true };
  }
  const max = (await pool.query<{ max: number | null }>('SELECT max(seq) AS max FROM events')).rows[0]!.max;
  const after = query.after === undefined ? 0 : Number(query.after);
  return { last: max !== null && max > after ? max : null, more: false };
}

/**
 * An export page. A row whose transaction is still open when the bound is read (its `seq` taken, not
 * yet committed) is in no page: the export reads what was committed, in the order of `seq`.
 */
export async function pgExportPage(pool: pg.Pool, query: ExportQuery): Promise<ExportPage> {
  const { last, more } = await bound(pool, query);
  return {
    last: last === null ? (query.after ?? null) : String(last),
    more,
    rows: last === null ? (async function* () {})() : readThroughCursor<EventRow>(pool, ROWS, [...params(query), last], FETCH),
  };
}
