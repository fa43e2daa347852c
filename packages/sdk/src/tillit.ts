import type { ConsentRecord, Event, EventContext } from '@tillit/schema';
import { backoffDelay } from './backoff.js';
import { choicesFor, grantedPurposes, purposeState, validDecision } from './consent-rules.js';
import { secret, uuidv7 } from './ids.js';
import type { createPrivacy } from './privacy.js';
import { createQueue } from './queue.js';
import { type QueueItem, toBatches, utf8Bytes } from './queue-policy.js';
import { deliver, post } from './transport.js';
import type {
  ConsentDecision,
  DecisionOptions,
  KeyValueStorage,
  PurposeChoices,
  Tillit,
  TillitConfig,
  TillitPrivacy,
} from './types.js';
import { campaignOf, DEFAULT_URL_DENYLIST, sanitizeUrl } from './url.js';

/** localStorage: the decision (strictly necessary), and after consent the identity. */
const DECISION_KEY = 'tillit_consent';
const ID_KEY = 'tillit_id';
/** localStorage, after consent, only between a pagehide and the next page: this page's unsent events. */
const UNSENT_KEY = 'tillit_unsent';
/** sessionStorage, after consent: the landing page's campaign. */
const CAMPAIGN_KEY = 'tillit_campaign';

interface Identity {
  id: string;
  secret: string;
  userId?: string;
  /** Set once the collector has acknowledged a consent record that carried the secret. */
  sent?: 1;
}
type Draft = Omit<Event, 'messageId'>;

const warn = (e: unknown) => console.warn('[tillit] internal error:', e);
/** Public methods never throw into the page. */
const safe =
  <A extends unknown[], R>(fn: (...a: A) => R) =>
  (...a: A): R | undefined => {
    try {
      return fn(...a);
    } catch (e) {
      warn(e);
    }
  };

/** Runs fn; on a throw returns undefined (storage access throws in sandboxed frames, with cookies blocked). */
const attempt = <R>(fn: () => R): R | undefined => {
  try {
    return fn();
  } catch {}
};
const storageOf = (area: () => Storage): KeyValueStorage => ({
  getItem: (k) => attempt(() => area().getItem(k)) ?? null,
  setItem: (k, v) => attempt(() => area().setItem(k, v)),
  removeItem: (k) => attempt(() => area().removeItem(k)),
});

const parse = <T>(s: string | null): T | null => attempt(() => JSON.parse(s ?? 'null')) ?? null;

/** Loads the privacy client: a dynamic import (npm) or `tillit-privacy.js` (script tag). */
export type PrivacyLoader = () => Promise<typeof createPrivacy>;

/**
 * Creates the SDK and starts it (the npm entry's `createTillit` and the script tag call this):
 * reads the stored decision, listens for page lifecycle and other tabs. Writes nothing and sends
 * nothing until the visitor decides.
 */
export function createTillit(config: TillitConfig, loadPrivacy: PrivacyLoader): Tillit {
  const {
    writeKey,
    policyVersion,
    purposes: configured = ['analytics', 'marketing', 'personalization'],
    gpcPurposes = ['marketing'],
    eventPurposes = {},
    urlDenylist = DEFAULT_URL_DENYLIST,
    debug,
    consentMaxAgeDays = 182,
    batch: { size: batchSize = 30, intervalMs: interval = 2000 } = {},
    maxPendingEvents: maxPending = 100,
    queue: { maxEvents = 1000, maxBytes = 5e6, maxAgeDays = 7 } = {},
    consentCookie: cookie,
  } = config;
  const purposes = configured.filter((p) => p !== 'necessary');
  const base = (config.collectorUrl || '').replace(/\/+$/, '');
  if (!base || !writeKey || !policyVersion) console.error('[tillit] missing collectorUrl, writeKey or policyVersion');
  const maxAgeMs = consentMaxAgeDays * 864e5;
  const f: typeof fetch = config.fetch ?? ((...a) => fetch(...a));
  const local = config.storage ?? storageOf(() => localStorage);
  const session = storageOf(() => sessionStorage);
  const log = (...a: unknown[]) => debug && console.log('[tillit]', ...a);
  const queue = createQueue({ maxEvents, maxBytes, maxAgeMs: maxAgeDays * 864e5 }, log, config.idbTimeoutMs);
  const gpc = () => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const clean = (url: string) => sanitizeUrl(url, urlDenylist);

  const readDecision = () => {
    const c = cookie && /(?:^|;\s*)tillit_consent=([^;]*)/.exec(document.cookie)?.[1];
    return validDecision(local.getItem(DECISION_KEY) ?? (c ? decodeURIComponent(c) : null), policyVersion, maxAgeMs, Date.now());
  };

  let decision = readDecision();
  let identity: Identity | null = null;
  let userId: string | undefined; // before consent, in memory only
  const held: { p: string; e: Draft }[] = [];
  const listeners = new Set<(d: ConsentDecision | null) => void>();
  const landing = campaignOf(location.href);
  let attempt = 0;
  let retryAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = 0;
  let flushing: Promise<void> | undefined;

  const state = (p: string) => purposeState(decision, p, gpcPurposes);
  const granted = () => grantedPurposes(decision, purposes, gpcPurposes);
  const saveIdentity = () => identity && local.setItem(ID_KEY, JSON.stringify(identity));
  /** The identity, only while something is granted. */
  const ident = () => {
    if (!granted().length) return null;
    identity ??= parse<Identity>(local.getItem(ID_KEY));
    return identity;
  };
  /** Makes the identity if none is stored (or, after an expired decision, reuses the stored one). */
  const ensureIdentity = () => {
    if (!ident()) {
      identity = { id: uuidv7(), secret: secret(), userId };
      saveIdentity();
    }
    return identity!;
  };

  /** Sets (or, with max-age 0, deletes) the decision cookie: a deletion needs the same domain and path. */
  const setCookie = (value: string, maxAge: number) => {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Safari and Firefox
    document.cookie = `${DECISION_KEY}=${value};path=/;max-age=${maxAge};samesite=lax${
      location.protocol === 'https:' ? ';secure' : ''
    }${typeof cookie === 'object' && cookie.domain ? `;domain=${cookie.domain}` : ''}`;
  };
  const saveDecision = () => {
    local.setItem(DECISION_KEY, JSON.stringify(decision));
    // Without the pending record: the cookie travels with every request to the site.
    if (cookie && decision)
      setCookie(encodeURIComponent(JSON.stringify(decision, (k, v) => (k === 'record' ? undefined : v))), (maxAgeMs / 1000) | 0);
  };
  /** A copy; while the collector has not acknowledged it, it still carries its consent record. */
  const publicDecision = (): ConsentDecision | null => decision && { ...decision };

  // --- events -------------------------------------------------------------------------------

  const context = (): EventContext => {
    const url = clean(location.href);
    const u = url ? new URL(url) : location;
    return {
      page: { url, path: u.pathname, search: u.search, title: document.title.slice(0, 1024), referrer: clean(document.referrer) },
      campaign: landing ?? parse(session.getItem(CAMPAIGN_KEY)) ?? undefined,
      locale: navigator.language,
      library: { name: 'tillit', version: __TILLIT_VERSION__ },
    };
  };

  const enqueue = (p: string, draft: Draft) => {
    const id = ident();
    if (!id) return;
    const e = {
      ...draft,
      messageId: uuidv7(),
      anonymousId: id.id,
      userId: draft.userId ?? id.userId,
      context: { ...(draft.context as EventContext), consent: { purposes: granted(), policyVersion } },
    } as Event;
    // An event over the collector's limits is rejected by index (or 413 alone), then dropped.
    queue.add({ id: e.messageId, p, n: utf8Bytes(JSON.stringify(e)), t: Date.now(), e });
    schedule(queue.recent().length >= batchSize ? 0 : interval);
  };

  const record = (type: Event['type'], p: string, fields: Partial<Event>) => {
    const draft = {
      type,
      ...fields,
      userId: fields.userId ?? userId,
      timestamp: new Date().toISOString(),
      context: context(),
    } as Draft;
    const s = state(p);
    if (s) return enqueue(p, draft);
    if (s === false) return log(`dropped, ${p} not granted:`, draft);
    // Undecided: held in memory only, sent if the visitor grants its purpose on this page.
    if (held.push({ p, e: draft }) > maxPending) {
      held.shift();
      log('held events full');
    }
  };

  // --- flushing -----------------------------------------------------------------------------

  const schedule = (ms: number) => {
    const at = Math.max(Date.now() + ms, retryAt);
    if (timer && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      flush();
    }, at - Date.now());
  };

  const transport = (keepalive?: boolean) => ({ url: `${base}/v1/batch`, writeKey, fetch: f, log, keepalive });

  /** One tab at a time reads the shared queue and sends it (Web Locks; absent on plain http). */
  const send = async (): Promise<boolean> => {
    // An event of a purpose withdrawn a moment ago may still sit in the queue: never send it.
    for (const batch of toBatches(
      (await queue.read()).filter((i) => state(i.p)),
      batchSize,
    )) {
      const r = await deliver(batch, transport());
      if (r.done.length) await queue.remove(r.done);
      if (r.retry !== undefined) {
        const wait = Math.max(r.retry, backoffDelay(attempt++));
        retryAt = Date.now() + wait;
        log('retry in ms', wait);
        return true;
      }
      attempt = retryAt = 0;
    }
    return false;
  };

  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      let again = false;
      try {
        if (!granted().length) return;
        const locks = queue.shared() && navigator.locks;
        again = locks
          ? await locks.request('tillit-flush', { ifAvailable: true }, (lock) => (lock ? send() : true))
          : await send();
      } catch (e) {
        warn(e);
      } finally {
        flushing = undefined;
        if (again || queue.recent().length) schedule(interval);
      }
    })());

  /** Page is going away (or hidden): send this page's events now, in one keepalive request. */
  const unload = () => {
    const items = queue.recent().filter((i) => state(i.p));
    if (!items[0]) return;
    // An IndexedDB write still in flight dies with the page; localStorage is synchronous. The next
    // page moves these back into the queue (same keys: no copies; the collector deduplicates).
    local.setItem(UNSENT_KEY, JSON.stringify(items));
    deliver(toBatches(items, batchSize)[0]!, transport(true)).then((r) => queue.remove(r.done), warn);
  };

  // --- consent ------------------------------------------------------------------------------

  /**
   * Sends a consent record. Records are proof, so 5xx, 429 and network errors are retried (on this
   * page; the stored decision keeps its record until a receipt comes, and the next page resends it).
   */
  const sendRecord = (rec: ConsentRecord, n = 0): Promise<void> => {
    const id = ident() ?? identity;
    const withSecret = !!id && !id.sent && rec.anonymousId === id.id;
    return post(f, `${base}/v1/consent`, { ...rec, writeKey, secret: withSecret ? id.secret : undefined }, true)
      .then(async (res) => {
        if (res.status > 499 || res.status === 429) throw res.status;
        if (!res.ok) return void log('consent record dropped:', res.status);
        const { receiptId } = (await res.json()) as { receiptId: string };
        if (withSecret) {
          id.sent = 1;
          saveIdentity();
        }
        if (decision?.record?.timestamp === rec.timestamp) {
          delete decision.record;
          decision.receiptId = receiptId;
          saveDecision();
        }
      })
      .catch((e) => {
        log('consent record retry:', e);
        setTimeout(() => sendRecord(rec, n + 1), 1000 + backoffDelay(n));
      });
  };

  const wipe = () => {
    identity = null;
    local.removeItem(ID_KEY);
    local.removeItem(UNSENT_KEY);
    session.removeItem(CAMPAIGN_KEY);
    queue.destroy().catch(warn);
  };

  /** Applies a decision change: identity, withdrawal, held events, listeners. */
  const apply = (before: string[]) => {
    const now = granted();
    const lost = before.filter((p) => !now.includes(p));
    if (!now.length) {
      // Refused or withdrawn: nothing but the decision may remain. (Undecided, e.g. a tab still on
      // an older policy version seeing this one's decision, deletes nothing.)
      if (decision) wipe();
    } else {
      ensureIdentity();
      if (landing) session.setItem(CAMPAIGN_KEY, JSON.stringify(landing));
      if (lost.length) {
        log('withdrawn:', lost);
        queue.read().then((all) => queue.remove(all.filter((i) => lost.includes(i.p)).map((i) => i.id)), warn);
      }
      schedule(interval);
    }
    for (const h of held.splice(0)) {
      const s = state(h.p);
      if (s) enqueue(h.p, h.e);
      else if (s === false) log(`dropped, ${h.p} refused:`, h.e);
      else held.push(h);
    }
    const d = publicDecision();
    for (const fn of listeners) safe(fn)(d);
  };

  const decide = async (choices: PurposeChoices, o: DecisionOptions = {}, source = o.source ?? 'api') => {
    try {
      const before = granted();
      const timestamp = new Date().toISOString();
      const id = ident();
      const rec: ConsentRecord = {
        // One id per decision, kept with the pending record and sent with every retry (also by the
        // next page): the collector stores a record once per id, so a reload mid-request is harmless.
        recordId: uuidv7(),
        // A withdrawal names the subject it withdraws for; a first refusal has none.
        anonymousId: id?.id ?? null,
        userId: id?.userId,
        purposes: choices,
        policyVersion,
        source,
        timestamp,
        textHash: o.textHash,
        locale: navigator.language,
        url: clean(location.href),
      };
      decision = { purposes: choices, policyVersion, source, decidedAt: timestamp, record: rec };
      if (granted().length && !rec.anonymousId) {
        // Made before the decision is stored, so another tab reacting to the decision finds it.
        const made = ensureIdentity();
        rec.anonymousId = made.id;
        rec.userId = userId ?? made.userId;
      }
      saveDecision();
      apply(before);
      sendRecord(rec);
    } catch (e) {
      warn(e);
    }
  };

  // --- start --------------------------------------------------------------------------------

  addEventListener('storage', (e) => {
    if (e.key !== DECISION_KEY && e.key !== null) return;
    const before = granted();
    const next = readDecision();
    // Only a receipt added: nothing to apply.
    if (next && decision && next.decidedAt === decision.decidedAt) {
      decision = next;
      return;
    }
    decision = next;
    identity = null;
    apply(before);
  });
  addEventListener('pagehide', unload);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && unload());
  addEventListener('online', () => {
    attempt = retryAt = 0;
    flush();
  });

  if (decision?.record) sendRecord(decision.record);
  for (const i of parse<QueueItem[]>(local.getItem(UNSENT_KEY)) ?? []) if (state(i.p)) queue.add(i);
  local.removeItem(UNSENT_KEY);
  if (granted().length) schedule(interval);
  // GPC with no stored choice: the GPC purposes are refused and that refusal is recorded;
  // other purposes stay undecided until the visitor chooses.
  if (!decision && gpc() && purposes.some((p) => gpcPurposes.includes(p)))
    decide(
      choicesFor(purposes, () => false),
      {},
      'gpc',
    );

  /** Erasure done at the collector: nothing local may remain either. */
  const forget = async () => {
    const before = granted();
    local.removeItem(DECISION_KEY);
    // -1, not 0: a max-age of 0 can leave the cookie for the rest of the millisecond (happy-dom does).
    if (cookie) setCookie('', -1);
    decision = null;
    wipe();
    apply(before);
  };
  // Loaded on first use, and only once there is a subject: before consent nothing is fetched.
  let client: Promise<TillitPrivacy> | undefined;
  const privacy = {} as Record<keyof TillitPrivacy, (...a: unknown[]) => Promise<unknown>>;
  for (const m of ['access', 'export', 'erase', 'portalUrl'] as const)
    privacy[m] = async (...a) => {
      if (!ident()) {
        if (m === 'portalUrl') return null;
        throw Error('[tillit] no identifier: nothing was granted');
      }
      client ??= loadPrivacy().then(
        (make) => make(base, f, ident, forget),
        (e) => {
          client = undefined; // a failed load is tried again on the next call
          throw e;
        },
      );
      return ((await client)[m] as (...x: unknown[]) => Promise<unknown>)(...a);
    };

  const api: Tillit = {
    version: __TILLIT_VERSION__,
    consent: {
      get: publicDecision,
      needsDecision: () => purposes.some((p) => state(p) === undefined),
      isGranted: (p) => p === 'necessary' || state(p) === true,
      purposes: () => [...purposes],
      set: (choices, o) => {
        for (const k in choices) if (!purposes.includes(k)) log('unknown purpose ignored:', k);
        return decide(
          choicesFor(purposes, (p) => choices[p]),
          o,
        );
      },
      // Under GPC, "accept all" leaves the GPC purposes refused: only naming them in set() overrides the signal.
      acceptAll: (o) =>
        decide(
          choicesFor(purposes, (p) => !(gpc() && gpcPurposes.includes(p))),
          o,
        ),
      rejectAll: (o) =>
        decide(
          choicesFor(purposes, () => false),
          o,
        ),
      onChange(fn) {
        listeners.add(fn);
        return () => void listeners.delete(fn);
      },
    },
    privacy: privacy as TillitPrivacy,
    track: safe((event: string, properties?: Record<string, unknown>) =>
      record('track', eventPurposes[event] ?? 'analytics', { event, properties }),
    ),
    page: safe((name?: string, properties?: Record<string, unknown>) => record('page', 'analytics', { name, properties })),
    identify: safe((id: string, traits?: Record<string, unknown>) => {
      userId = id;
      const i = ident();
      if (i) {
        i.userId = id;
        saveIdentity();
      }
      record('identify', 'analytics', { userId: id, traits });
    }),
    reset: safe(() => {
      userId = undefined;
      const i = ident();
      if (i) {
        delete i.userId;
        saveIdentity();
      }
    }),
    anonymousId: () => ident()?.id ?? null,
    // After a flush in progress, one more: it may have read the queue before the latest events.
    flush: () => (flushing ? flushing.then(flush) : flush()),
  };

  if (config.autoPageViews) {
    let last = '';
    // Deferred: SPAs set the new title after they push the new URL.
    const view = () =>
      setTimeout(() => {
        const here = location.pathname + location.search;
        if (here !== last) {
          last = here;
          api.page();
        }
      });
    for (const m of ['pushState', 'replaceState'] as const) {
      const orig = history[m];
      history[m] = function (this: History, ...a: Parameters<History['pushState']>) {
        orig.apply(this, a);
        view();
      };
    }
    addEventListener('popstate', view);
    view();
  }
  return api;
}
