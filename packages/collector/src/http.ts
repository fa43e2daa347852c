/**
 * The collector's HTTP vocabulary, the same for every route: a request as the router sees it, the
 * reply a handler returns, and the one error type that becomes JSON `{error, reason, ...}`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Every non-2xx answer is one of these, turned into JSON `{error, reason, ...}` in one place (the router). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(reason);
  }
}

/** A request as the router sees it, whether it came over a socket or in-process (`collector.handle`). */
export interface RawRequest {
  method: string;
  /** Path and query, e.g. `/v1/subjects/a%2Fb?format=csv`. */
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The peer's address (the socket's, or the one given to `handle`). */
  remoteAddress: string | undefined;
}

/** What a handler returns; the server writes it to the socket, `handle` turns it into a `Response`. */
export interface Reply {
  status: number;
  headers: Record<string, string | number>;
  /** A stream is piped with backpressure (the bulk export): it is read only as fast as the client takes it. */
  body: string | Buffer | Readable | null;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  const text = JSON.stringify(body);
  return {
    status,
    headers: {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    },
    body: text,
  };
}

export function errorReply(error: HttpError): Reply {
  return json(error.status, { error: error.error, reason: error.reason, ...error.extra }, error.headers);
}

/** The first value of a header (node:http joins most repeated headers already). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type of a request without parameters, lower-case ('' when none). */
export const mediaType = (headers: IncomingHttpHeaders): string =>
  (headerOf(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();

// RudderStack's Node client posts its gzip JSON as application/x-www-form-urlencoded (axios's default
// for a Buffer); like text/plain it needs no preflight, so accepting it opens nothing new.
const JSON_TYPES = new Set(['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']);

/**
 * Reads a JSON body of at most `limit` bytes (after gunzip). Browsers send `text/plain` so that
 * beacons and keepalive fetches need no CORS preflight; server clients send `application/json`.
 */
export async function readJson(req: RawRequest, limit: number): Promise<unknown> {
  const type = mediaType(req.headers);
  if (!JSON_TYPES.has(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `content-type ${type} is not accepted: send JSON as application/json or text/plain`,
    );
  }
  const declared = Number(headerOf(req.headers, 'content-length'));
  if (declared > limit) throw tooLarge(limit);
  const encoding = (headerOf(req.headers, 'content-encoding') ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new HttpError(415, 'unsupported_encoding', `content-encoding ${encoding} is not accepted: send identity or gzip`);
  }
  const source = encoding === 'gzip' ? req.body.pipe(createGunzip()) : req.body;
  const text = await readText(source, limit);
  if (!text) throw new HttpError(400, 'bad_request', 'the body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'bad_request', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

async function readText(source: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        source.destroy();
        throw tooLarge(limit);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'bad_request', `the body could not be read: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `the body is larger than ${limit} bytes: split it into smaller requests`, {
    limit,
  });
}

/** The user name of an HTTP Basic `Authorization` header: Segment's server clients send the write key there. */
export function basicAuthUser(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}
