/** The SQLite side of the bulk export: events in rowid order, one page's bound fixed before it streams. */
import Database from 'better-sqlite3';
import { EVENT_COLUMNS } from './sqlite-statements.js';
import type { EventRow, ExportPage, ExportQuery } from './store.js';

const FILTER = '(@site IS NULL OR site = @site) AND (@type IS NULL OR type = @type) AND timestamp >= @from AND timestamp < @to';
// The rowid range makes both statements a range scan of the table itself: no sort, nothing held.
const ROWS = `SELECT ${EVENT_COLUMNS} FROM events WHERE id > @after AND id <= @last AND ${FILTER} ORDER BY id`;
const NTH = `SELECT id FROM events WHERE id > @after AND ${FILTER} ORDER BY id LIMIT 1 OFFSET @offset`;
const MAX = 'SELECT max(id) FROM events';
/** Rows read between two yields to the event loop, so other requests run during a long export. */
const PAGE = 2000;

function params(query: ExportQuery) {
  return {
    site: query.site ?? null,
    type: query.type ?? null,
    from: query.from ?? Number.MIN_SAFE_INTEGER,
    to: query.to ?? Number.MAX_SAFE_INTEGER,
    after: query.after === undefined ? 0 : Number(query.after),
  };
}

/** The page's last key: the `limit`-th matching row's, or the newest row's when fewer match. */
export function exportBound(db: Database.Database, query: ExportQuery): { last: number | null; more: boolean } {
  const p = params(query);
  if (query.limit !== undefined) {
    const nth = db
      .prepare(NTH)
      .pluck()
      .get({ ...p, offset: query.limit - 1 }) as number | undefined;
    if (nth !== undefined) return { last: nth, more: true };
  }
  const max = db.prepare(MAX).pluck().get() as number | null;
  return { last: max !== null && max > p.after ? max : null, more: false };
}

/**
 * The rows of `sql` on a read-only connection of its own (better-sqlite3's iterator keeps its connection
 * busy; the main one must stay free; WAL gives the reader one snapshot), opened only when the consumer
 * starts reading, yielding to the event loop every `pageSize` rows so that other requests run meanwhile.
 */
export async function* readInPages<T>(path: string, sql: string, params: unknown[], pageSize: number): AsyncIterable<T> {
  const reader = new Database(path, { readonly: true, fileMustExist: true });
  try {
    let inPage = 0;
    for (const row of reader.prepare(sql).iterate(...params) as Iterable<T>) {
      yield row;
      if (++inPage === pageSize) {
        inPage = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    reader.close();
  }
}

/** An export page of the SQLite store at `path` (`db`: its main connection, after pending inserts committed). */
export function sqliteExportPage(db: Database.Database, path: string, query: ExportQuery): ExportPage {
  const { last, more } = exportBound(db, query);
  const empty: AsyncIterable<EventRow> = (async function* () {})();
  return {
    last: last === null ? (query.after ?? null) : String(last),
    more,
    rows: last === null ? empty : readInPages<EventRow>(path, ROWS, [{ ...params(query), last }], PAGE),
  };
}
