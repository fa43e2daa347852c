/**
 * `GET /v1/export`: every stored event (or a selection) for the operator, streamed as NDJSON, CSV or
 * Parquet in constant memory, and resumable: `Tillit-Cursor` is where the next request starts.
 */
import { Readable } from 'node:stream';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { CONTENT_TYPES, encodeExport } from '../export-format.js';
import { encodeCursor, parseExportParams } from '../export-params.js';
import { HttpError, type Reply } from '../http.js';
import { ParamError } from '../insights-params.js';
import type { EventRow } from '../store.js';

/** A store failure in the middle of a stream (headers sent: the connection is cut) still counts and is logged. */
async function* reported(rows: AsyncIterable<EventRow>, c: CollectorContext): AsyncIterable<EventRow> {
  try {
    yield* rows;
  } catch (error) {
    c.env.storageHealth.failed(error);
    throw error;
  }
}

async function exportEvents(c: CollectorContext): Promise<Reply> {
  const { auth, config, store } = c.env;
  await auth.requireOperator(c);
  const { searchParams } = new URL(c.req.url, 'http://collector');
  let request: ReturnType<typeof parseExportParams>;
  try {
    request = parseExportParams(
      (name) => searchParams.get(name),
      searchParams.keys(),
      config.sites.map((s) => s.name),
    );
  } catch (error) {
    if (error instanceof ParamError) throw new HttpError(400, 'bad_request', error.message, { parameter: error.param });
    throw error;
  }
  const { query, format } = request;
  const page = await store.exportEvents(query);
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPES[format],
    'Content-Disposition': `attachment; filename="tillit-events.${format}"`,
    'Cache-Control': 'no-store',
    // Known before the first row: the page's bound is fixed when it is made.
    'Tillit-More': String(page.more),
  };
  if (page.last !== null) headers['Tillit-Cursor'] = encodeCursor(query, page.last);
  return { status: 200, headers, body: Readable.from(encodeExport(format, reported(page.rows, c)), { objectMode: false }) };
}

export const exportRoutes: CollectorRoute[] = [{ method: 'GET', path: '/v1/export', handler: exportEvents }];
