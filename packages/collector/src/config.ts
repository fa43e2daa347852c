import { readFileSync } from 'node:fs';
import { ProcessingRegister, Purpose } from '@tillit/schema';
import { z } from 'zod';
import { DestinationConfig, OutboxConfig } from './destinations/config.js';

const Origin = z
  .string()
  .regex(
    /^https?:\/\/[^/\s]+$/,
    'must be an origin like https://shop.example (scheme, host, optional port; no path or trailing slash)',
  );

export const SiteConfig = z.object({
  /** Shown in logs and answers; the write key is the secret. */
  name: z.string().min(1),
  /** Sent by browsers in the body and by server clients as the HTTP Basic user name. */
  writeKey: z.string().min(8, 'must be at least 8 characters'),
  /** Origins whose pages may send with this key (CORS allowlist). Server-side clients send no Origin. */
  origins: z.array(Origin).default([]),
  /**
   * HMAC-SHA256 keys with which the site's backend signs data-subject tokens for logged-in users
   * (`mintToken()`, `tillit-collector token`). Several keys let you rotate: sign with the new one, remove the old later.
   */
  tokenKeys: z.array(z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)')).default([]),
  /**
   * Secret write keys for the site's backend (never a page: a request with an Origin is refused). Events
   * and consent records sent with one are trusted: an `identify` or a record naming a user links the
   * browser to that user for data-subject access. Send as the HTTP Basic user name or `writeKey`.
   */
  serverKeys: z.array(z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)')).default([]),
  /**
   * Where the site's events are forwarded (webhook, GA4), each for one purpose: an event goes only where its
   * consent snapshot grants that purpose, and only after it is stored (README, "Destinations").
   */
  destinations: z.array(DestinationConfig).default([]),
  /**
   * The identity cookie (`POST /v1/identity`, the SDK's `serverCookie`): after consent the collector sets an
   * HttpOnly cookie holding the anonymous id, signed, so that a browser whose script-written storage was wiped
   * (Safari: after 7 days without a visit) gets its id back at its next decision. Only where the collector runs
   * on the site itself (e.g. collect.shop.example for shop.example): elsewhere browsers treat it as a
   * third-party cookie. Host-only unless `domain` names the site's registrable domain (then every
   * subdomain's server receives it too). @defaultValue false
   */
  serverCookie: z
    .union([
      z.boolean(),
      z.object({
        domain: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name like shop.example (no scheme, port or dot in front)')
          .optional(),
      }),
    ])
    .default(false),
});

/** A register that says what a default install does; every real site should state its own controller and authority. */
export const DEFAULT_REGISTER: ProcessingRegister = {
  controller: { name: 'The operator of this website', contact: 'See the privacy policy of the website' },
  purposes: [
    {
      purpose: 'analytics',
      description: 'Measuring how the website is used, to improve it',
      legalBasis: 'consent (GDPR Art. 6(1)(a))',
    },
    {
      purpose: 'necessary',
      description: 'Keeping proof of consent decisions and answering data-subject requests',
      legalBasis: 'legal obligation (GDPR Art. 6(1)(c), Art. 7(1))',
    },
  ],
  categories: [
    'pseudonymous browser identifier',
    'user id, when you are logged in',
    'pages viewed and events on the website',
    'browser and page context (user agent, language, referrer, truncated IP address)',
    'consent decisions',
  ],
  recipients: ['Nobody outside the controller: the data is stored on a server the controller runs'],
  transfers: [],
  rights: [
    'access (Art. 15)',
    'rectification (Art. 16)',
    'erasure (Art. 17)',
    'restriction (Art. 18)',
    'data portability (Art. 20)',
    'objection (Art. 21)',
    'withdrawal of consent at any time, as easily as it was given (Art. 7(3))',
    'lodging a complaint with a supervisory authority (Art. 77)',
  ],
  supervisoryAuthority: { name: 'Integritetsskyddsmyndigheten (IMY), Sweden', url: 'https://www.imy.se' },
  source: 'Collected from your browser by this website, with your consent',
  automatedDecisions: 'None: no decision with legal or similarly significant effects is made by automated means (Art. 22)',
};

/** Segment's consent categories (`context.consent.categoryPreferences`) and the purposes each grants. */
export const DEFAULT_CATEGORY_PURPOSES: Record<string, string[]> = {
  analytics: ['analytics'],
  advertising: ['marketing'],
  marketing: ['marketing'],
  personalization: ['personalization'],
  functional: ['personalization'],
};

/** Category names are matched case-insensitively: stored lower-case. */
const CategoryPurposes = z
  .record(z.string().min(1), z.array(Purpose))
  .transform((table) =>
    Object.fromEntries(Object.entries(table).map(([category, purposes]) => [category.toLowerCase(), purposes])),
  );

/** PostgreSQL, for several collectors on one database: a `postgres://` URL, or an object with the URL and tuning. */
export const DatabaseConfig = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  z.object({
    url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
    /** Schema of the tables (made by `migrate` if missing). */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
      .default('public'),
    /** Connections per collector process. */
    poolMax: z.number().int().min(1).max(100).default(10),
    /** PostgreSQL cancels a statement that runs longer. */
    statementTimeoutMs: z.number().int().min(100).default(15_000),
    /** TLS to a managed database, beside the URL's sslmode: its CA certificate file, and whether to verify it. */
    tls: z.object({ caFile: z.string().optional(), rejectUnauthorized: z.boolean().default(true) }).optional(),
  }),
);

export const CollectorConfig = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8787),
    /** Where the SQLite database lives (the default store). */
    dataDir: z.string().min(1).default('./data'),
    /** PostgreSQL instead of SQLite (TILLIT_DATABASE_URL); every collector on it needs the same serverKey. */
    database: DatabaseConfig.optional(),
    sites: z.array(SiteConfig).min(1, 'configure at least one site with a write key'),
    /** The client IP is never stored whole: dropped, or truncated to /24 (IPv4) and /48 (IPv6). */
    clientIp: z.enum(['drop', 'truncate']).default('truncate'),
    /**
     * The collector's own origin as browsers reach it (e.g. https://collect.shop.example), for its /privacy
     * page. The origin it listens on (http://host:port) is allowed too; the Host header never is (DNS rebinding).
     */
    publicOrigin: Origin.optional(),
    /**
     * Behind proxies you run: take the client's address from X-Forwarded-For, the entry the nearest trusted
     * proxy appended (the rightmost; with `n` proxies in a chain, the n-th from the right). Entries further
     * left are written by the client and never read. `true` means one proxy.
     */
    trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10)]).default(false),
    /**
     * `full` fsyncs every group commit, so an answered event survives power loss; `normal` survives
     * a process crash (kill -9) but may lose the last commits on power loss, and ingests faster.
     */
    durability: z.enum(['full', 'normal']).default('full'),
    /**
     * SQLite: commit events on a worker thread of their own (the second core), while the request thread
     * parses and validates the next ones. `false` commits them on the request thread (one core, or to compare).
     */
    writerThread: z.boolean().default(true),
    /** Events older than this many days are deleted (at start and every hour), and the Art. 15 answer says so. */
    retentionDays: z.number().int().min(1).default(395),
    /** Least level of the JSON log on stdout (`silent` for none). No personal data is logged at any level. */
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** Bearer token of the operator API (Art. 30 register, offline requests, audit log, /metrics). Without it that API is off. */
    operatorToken: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional(),
    /**
     * Key of the keyed hashes (audit log, suppression list, pseudonymised consent records) and of portal tokens.
     * Without it one is made once and kept in dataDir/tillit-secret.key (back it up with the database).
     */
    serverKey: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * The erasure ledger (TILLIT_ERASURE_LEDGER): every erasure's keyed hashes, kept outside the database and
     * re-applied at start, so that restoring a backup does not bring back people erased since. Keep it out of
     * database restores (on PostgreSQL: on each collector's own persistent disk). @defaultValue dataDir/tillit-erasures.log
     */
    erasureLedger: z.string().min(1).optional(),
    /**
     * Purposes that events without a consent snapshot (sent by the site's backend, e.g. orders under a
     * contract, Art. 6(1)(b)) count for in the insights and go to destinations of. Empty: such events are left
     * out, and the answer says so. Needs `serverSideLegalBasis`.
     */
    serverSidePurposes: z.array(Purpose).default([]),
    /**
     * The legal basis of processing those events without a consent snapshot, e.g. `contract (GDPR Art. 6(1)(b))`:
     * the processing register (Art. 30) lists it with `serverSidePurposes`.
     */
    serverSideLegalBasis: z.string().min(1).optional(),
    /** Processing register (Art. 30), quoted in every access answer (Art. 15). */
    register: ProcessingRegister.default(DEFAULT_REGISTER),
    /**
     * Failed data-subject requests allowed per window: `max` per client address (IPv6 by /64), and `perSubject`
     * for one subject id from all addresses together. Past either, 429 until the window ends.
     */
    failureLimit: z
      .object({
        max: z.number().int().min(1).default(10),
        perSubject: z.number().int().min(1).default(100),
        windowSeconds: z.number().int().min(1).default(900),
      })
      .default({ max: 10, perSubject: 100, windowSeconds: 900 }),
    /**
     * Limits on connections, so slow or idle clients cannot exhaust the process's file descriptors. Keep
     * `max` below the fd limit (`ulimit -n`) with room for the database's files; behind a load balancer
     * that keeps idle connections open, set keepAliveSeconds above its idle timeout.
     */
    connections: z
      .object({
        /** Open connections at most; more are closed as they arrive. */
        max: z.number().int().min(1).default(800),
        /** A client must send all request headers within this. */
        headersTimeoutSeconds: z.number().int().min(1).default(10),
        /** …and the whole request, body included, within this. */
        requestTimeoutSeconds: z.number().int().min(1).default(30),
        /** An idle keep-alive connection is closed after this. */
        keepAliveSeconds: z.number().int().min(1).default(5),
        /** Requests on one keep-alive connection before it is closed (0: no limit). */
        maxRequestsPerConnection: z.number().int().min(0).default(1000),
      })
      .refine((c) => c.headersTimeoutSeconds <= c.requestTimeoutSeconds, {
        message: 'headersTimeoutSeconds must not exceed requestTimeoutSeconds',
      })
      .default({
        max: 800,
        headersTimeoutSeconds: 10,
        requestTimeoutSeconds: 30,
        keepAliveSeconds: 5,
        maxRequestsPerConnection: 1000,
      }),
    /** Minutes a portal token (made from a subject secret for the /privacy page) stays valid. */
    portalTokenMinutes: z.number().int().min(1).max(60).default(15),
    /**
     * How Segment's consent categories map to purposes: a granted category grants its purposes, and an
     * event's purposes are the union with any it names itself. Unlisted categories grant nothing.
     */
    categoryPurposes: CategoryPurposes.default(DEFAULT_CATEGORY_PURPOSES),
    /** How the destinations' outbox delivers (batch size, concurrency, timeout, backoff, dead letters). */
    outbox: OutboxConfig,
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    for (const [i, site] of config.sites.entries()) {
      for (const [j, d] of site.destinations.entries()) {
        if (seen.has(d.name)) {
          const message = `${d.name} is used twice: destination names are unique across sites`;
          ctx.addIssue({ code: 'custom', path: ['sites', i, 'destinations', j, 'name'], message });
        }
        seen.add(d.name);
      }
    }
  })
  .refine((config) => !config.serverSidePurposes.length || config.serverSideLegalBasis, {
    path: ['serverSideLegalBasis'],
    message:
      'required with serverSidePurposes: the legal basis of events your backend sends without a consent snapshot (e.g. "contract (GDPR Art. 6(1)(b))"), for the processing register (Art. 30)',
  })
  .refine((config) => !config.database || config.serverKey, {
    path: ['serverKey'],
    message: 'required with database: every collector on one database must hash ids with the same key (TILLIT_SERVER_KEY)',
  });

export type SiteConfig = z.infer<typeof SiteConfig>;
export type DatabaseConfig = z.infer<typeof DatabaseConfig>;
export type CollectorConfig = z.infer<typeof CollectorConfig>;
export type CollectorConfigInput = z.input<typeof CollectorConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a config object; the error names every wrong field. */
export function parseConfig(input: unknown): CollectorConfig {
  const result = CollectorConfig.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`[tillit-collector] invalid configuration:\n${lines.join('\n')}`);
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Reads the config file named by `--config` or TILLIT_CONFIG (JSON), then lets environment variables
 * override single fields: TILLIT_HOST, TILLIT_PORT, TILLIT_DATA_DIR, TILLIT_DATABASE_URL, TILLIT_CLIENT_IP, TILLIT_DURABILITY,
 * TILLIT_WRITER_THREAD (on|off),
 * TILLIT_RETENTION_DAYS, TILLIT_OPERATOR_TOKEN, TILLIT_SERVER_KEY, TILLIT_PUBLIC_ORIGIN, and TILLIT_WRITE_KEY + TILLIT_ORIGINS
 * (comma list) + TILLIT_TOKEN_KEYS (comma list) for a one-site setup.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = env.TILLIT_CONFIG): CollectorConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`[tillit-collector] cannot read the config file ${file}: ${(error as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`[tillit-collector] the config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (env.TILLIT_HOST) raw.host = env.TILLIT_HOST;
  if (env.TILLIT_PORT) raw.port = env.TILLIT_PORT;
  if (env.TILLIT_DATA_DIR) raw.dataDir = env.TILLIT_DATA_DIR;
  if (env.TILLIT_DATABASE_URL) {
    // Keeps the file's tuning (pool, TLS) when the URL comes from the environment.
    const fromFile = typeof raw.database === 'object' ? raw.database : {};
    raw.database = { ...fromFile, url: env.TILLIT_DATABASE_URL };
  }
  if (env.TILLIT_CLIENT_IP) raw.clientIp = env.TILLIT_CLIENT_IP;
  if (env.TILLIT_DURABILITY) raw.durability = env.TILLIT_DURABILITY;
  // on | off; anything else is passed on as it is, so the config check names it.
  const writer = env.TILLIT_WRITER_THREAD;
  if (writer) raw.writerThread = writer === 'on' ? true : writer === 'off' ? false : writer;
  if (env.TILLIT_RETENTION_DAYS) raw.retentionDays = Number(env.TILLIT_RETENTION_DAYS);
  if (env.TILLIT_LOG_LEVEL) raw.logLevel = env.TILLIT_LOG_LEVEL;
  if (env.TILLIT_OPERATOR_TOKEN) raw.operatorToken = env.TILLIT_OPERATOR_TOKEN;
  if (env.TILLIT_SERVER_KEY) raw.serverKey = env.TILLIT_SERVER_KEY;
  if (env.TILLIT_ERASURE_LEDGER) raw.erasureLedger = env.TILLIT_ERASURE_LEDGER;
  if (env.TILLIT_PUBLIC_ORIGIN) raw.publicOrigin = env.TILLIT_PUBLIC_ORIGIN;
  if (env.TILLIT_WRITE_KEY) {
    raw.sites = [
      {
        name: env.TILLIT_SITE_NAME ?? 'default',
        writeKey: env.TILLIT_WRITE_KEY,
        origins: list(env.TILLIT_ORIGINS ?? ''),
        ...(env.TILLIT_TOKEN_KEYS ? { tokenKeys: list(env.TILLIT_TOKEN_KEYS) } : {}),
      },
    ];
  }
  return parseConfig(raw);
}
