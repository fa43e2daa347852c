import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchEnvelope, type BatchResponse, ConsentRecord, type EventType, LIMITS, describeIssues } from '@tillit/schema';
import { keyedHasher, loadServerKey, sha256Hex } from './auth.js';
import {
  BATCH_ROUTE_ALIASES,
  CLIENT_REQUEST_HEADERS,
  SINGLE_EVENT_ROUTES,
  anonymousIdHeader,
  singleEventAnswer,
  singleEventEnvelope,
} from './compat.js';
import { type CollectorConfig, type CollectorConfigInput, type SiteConfig, parseConfig } from './config.js';
import { createDsrRoutes } from './dsr.js';
import { HttpError, basicAuthUser, readJson, sendError, sendJson } from './http.js';
import { prepareBatch } from './ingest.js';
import { truncateIp } from './ip.js';
import { sendPortalBundle, sendPortalPage } from './portal-page.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import { SuppressionList } from './suppression.js';

export interface Collector {
  readonly config: CollectorConfig;
  readonly store: Store;
  readonly server: Server;
  /** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:8787`. */
  listen(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish, then commits and closes the database. */
  close(): Promise<void>;
  /** Deletes events older than `retentionDays` now (also done at start and every hour). */
  purgeExpired(): Promise<{ events: number; identityLinks: number }>;
}

export interface CollectorOptions {
  /** A store to use instead of SQLite under `config.dataDir`. */
  store?: Store;
}

type Handler = (req: IncomingMessage, res: ServerResponse, site: SiteResolver) => Promise<void>;
type SiteResolver = (bodyWriteKey: string | undefined) => SiteConfig;

// Defined by the build; absent when the sources run unbundled (Playwright's loader).
const VERSION = typeof __TILLIT_VERSION__ === 'string' ? __TILLIT_VERSION__ : '0.0.0-dev';
const CORS_METHODS = 'GET, POST, DELETE, OPTIONS';
const CORS_HEADERS = ['Content-Type', ...CLIENT_REQUEST_HEADERS].join(', ');
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The route's handler for this method (else 405 with Allow), once the origin is known to be allowed (else 403). */
function allowedHandler<H>(
  methods: Partial<Record<string, H>>,
  method: string | undefined,
  path: string,
  origin: string | undefined,
  originAllowed: boolean,
): H {
  const handler = methods[method ?? ''];
  if (!handler) {
    throw new HttpError(
      405,
      'method_not_allowed',
      `${method} is not allowed on ${path}`,
      {},
      { Allow: Object.keys(methods).join(', ') },
    );
  }
  if (origin !== undefined && !originAllowed) {
    throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not in the allowlist`);
  }
  return handler;
}

export function createCollector(input: CollectorConfigInput | CollectorConfig, options: CollectorOptions = {}): Collector {
  const config = parseConfig(input);
  const store = options.store ?? new SqliteStore({ dataDir: config.dataDir, durability: config.durability });
  const sitesByKey = new Map(config.sites.map((site) => [site.writeKey, site]));
  const allowedOrigins = new Set(config.sites.flatMap((site) => site.origins));
  const serverKey = loadServerKey(config.serverKey, config.dataDir);
  const hashOf = keyedHasher(serverKey);
  const suppression = new SuppressionList(hashOf);

  /** The whole address, for the failure rate limit only (memory, never stored). */
  function clientAddress(req: IncomingMessage): string {
    const forwarded = config.trustProxy
      ? String(req.headers['x-forwarded-for'] ?? '')
          .split(',')[0]
          ?.trim()
      : '';
    return forwarded || req.socket.remoteAddress || 'unknown';
  }

  /** The address as it may be stored: truncated, or none at all. */
  function clientIp(req: IncomingMessage): string | undefined {
    return config.clientIp === 'drop' ? undefined : truncateIp(clientAddress(req));
  }

  /** Stores the events of a request; `toEnvelope` brings another client's body to the batch form. */
  async function ingest(
    req: IncomingMessage,
    resolveSite: SiteResolver,
    toEnvelope: (body: unknown) => unknown = (body) => body,
  ): Promise<BatchResponse> {
    const receivedAt = Date.now();
    const body = toEnvelope(await readJson(req, LIMITS.maxBatchBytes));
    const envelope = BatchEnvelope.safeParse(body);
    if (!envelope.success) {
      throw new HttpError(400, 'bad_request', `not a batch: ${describeIssues(envelope.error)}`);
    }
    const { batch, sentAt, writeKey } = envelope.data;
    const site = resolveSite(writeKey);
    if (batch.length > LIMITS.maxBatchEvents) {
      throw new HttpError(
        413,
        'payload_too_large',
        `the batch has ${batch.length} events, over the limit of ${LIMITS.maxBatchEvents}: split it`,
        {
          limit: LIMITS.maxBatchEvents,
        },
      );
    }
    const prepared = prepareBatch(batch, {
      site: site.name,
      receivedAt,
      sentAt,
      ip: clientIp(req),
      clientIp: config.clientIp,
      categoryPurposes: config.categoryPurposes,
      anonymousId: anonymousIdHeader(req),
    });
    const suppressed = suppression.filter(prepared.rows);
    let inserted: boolean[];
    try {
      inserted = await store.insertEvents(prepared.rows);
    } catch (error) {
      console.error(`[tillit-collector] storing a batch failed: ${(error as Error).message}`);
      throw new HttpError(503, 'unavailable', 'the events could not be stored now; retry later', {}, { 'Retry-After': '1' });
    }
    const accepted = inserted.filter(Boolean).length;
    // Events of erased subjects count as duplicates: the client deletes them from its queue, and they
    // are not stored (suppressed, removed from prepared.rows above).
    return { accepted, duplicates: inserted.length - accepted + suppressed, rejected: prepared.rejected };
  }

  const ingestBatch: Handler = async (req, res, resolveSite) => sendJson(res, 200, await ingest(req, resolveSite));
  const ingestSingleEvent =
    (path: string, type: EventType): Handler =>
    async (req, res, resolveSite) => {
      const answer = await ingest(req, resolveSite, (body) => singleEventEnvelope(body, path, type));
      sendJson(res, 200, singleEventAnswer(answer));
    };

  const appendConsent: Handler = async (req, res, resolveSite) => {
    const body = await readJson(req, LIMITS.maxConsentBytes);
    const parsed = ConsentRecord.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'bad_request', `not a consent record: ${describeIssues(parsed.error)}`);
    const record = parsed.data;
    const site = resolveSite(record.writeKey);
    const receiptId = randomUUID();
    const secretHash = record.secret && record.anonymousId ? sha256Hex(record.secret) : null;
    const row = {
      receiptId,
      recordId: record.recordId ?? null,
      site: site.name,
      anonymousId: record.anonymousId,
      userId: record.userId ?? null,
      purposes: JSON.stringify(record.purposes),
      policyVersion: record.policyVersion,
      source: record.source,
      textHash: record.textHash ?? null,
      decidedAt: record.timestamp,
      receivedAt: Date.now(),
      locale: record.locale ?? null,
      url: record.url ?? null,
    };
    // A late decision for an erased id (another tab, a retry) is kept as proof under the keyed hash only.
    const storedReceipt =
      record.anonymousId && suppression.isAnonymousSuppressed(site.name, record.anonymousId)
        ? await store.appendPseudonymousConsent(row, hashOf(site.name, 'anonymous', record.anonymousId))
        : await store.appendConsent(row, secretHash);
    sendJson(res, 201, { receiptId: storedReceipt });
  };

  const routes: Record<string, Partial<Record<string, Handler>>> = {
    '/v1/batch': { POST: ingestBatch },
    ...Object.fromEntries(BATCH_ROUTE_ALIASES.map((path) => [path, { POST: ingestBatch }])),
    ...Object.fromEntries(
      Object.entries(SINGLE_EVENT_ROUTES).map(([path, type]) => [path, { POST: ingestSingleEvent(path, type) }]),
    ),
    '/v1/consent': { POST: appendConsent },
    '/privacy': { GET: async (_req, res) => sendPortalPage(res) },
    '/privacy/tillit-portal.js': { GET: async (_req, res) => sendPortalBundle(res) },
  };
  const patternRoutes = createDsrRoutes({ config, store, serverKey, suppression, clientAddress });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const origin = req.headers.origin;
    // The collector's own /privacy page calls the API from the collector's origin (checked last: ingest
    // requests come from listed origins).
    const originAllowed =
      origin !== undefined && (allowedOrigins.has(origin) || origin.replace(/^https?:\/\//, '') === req.headers.host);
    if (originAllowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      // Pages must read Retry-After on 429/503 to wait as long as asked.
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Content-Disposition');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (!originAllowed) throw new HttpError(403, 'origin_not_allowed', `origin ${origin ?? '(none)'} is not in the allowlist`);
      res.writeHead(204, {
        'Access-Control-Allow-Methods': CORS_METHODS,
        'Access-Control-Allow-Headers': CORS_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (path === '/healthz' && req.method === 'GET') {
      sendJson(res, 200, { status: 'ok', version: VERSION });
      return;
    }
    const route = routes[path];
    if (!route) {
      await handlePattern(req, res, path, origin, originAllowed);
      return;
    }
    const handler = allowedHandler(route, req.method, path, origin, originAllowed);
    const resolveSite: SiteResolver = (bodyWriteKey) => {
      // RudderStack's beacons carry it in the query: sendBeacon cannot set a header.
      const writeKey =
        bodyWriteKey ??
        basicAuthUser(req.headers.authorization) ??
        new URL(req.url ?? '/', 'http://collector').searchParams.get('writeKey') ??
        undefined;
      if (!writeKey) {
        throw new HttpError(
          401,
          'unauthorized',
          'missing write key: send it as "writeKey" in the body, as the HTTP Basic user name or as ?writeKey=',
        );
      }
      const site = sitesByKey.get(writeKey);
      if (!site) throw new HttpError(401, 'unauthorized', 'unknown write key');
      if (origin !== undefined && !site.origins.includes(origin)) {
        throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not allowed for this write key`);
      }
      return site;
    };
    await handler(req, res, resolveSite);
  }

  async function handlePattern(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    origin: string | undefined,
    originAllowed: boolean,
  ): Promise<void> {
    for (const { pattern, methods } of patternRoutes) {
      const match = pattern.exec(path);
      if (!match) continue;
      const handler = allowedHandler(methods, req.method, path, origin, originAllowed);
      let params: string[];
      try {
        params = match.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        throw new HttpError(400, 'bad_request', `the path ${path} is not correctly percent-encoded`);
      }
      await handler(req, res, params, new URL(req.url ?? '/', 'http://collector'));
      return;
    }
    throw new HttpError(404, 'not_found', `no route ${path}`);
  }

  async function purgeExpired(): Promise<{ events: number; identityLinks: number }> {
    return store.deleteExpired(Date.now() - config.retentionDays * DAY_MS);
  }
  let retentionTimer: NodeJS.Timeout | undefined;

  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (error instanceof HttpError) {
          // The rest of a rejected body is not read: close the connection rather than drain it.
          if (!req.complete) res.setHeader('Connection', 'close');
          return sendError(res, error);
        }
        console.error('[tillit-collector] unexpected error:', error);
        sendError(res, new HttpError(500, 'internal', 'unexpected error; it has been logged'));
      })
      .finally(() => {
        if (--inFlight === 0) drained?.();
      });
  });
  server.keepAliveTimeout = 65_000;

  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    server,
    purgeExpired,
    listen: async () => {
      suppression.add(await store.loadSuppressions());
      await purgeExpired();
      retentionTimer ??= setInterval(() => {
        purgeExpired().catch((error: unknown) =>
          console.error(`[tillit-collector] retention failed: ${(error as Error).message}`),
        );
      }, RETENTION_INTERVAL_MS).unref();
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}`);
        });
      });
    },
    close: () => {
      clearInterval(retentionTimer);
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        server.closeAllConnections();
        await stopped;
        await store.close();
      })();
      return closing;
    },
  };
}
