/**
 * The export's parameters, read the same way from a query string (`GET /v1/export`) and from the
 * command line (`tillit-collector export`), and its cursor: a bad one fails naming itself.
 */
import { createHash } from 'node:crypto';
import { EventType } from '@tillit/schema';
import { EXPORT_FORMATS, type ExportFormat } from './export-format.js';
import { ParamError, date, number, oneOf } from './insights-params.js';
import type { ExportQuery } from './store.js';

export const EXPORT_PARAMS = ['from', 'to', 'type', 'site', 'format', 'cursor', 'limit'] as const;
/** At most this many rows per answer when `limit` is given (a page: what a client re-fetches when it breaks). */
export const MAX_EXPORT_LIMIT = 10_000_000;

export interface ExportRequest {
  query: ExportQuery;
  format: ExportFormat;
}

type Get = (name: string) => string | null | undefined;

/** What a cursor is bound to: the rows it selects (not the format, which may change between pages). */
function fingerprint(q: ExportQuery): string {
  const key = JSON.stringify([q.site ?? null, q.type ?? null, q.from ?? null, q.to ?? null]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}

/** The opaque cursor that resumes after the row with key `last`, for the same selection. */
export function encodeCursor(query: ExportQuery, last: string): string {
  return Buffer.from(JSON.stringify({ k: last, f: fingerprint(query) })).toString('base64url');
}

function decodeCursor(query: ExportQuery, text: string): string {
  let parsed: { k?: unknown; f?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = {};
  }
  if (typeof parsed?.k !== 'string' || !/^\d{1,19}$/.test(parsed.k))
    throw new ParamError('cursor', 'is not a cursor this collector made: pass the Tillit-Cursor of an earlier export as it was');
  if (parsed.f !== fingerprint(query))
    throw new ParamError('cursor', 'was made for other from, to, type or site values: repeat those as they were');
  return parsed.k;
}

/**
 * Reads the export's parameters; `names` lists what the caller sent, so an unknown one is refused by name.
 * `sites` are the configured site names.
 */
export function parseExportParams(get: Get, names: Iterable<string>, sites: readonly string[]): ExportRequest {
  for (const name of names) {
    if (!(EXPORT_PARAMS as readonly string[]).includes(name))
      throw new ParamError(name, `is not a parameter of the export (it takes ${EXPORT_PARAMS.join(', ')})`);
  }
  const text = (name: string) => {
    const value = get(name);
    return value === null || value === undefined ? undefined : value;
  };
  const query: ExportQuery = {};
  const from = text('from');
  const to = text('to');
  const type = text('type');
  const site = text('site');
  const limit = text('limit');
  if (from !== undefined) query.from = date('from', from);
  if (to !== undefined) query.to = date('to', to);
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to)
    throw new ParamError('to', 'must be after from');
  if (type !== undefined) query.type = oneOf('type', type, EventType.options);
  if (site !== undefined) query.site = oneOf('site', site, sites);
  if (limit !== undefined) {
    const n = number('limit', limit, 1, MAX_EXPORT_LIMIT);
    if (!Number.isInteger(n)) throw new ParamError('limit', `must be a whole number, got "${limit.slice(0, 40)}"`);
    query.limit = n;
  }
  const cursor = text('cursor');
  if (cursor !== undefined) query.after = decodeCursor(query, cursor);
  return { query, format: oneOf('format', text('format') ?? 'ndjson', EXPORT_FORMATS) };
}
