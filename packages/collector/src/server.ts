import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DestinationStream } from 'pino';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { keyedHasher, loadServerKey } from './auth.js';
import { type CollectorConfig, type CollectorConfigInput, parseConfig } from './config.js';
import type { CollectorDeps, CollectorRoute } from './deps.js';
import { createOutboxWorker } from './destinations/index.js';
import { destinationRoutes } from './destinations/routes.js';
import type { OutboxWorker } from './destinations/worker.js';
import type { RawRequest, Reply } from './http.js';
import { CLIENT_REQUEST_HEADERS } from './compat.js';
import { IdentityCookies } from './identity-cookie.js';
import { LiveEvents } from './live-events.js';
import { portalRoutes } from './portal-page.js';
import { redact } from './log-safe.js';
import { openStore } from './open-store.js';
import { createRouter } from './router.js';
import { compatRoutes } from './routes/compat.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { exportRoutes } from './routes/export.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes, observability, observeReplies } from './observe.js';
import { identityCookieRoutes } from './routes/identity-cookie.js';
import { identityRoutes } from './routes/identity.js';
import { ingestRoutes } from './routes/ingest.js';
import { insightsRoutes } from './routes/insights.js';
import { operatorRoutes } from './routes/operator.js';
import { subjectRoutes } from './routes/subject.js';
import { guardStore } from './storage-guard.js';
import type { Store } from './store.js';
import { SubjectAuth } from './subject-auth.js';
import { SuppressionList } from './suppression.js';
import { ErasureLedger, reapplyErasures } from './erasure-ledger.js';
import { join } from 'node:path';

export interface Collector {
  readonly config: CollectorConfig;
  readonly store: Store;
  readonly server: Server;
  /**
   * Answers one request in-process, with no socket: what the server does for a request that arrives over
   * HTTP. `remoteAddress` stands for the peer's address (default 127.0.0.1).
   *
   *   const res = await collector.handle(new Request('http://collector/healthz'));
   */
  handle(request: Request, options?: { remoteAddress?: string }): Promise<Response>;
  /** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:8787`. */
  listen(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish, then commits and closes the database. */
  close(): Promise<void>;
  /** Deletes events older than `retentionDays` now (also done at start and every hour). */
  purgeExpired(): Promise<{ events: number; identityLinks: number }>;
  /** Delivers the destinations' outbox; runs from `listen()` until `close()` (tests may drive `runOnce()`). */
  readonly outbox: OutboxWorker;
}

export interface CollectorOptions {
  /** A store to use instead of SQLite under `config.dataDir`. */
  store?: Store;
  /** Where the JSON log goes instead of stdout (tests capture it). */
  logDestination?: DestinationStream;
  /** The outbox worker's clock and jitter (tests move time instead of sleeping). */
  clock?: () => number;
  random?: () => number;
}

/** Every route of the collector, module by module; a new API is one more module here. */
const ROUTES: CollectorRoute[] = [
  ...healthRoutes,
  ...metricsRoutes,
  ...ingestRoutes,
  ...compatRoutes,
  ...subjectRoutes,
  ...identityRoutes,
  ...identityCookieRoutes,
  ...operatorRoutes,
  ...exportRoutes,
  ...insightsRoutes,
  ...destinationRoutes,
  ...portalRoutes,
  ...dashboardRoutes,
];

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the routes share (`c.env`), the raw store, and the log and metrics. */
function collectorDeps(config: CollectorConfig, options: CollectorOptions) {
  const serverKey = loadServerKey(config.serverKey, config.dataDir);
  const hashOf = keyedHasher(serverKey);
  const store = options.store ?? openStore(config, hashOf);
  const { log, metrics, storageHealth } = observability(config, store, options.logDestination);
  const guarded = guardStore(store, storageHealth);
  store.observeCommits((events) => metrics.groupCommitted(events));
  const outbox = createOutboxWorker({
    config,
    store: guarded,
    hashOf,
    registry: metrics.registry,
    log,
    now: options.clock ?? Date.now,
    random: options.random ?? Math.random,
  });
  const deps: CollectorDeps = {
    config,
    store: guarded,
    storageHealth,
    serverKey,
    hashOf,
    suppression: new SuppressionList(hashOf),
    ledger: new ErasureLedger(config.erasureLedger ?? join(config.dataDir, 'tillit-erasures.log')),
    auth: new SubjectAuth({ config, store: guarded, serverKey, hashOf }),
    identityCookies: new IdentityCookies(serverKey),
    metrics,
    live: new LiveEvents(),
    outbox,
  };
  return { deps, store, log, metrics, outbox };
}

export function createCollector(input: CollectorConfigInput | CollectorConfig, options: CollectorOptions = {}): Collector {
  const config = parseConfig(input);
  const { deps, store, log, metrics, outbox } = collectorDeps(config, options);
  // Configured origins only: the sites', and the collector's own for its /privacy page (publicOrigin, and the
  // address it listens on, added by listen()). Never derived from the Host header, which DNS rebinding sets.
  const allowedOrigins = new Set(config.sites.flatMap((site) => site.origins));
  if (config.publicOrigin) allowedOrigins.add(config.publicOrigin);
  const dispatch = createRouter(ROUTES, {
    env: deps,
    originAllowed: (origin) => allowedOrigins.has(origin),
    clientAddress: (req) => clientAddress(config, req),
    corsHeaders: CLIENT_REQUEST_HEADERS,
    onReply: observeReplies(log, metrics),
  });
  const purgeExpired = () => store.deleteExpired(Date.now() - config.retentionDays * DAY_MS);
  const start = startOnce(store, deps, purgeExpired);
  const requests = new InFlight();
  const server = createLimitedServer(config.connections, (req, res) => {
    void requests.track(async () => writeReply(req, res, await dispatch(fromNode(req)))).catch(() => res.destroy());
  });

  let retentionTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    server,
    purgeExpired,
    outbox,
    handle: (request, { remoteAddress = '127.0.0.1' } = {}) =>
      requests.track(async () => {
        await start();
        return toResponse(await dispatch(fromRequest(request, remoteAddress)));
      }),
    listen: async () => {
      await start();
      retentionTimer ??= setInterval(() => {
        purgeExpired().catch((error: unknown) =>
          console.error(`[tillit-collector] retention failed: ${redact((error as Error).message)}`),
        );
      }, RETENTION_INTERVAL_MS).unref();
      const url = await listen(server, config);
      allowedOrigins.add(url);
      outbox.start();
      return url;
    },
    close: () => {
      clearInterval(retentionTimer);
      closing ??= shutdown(server, requests, outbox, store);
      return closing;
    },
  };
}

/** The start-up work, run once before the first request (over HTTP or in-process). */
function startOnce(store: Store, deps: CollectorDeps, purgeExpired: () => Promise<unknown>): () => Promise<void> {
  let starting: Promise<void> | undefined;
  return () =>
    (starting ??= (async () => {
      // Erasures a restored backup lost are made again before anything is served (erasure-ledger.ts).
      await reapplyErasures(store, deps.ledger, deps.hashOf);
      // Suppressions must be in memory before the first event is ingested.
      deps.suppression.add(await store.loadSuppressions());
      await purgeExpired();
    })());
}

/** Stops taking connections, lets the requests in flight finish, then the outbox and the store. */
async function shutdown(server: Server, requests: InFlight, outbox: OutboxWorker, store: Store): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await requests.drained();
  server.closeAllConnections();
  await stopped;
  await outbox.stop();
  await store.close();
}

/** A node:http server that bounds its connections and how long a client may take (config.connections). */
function createLimitedServer(limits: CollectorConfig['connections'], listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutSeconds * 1000,
      requestTimeout: limits.requestTimeoutSeconds * 1000,
      // Node checks the two timeouts every 30 s by default: a slow client would then hold its socket that much longer.
      connectionsCheckingInterval: 1000,
    },
    listener,
  );
  server.maxConnections = limits.max;
  server.keepAliveTimeout = limits.keepAliveSeconds * 1000;
  server.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  return server;
}

/** Counts requests in flight, so that closing can wait for them. */
class InFlight {
  private count = 0;
  private onDrained: (() => void) | undefined;

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) this.onDrained?.();
    }
  }

  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => (this.onDrained = resolve));
  }
}

function listen(server: Server, config: CollectorConfig): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      resolve(`http://${host}:${port}`);
    });
  });
}

/**
 * The client's whole address (rate limits use it as it is; only a truncated form is ever stored). Behind
 * trusted proxies, the X-Forwarded-For entry the nearest one appended: entries left of it are the client's
 * own words.
 */
export function clientAddress(config: Pick<CollectorConfig, 'trustProxy'>, req: RawRequest): string {
  const hops = config.trustProxy === true ? 1 : config.trustProxy || 0;
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((e) => e.trim());
    const forwarded = entries.filter(Boolean).at(-hops);
    if (forwarded) return forwarded;
  }
  return req.remoteAddress || 'unknown';
}

function fromNode(req: IncomingMessage): RawRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    body: req,
    remoteAddress: req.socket.remoteAddress,
  };
}

/** Resolves when the reply is written (a stream: to its end; a client gone mid-stream rejects, ending the source). */
async function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
  // The rest of a rejected body is not read: close the connection rather than drain it.
  if (reply.status >= 400 && !req.complete) reply.headers.Connection = 'close';
  res.writeHead(reply.status, reply.headers);
  if (reply.body instanceof Readable) return pipeline(reply.body, res);
  res.end(reply.body ?? undefined);
}

function fromRequest(request: Request, remoteAddress: string): RawRequest {
  const url = new URL(request.url);
  const body = request.body ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>) : Readable.from([]);
  return {
    method: request.method,
    url: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    body,
    remoteAddress,
  };
}

function toResponse(reply: Reply): Response {
  const headers = Object.entries(reply.headers).map(([name, value]): [string, string] => [name, String(value)]);
  const { body: raw } = reply;
  const body =
    raw instanceof Readable
      ? (Readable.toWeb(raw) as ReadableStream<Uint8Array>)
      : typeof raw === 'string' || raw === null
        ? raw
        : new Uint8Array(raw);
  return new Response(body, { status: reply.status, headers });
}
