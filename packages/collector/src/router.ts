/**
 * One route table for the whole collector, Hono-like: every handler takes a `Context` and returns a
 * `Reply`; errors of every route go through one path into JSON `{error, reason, ...}`. Shared state
 * reaches handlers as `c.env` (Hono's name), so a route module is a plain array of routes.
 */
import { HttpError, type RawRequest, type Reply, errorReply, headerOf, readJson } from './http.js';

export interface Context<E = unknown> {
  /** What every handler shares (for the collector: its config, store, credentials). */
  readonly env: E;
  readonly req: RawRequest;
  readonly method: string;
  /** The path without the query, still percent-encoded. */
  readonly path: string;
  /** The route's `:name` segments, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The `Origin` header, when the request has one. */
  readonly origin: string | undefined;
  /** The client's address for rate limits (never stored): the socket's, or the trusted proxy's entry. */
  readonly clientAddress: string;
  header(name: string): string | undefined;
  /** A query parameter, or null. */
  query(name: string): string | null;
  /** The body as JSON, at most `limit` bytes. */
  json(limit: number): Promise<unknown>;
}

export type Handler<E = unknown> = (c: Context<E>) => Promise<Reply> | Reply;

export interface Route<E = unknown> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path with `:name` segments, e.g. `/v1/subjects/:id/export`. */
  path: string;
  handler: Handler<E>;
}

export interface RouterOptions<E> {
  env: E;
  /** Whether a page on this origin may call the collector (CORS). */
  originAllowed(origin: string): boolean;
  /** The client's address as the rate limits key it. */
  clientAddress(req: RawRequest): string;
  /** Request headers a page may send besides Content-Type (CORS preflight); default Authorization. */
  corsHeaders?: readonly string[];
  /** Called once per answer (metrics, access log): the matched route pattern, never the raw path with ids. */
  onReply?(answered: Answered): void;
}

export interface Answered {
  req: RawRequest;
  /** The route pattern, e.g. `/v1/subjects/:id`; null when no route matched. */
  route: string | null;
  reply: Reply;
  seconds: number;
  /** An error no handler expected (answered 500). */
  unexpected?: unknown;
}

const CORS_METHODS = 'GET, POST, DELETE, OPTIONS';
// Ids are at most 256 characters; a longer segment matches no route.
const PARAM = '([^/]{1,256})';

interface PathEntry<E> {
  path: string;
  names: string[];
  pattern: RegExp | null;
  methods: Map<string, Handler<E>>;
}

function compile<E>(routes: Route<E>[]): { exact: Map<string, PathEntry<E>>; patterns: PathEntry<E>[] } {
  const exact = new Map<string, PathEntry<E>>();
  const byPath = new Map<string, PathEntry<E>>();
  for (const route of routes) {
    let entry = byPath.get(route.path);
    if (!entry) {
      const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const source = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, PARAM);
      entry = { path: route.path, names, pattern: names.length ? new RegExp(`^${source}$`) : null, methods: new Map() };
      byPath.set(route.path, entry);
      if (!entry.pattern) exact.set(route.path, entry);
    }
    if (entry.methods.has(route.method)) throw new Error(`[tillit-collector] two routes for ${route.method} ${route.path}`);
    entry.methods.set(route.method, route.handler);
  }
  return { exact, patterns: [...byPath.values()].filter((e) => e.pattern) };
}

function decodeParams(names: string[], match: RegExpExecArray, path: string): Record<string, string> {
  const params: Record<string, string> = {};
  try {
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1]!);
    });
  } catch {
    throw new HttpError(400, 'bad_request', `the path ${path} is not correctly percent-encoded`);
  }
  return params;
}

/** Returns the dispatcher: request in, reply out; it never throws. */
export function createRouter<E>(routes: Route<E>[], options: RouterOptions<E>): (req: RawRequest) => Promise<Reply> {
  const { exact, patterns } = compile(routes);
  const corsHeaders = ['Content-Type', ...(options.corsHeaders ?? ['Authorization'])].join(', ');

  function find(path: string): { entry: PathEntry<E>; params: Record<string, string> } | null {
    const entry = exact.get(path);
    if (entry) return { entry, params: {} };
    for (const candidate of patterns) {
      const match = candidate.pattern!.exec(path);
      if (match) return { entry: candidate, params: decodeParams(candidate.names, match, path) };
    }
    return null;
  }

  async function route(
    req: RawRequest,
    path: string,
    origin: string | undefined,
    allowed: boolean,
    matched: { route: string | null },
  ): Promise<Reply> {
    if (req.method === 'OPTIONS') {
      if (!allowed) throw new HttpError(403, 'origin_not_allowed', `origin ${origin ?? '(none)'} is not in the allowlist`);
      return {
        status: 204,
        headers: {
          'Access-Control-Allow-Methods': CORS_METHODS,
          'Access-Control-Allow-Headers': corsHeaders,
          'Access-Control-Max-Age': '600',
        },
        body: null,
      };
    }
    const found = find(path);
    if (!found) throw new HttpError(404, 'not_found', `no route ${path}`);
    matched.route = found.entry.path;
    const handler = found.entry.methods.get(req.method);
    if (!handler) {
      const allow = [...found.entry.methods.keys()].join(', ');
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}`, {}, { Allow: allow });
    }
    if (origin !== undefined && !allowed) {
      throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not in the allowlist`);
    }
    return handler(context(req, path, origin, found.params, options));
  }

  return async (req) => {
    const path = req.url.split('?', 1)[0]!;
    const origin = headerOf(req.headers, 'origin');
    const allowed = origin !== undefined && options.originAllowed(origin);
    const started = performance.now();
    const matched: { route: string | null } = { route: null };
    let unexpected: unknown;
    let reply: Reply;
    try {
      reply = await route(req, path, origin, allowed, matched);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        unexpected = error;
        if (!options.onReply) console.error('[tillit-collector] unexpected error:', error);
      }
      reply = errorReply(
        error instanceof HttpError ? error : new HttpError(500, 'internal', 'unexpected error; it has been logged'),
      );
    }
    if (allowed) {
      reply.headers['Access-Control-Allow-Origin'] = origin!;
      // Pages must read Retry-After on 429/503 to wait as long as asked.
      reply.headers['Access-Control-Expose-Headers'] = 'Retry-After, Content-Disposition';
      reply.headers.Vary = 'Origin';
    }
    const seconds = (performance.now() - started) / 1000;
    options.onReply?.({ req, route: matched.route, reply, seconds, ...(unexpected === undefined ? {} : { unexpected }) });
    return reply;
  };
}

function context<E>(
  req: RawRequest,
  path: string,
  origin: string | undefined,
  params: Record<string, string>,
  options: RouterOptions<E>,
): Context<E> {
  let url: URL | undefined;
  let address: string | undefined;
  return {
    env: options.env,
    req,
    method: req.method,
    path,
    params,
    origin,
    get clientAddress() {
      address ??= options.clientAddress(req);
      return address;
    },
    header: (name) => headerOf(req.headers, name.toLowerCase()),
    query: (name) => {
      url ??= new URL(req.url, 'http://collector');
      return url.searchParams.get(name);
    },
    json: (limit) => readJson(req, limit),
  };
}
