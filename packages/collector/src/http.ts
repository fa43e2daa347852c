import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';

/** Every non-2xx answer is one of these, turned into JSON `{error, reason, ...}` in one place. */
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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: error.error, reason: error.reason, ...error.extra }, error.headers);
}

// RudderStack's Node client posts its gzip JSON as application/x-www-form-urlencoded (axios's default
// for a Buffer); like text/plain it needs no preflight, so accepting it opens nothing new.
const JSON_TYPES = new Set(['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']);

/**
 * Reads a JSON body of at most `limit` bytes (after gunzip). Browsers send `text/plain` so that
 * beacons and keepalive fetches need no CORS preflight; server clients send `application/json`.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_TYPES.has(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `content-type ${type} is not accepted: send JSON as application/json or text/plain`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new HttpError(415, 'unsupported_encoding', `content-encoding ${encoding} is not accepted: send identity or gzip`);
  }
  const source = encoding === 'gzip' ? req.pipe(createGunzip()) : req;
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
  const text = Buffer.concat(chunks, size).toString('utf8');
  if (!text) throw new HttpError(400, 'bad_request', 'the body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'bad_request', `the body is not valid JSON: ${(error as Error).message}`);
  }
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
