/**
 * The SDK's public API. The banner and portal packages code against these types only
 * (`import type { Tillit } from '@tillit/sdk'`), never against SDK internals.
 */

/**
 * Who made a decision. The same union as the wire format's `ConsentSource` (checked at compile time in
 * consent-rules.ts), written out so that the published .d.ts needs no @tillit/schema (and no zod).
 */
export type ConsentSource = 'banner' | 'portal' | 'api' | 'gpc';

/** A purpose's answer, for every configured purpose. `necessary` is implied and never listed. */
export type PurposeChoices = Record<string, boolean>;

/** What the visitor decided. Stored as strictly necessary state (localStorage, optional cookie). */
export interface ConsentDecision {
  purposes: PurposeChoices;
  policyVersion: string;
  source: ConsentSource;
  /** ISO time of the decision. */
  decidedAt: string;
  /** The collector's receipt for this decision, once it has acknowledged it. */
  receiptId?: string;
}

export interface DecisionOptions {
  /** Who made the decision. @defaultValue 'api' */
  source?: ConsentSource;
  /** SHA-256 hex of the text the visitor saw (the banner computes it); kept in the consent log as proof. */
  textHash?: string;
}

export interface TillitConsent {
  /** The current decision, or `null` while the visitor has not decided (or it expired / the policy changed). */
  get(): ConsentDecision | null;
  /** True while a decision is needed: first visit, new policy version, expired decision. */
  needsDecision(): boolean;
  /** Whether a purpose is granted now (`necessary` always is). */
  isGranted(purpose: string): boolean;
  /** The configured purposes, in order, without `necessary`. */
  purposes(): string[];
  /** Records a decision; purposes not named are refused. Resolves once stored locally. */
  set(choices: PurposeChoices, options?: DecisionOptions): Promise<void>;
  acceptAll(options?: DecisionOptions): Promise<void>;
  rejectAll(options?: DecisionOptions): Promise<void>;
  /** Called after every change, including one made in another tab. Returns an unsubscribe function. */
  onChange(listener: (decision: ConsentDecision | null) => void): () => void;
}

export type ExportFormat = 'json' | 'csv';

export interface TillitPrivacy {
  /** Everything the collector holds about this visitor (Art. 15). */
  access(): Promise<unknown>;
  /** Downloads the visitor's data as a file (Art. 20). */
  export(format: ExportFormat): Promise<void>;
  /** Erases the visitor's data at the collector, then everything local (Art. 17). */
  erase(): Promise<{ receiptId: string }>;
  /** A short-lived token for the collector's standalone /privacy page, or null before consent. */
  portalUrl(): Promise<string | null>;
}

/** The options every event call takes (Segment's `options`). */
export interface CallOptions {
  /** Merged into the event's `context` (the SDK's `context.consent` is kept: it is the consent proof). */
  context?: Record<string, unknown>;
  /**
   * An anonymous id handed over from another of the site's domains: `setAnonymousId(id)` first, so that this
   * event and the later ones carry it. Segment sets it on the one event only; Tillit keeps one id per browser,
   * because the visitor's data-subject requests reach the data of that id.
   */
  anonymousId?: string;
  /** identify(): a token the site's backend signed for this user id, to prove the link (see `identify`). */
  userToken?: string;
}

/**
 * What became of a call's event: `queued` (in the queue, to be sent), `held` (the visitor has not decided:
 * kept in this page's memory, queued if its purpose is granted on this page), or `dropped`, with `reason`
 * (its purpose refused, a bad argument, the source middleware, over 32 KB).
 */
export interface CallResult {
  /** The event as queued, held or dropped; absent when the call itself was refused. */
  event?: Record<string, unknown>;
  status: 'queued' | 'held' | 'dropped';
  reason?: string;
}

/** Called with a call's result once it is known. */
export type Callback = (result: CallResult) => void;

/**
 * A source middleware, as Segment's analytics.js takes it: gets the event as `payload.obj` before it is
 * stored locally (after consent), and passes it on with `next(payload)` (changed, or not), or drops it by
 * calling `next(null)`. An async function may call `next` later; an event whose middleware never calls
 * `next` is never queued.
 */
export type SourceMiddleware = (input: {
  payload: { obj: Record<string, unknown> };
  next: (payload: { obj: Record<string, unknown> } | null) => void;
  integrations: Record<string, unknown>;
}) => void;

/** `tillit.user()`: the user as identify() left it (stored after consent only). */
export interface TillitUser {
  id(): string | null;
  anonymousId(): string | null;
  traits(): Record<string, unknown>;
}

type Properties = Record<string, unknown>;
type Name = string | number | null | undefined;

export interface Tillit {
  readonly version: string;
  readonly consent: TillitConsent;
  readonly privacy: TillitPrivacy;
  /**
   * Records a custom event. The event calls take analytics.js's forms: optional arguments may be left
   * out (a callback in any place after the names), and each returns a promise of its `CallResult` that
   * never rejects. Never throws, never blocks on storage or network.
   */
  track(event: string, properties?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  track(event: string, properties: Properties | undefined, callback: Callback): Promise<CallResult>;
  track(event: string, callback: Callback): Promise<CallResult>;
  /** Records a page view of the current page: `page(name?)` or `page(category, name)`, then properties. */
  page(category?: Name, name?: Name, properties?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  page(name: Name, properties?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  page(properties?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  page(callback: Callback): Promise<CallResult>;
  /** A screen view, page()'s forms (for apps in a web view). */
  screen(category?: Name, name?: Name, properties?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  screen(name: Name, properties?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  /**
   * Links the visitor to a known user id of the site (a number is sent as its string, as Segment does;
   * anything else but a string of 1 to 128 characters is refused). Without an id, the traits are the current
   * user's. Traits merge over the stored ones of the same user (a new user id starts afresh); the user id and
   * traits are stored (in the identity) only once something is granted. With `options.userToken`, a token the
   * site's backend signed for that user id (the collector's `mintToken`), the SDK also proves the link once
   * something is granted (once per anonymous id and user id), so that the user's token reaches this
   * browser's data.
   */
  identify(userId?: string | number | null, traits?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  identify(userId: string | number | null | undefined, traits: Properties | undefined, callback: Callback): Promise<CallResult>;
  identify(traits: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  identify(traits: Properties, callback: Callback): Promise<CallResult>;
  /** Puts the user in a group (account, company); its id and traits are kept as identify()'s are. */
  group(groupId?: string | number | null, traits?: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  group(traits: Properties, options?: CallOptions, callback?: Callback): Promise<CallResult>;
  /** Says that `userId` is the same person as `previousId` (default: the current user id, else the anonymous id). */
  alias(
    userId: string | number,
    previousId?: string | number | null,
    options?: CallOptions,
    callback?: Callback,
  ): Promise<CallResult>;
  /** Forgets the user id, traits and group (logout). Keeps the anonymous id and the consent decision. */
  reset(): void;
  /** The user as identify() left it. */
  user(): TillitUser;
  /** Calls `callback` once the SDK is ready (at once: it is ready when `window.tillit` is set); resolves after it. */
  ready(callback?: () => void): Promise<void>;
  /** Adds a source middleware (Segment's form): it sees every event before it is stored locally. */
  addSourceMiddleware(middleware: SourceMiddleware): void;
  /** The anonymous id, or `null` until something is granted. */
  anonymousId(): string | null;
  /**
   * Adopts an anonymous id handed over from another domain of the site (e.g. in a link the site
   * makes), so that both domains' events share it. Only after consent: before, it rejects and nothing
   * changes. The id must be a string of 1 to 128 characters, else it rejects naming what it got. The
   * subject secret stays this browser's own (it is never handed over): data-subject requests from
   * here reach the id's data only if this browser was the first to give consent under it.
   */
  setAnonymousId(id: string): Promise<void>;
  /** Sends what is queued now; resolves when the attempt ends. */
  flush(): Promise<void>;
}

/** A `localStorage`-like store; injectable for tests and for hosts without `localStorage`. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface TillitConfig {
  /** Base URL of the collector, e.g. `https://collect.example.com`. */
  collectorUrl: string;
  /** The site's write key; sent in every request body. */
  writeKey: string;
  /** Version of the privacy policy the visitor decides on. A new version makes the visitor undecided again. */
  policyVersion: string;
  /** Purposes to ask for, in order (`necessary` is implied). @defaultValue ['analytics', 'marketing', 'personalization'] */
  purposes?: string[];
  /** Purposes denied while the browser sends Global Privacy Control and the visitor has not granted them. @defaultValue ['marketing'] */
  gpcPurposes?: string[];
  /** The purpose of an event, by event name; unnamed events (and page views, identify) serve `analytics`. */
  eventPurposes?: Record<string, string>;
  /** Days a decision (acceptance or refusal) is remembered. @defaultValue 182 */
  consentMaxAgeDays?: number;
  /** Also keep the decision in a first-party cookie `tillit_consent` (readable by the site's server). @defaultValue false */
  consentCookie?: boolean | { domain?: string };
  /**
   * The site's registrable domain (e.g. `example.com`): after consent, the anonymous id is also kept in
   * the first-party cookie `tillit_aid` on it (SameSite=Lax, Secure on https, as long as the decision
   * lives), so that the site's subdomains share one id; a subdomain with no id of its own adopts it.
   * Deleted on withdrawal and on erasure. The decision cookie (`consentCookie: true`) goes on this
   * domain too. The subject secret never goes into a cookie. @defaultValue undefined (no cookie)
   */
  cookieDomain?: string;
  /**
   * The collector's identity cookie (its site config must enable `serverCookie` too; the collector must run
   * on the site, e.g. `collect.shop.example`): after consent the collector sets the HttpOnly cookie
   * `__Host-tillit_aid` with the anonymous id, signed. A browser whose script-written storage was deleted (Safari
   * does so after 7 days without a visit) gets its id back at its next decision, and the collector binds the
   * browser's new subject secret to it. Deleted on withdrawal and on erasure. @defaultValue false
   */
  serverCookie?: boolean;
  /** Send a page view now and on every history navigation (SPAs). @defaultValue false */
  autoPageViews?: boolean;
  /** Query parameters removed from every URL before it is stored. @defaultValue DEFAULT_URL_DENYLIST */
  urlDenylist?: string[];
  /** Log what the SDK does, and why it dropped something, to the console. @defaultValue false */
  debug?: boolean;
  /**
   * Queue bounds (in IndexedDB, and this page's part of it in memory); the oldest events are dropped
   * first. @defaultValue {maxEvents: 10000, maxBytes: 5 MB, maxAgeDays: 7}
   */
  queue?: { maxEvents?: number; maxBytes?: number; maxAgeDays?: number };
  /** Batching. @defaultValue {size: 30, intervalMs: 2000} */
  batch?: { size?: number; intervalMs?: number };
  /**
   * Inactivity (ms) that ends a session: events carry `context.sessionId` (the session's start time in
   * ms, RudderStack's convention) and `context.sessionStart: true` on a session's first event, only
   * after consent. 0 turns sessions off. @defaultValue 1800000 (30 minutes)
   */
  sessionTimeoutMs?: number;
  /** Events held in memory while the visitor has not decided. @defaultValue 100 */
  maxPendingEvents?: number;
  /** Replaces `localStorage` (the decision and, after consent, the identity). */
  storage?: KeyValueStorage;
  /** Replaces `fetch`. */
  fetch?: typeof fetch;
  /** Ms to wait for IndexedDB to open before falling back to memory (Safari can hang). @defaultValue 1500 */
  idbTimeoutMs?: number;
}
