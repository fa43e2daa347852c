/**
 * The bulk export's three formats, each an encoder from rows to byte chunks that holds one chunk (NDJSON,
 * CSV) or one Parquet row group at a time: the consumer pulls, so a slow reader slows the database read.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { csvCell } from './csv.js';
import type { EventRow } from './store.js';

export const EXPORT_FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** Columns of every format, in order; `payload` is the event as stored (JSON). */
export const EXPORT_COLUMNS = [
  'messageId',
  'site',
  'type',
  'event',
  'anonymousId',
  'userId',
  'timestamp',
  'receivedAt',
  'payload',
];
/** Bytes gathered before a chunk is handed on: fewer, larger writes to the socket. */
const CHUNK_BYTES = 64 * 1024;
/**
 * Rows per Parquet row group: a group is held in memory while it is encoded (~90 MB of RSS above NDJSON
 * with 1 KB events: bench/REPORT.md). Fewer rows per group cost less memory and compress a little worse.
 */
export const PARQUET_ROW_GROUP = 10_000;

const iso = (ms: number) => new Date(ms).toISOString();

async function* chunked(rows: AsyncIterable<EventRow>, line: (row: EventRow) => string, head = ''): AsyncIterable<Buffer> {
  let text = head;
  for await (const row of rows) {
    text += line(row);
    if (text.length >= CHUNK_BYTES) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (text) yield Buffer.from(text);
}

/** One JSON object a line; the stored payload is spliced in as it is (valid JSON, checked at ingest). */
const ndjsonLine = (r: EventRow) =>
  `{"messageId":${JSON.stringify(r.messageId)},"site":${JSON.stringify(r.site)},"type":${JSON.stringify(r.type)},` +
  `"event":${JSON.stringify(r.event)},"anonymousId":${JSON.stringify(r.anonymousId)},"userId":${JSON.stringify(r.userId)},` +
  `"timestamp":"${iso(r.timestamp)}","receivedAt":"${iso(r.receivedAt)}","payload":${r.payload}}\n`;

/** RFC 4180 with the subject export's formula neutralisation (csv.ts: one implementation). */
const csvLine = (r: EventRow) =>
  `${[r.messageId, r.site, r.type, r.event, r.anonymousId, r.userId, iso(r.timestamp), iso(r.receivedAt), r.payload]
    .map(csvCell)
    .join(',')}\r\n`;

const utf8 = (name: string, required: boolean) => ({
  name,
  type: 'BYTE_ARRAY' as const,
  converted_type: 'UTF8' as const,
  repetition_type: required ? ('REQUIRED' as const) : ('OPTIONAL' as const),
});
const millis = (name: string) => ({
  name,
  type: 'INT64' as const,
  converted_type: 'TIMESTAMP_MILLIS' as const,
  repetition_type: 'REQUIRED' as const,
});
const PARQUET_SCHEMA = [
  { name: 'root', num_children: EXPORT_COLUMNS.length },
  utf8('messageId', true),
  utf8('site', true),
  utf8('type', true),
  utf8('event', false),
  utf8('anonymousId', false),
  utf8('userId', false),
  millis('timestamp'),
  millis('receivedAt'),
  // UTF8, not JSON: the writer would encode a string again as a JSON string. DuckDB reads it with json_extract.
  utf8('payload', true),
];

/** Parquet through hyparquet-writer: one row group per PARQUET_ROW_GROUP rows, written out as soon as it is full. */
async function* parquet(rows: AsyncIterable<EventRow>, rowGroup: number): AsyncIterable<Buffer> {
  const writer = new ByteWriter(1 << 20);
  const file = new ParquetWriter({ writer, schema: PARQUET_SCHEMA, createdBy: 'tillit-collector' });
  const take = () => {
    const bytes = Buffer.from(writer.getBytes());
    writer.index = 0; // offset (the file position) keeps counting
    return bytes;
  };
  let columns: unknown[][] = EXPORT_COLUMNS.map(() => []);
  const flush = () => {
    file.write({
      columnData: EXPORT_COLUMNS.map((name, i) => ({ name, data: columns[i]! })),
      rowGroupSize: columns[0]!.length,
    });
    columns = EXPORT_COLUMNS.map(() => []);
  };
  yield take(); // the magic bytes: the response starts at once
  for await (const r of rows) {
    const values = [r.messageId, r.site, r.type, r.event, r.anonymousId, r.userId, r.timestamp, r.receivedAt, r.payload];
    for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
    if (columns[0]!.length === rowGroup) {
      flush();
      yield take();
    }
  }
  if (columns[0]!.length) flush();
  file.finish();
  yield take();
}

/** The rows encoded in `format`, chunk by chunk. */
export function encodeExport(
  format: ExportFormat,
  rows: AsyncIterable<EventRow>,
  options: { rowGroup?: number } = {},
): AsyncIterable<Buffer> {
  if (format === 'parquet') return parquet(rows, options.rowGroup ?? PARQUET_ROW_GROUP);
  if (format === 'csv') return chunked(rows, csvLine, `${EXPORT_COLUMNS.join(',')}\r\n`);
  return chunked(rows, ndjsonLine);
}
