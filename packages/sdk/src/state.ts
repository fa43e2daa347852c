/**
 * The state every part of the SDK shares, passed to each part explicitly rather than captured:
 * the settings, the storages and queue, and the three values that change (decision, identity, user id).
 */
import { grantedPurposes, purposeState, type StoredDecision } from './consent-rules.js';
import { createQueue, type Queue } from './queue.js';
import { webStorage } from './storage.js';
import type { call } from './calls.js';
import type { deliver } from './transport.js';
import type { Chunk } from './chunk.js';
import type { Delivery } from './delivery.js';
import type { Events } from './events.js';
import type { ConsentDecision, KeyValueStorage, SourceMiddleware, TillitConfig } from './types.js';
import { DEFAULT_URL_DENYLIST } from './url.js';

export type Log = (...a: unknown[]) => void;

/** The configuration with its defaults applied. */
export interface Settings {
  /** Without a trailing slash. */
  collectorUrl_: string;
  writeKey_: string;
  policyVersion_: string;
  /** Without `necessary`. */
  purposes_: string[];
  gpcPurposes_: string[];
  eventPurposes_: Record<string, string>;
  urlDenylist_: string[];
  decisionMaxAgeMs_: number;
  batchSize_: number;
  intervalMs_: number;
  maxPendingEvents_: number;
  /** 0 (or less) turns sessions off. */
  sessionTimeoutMs_: number;
  consentCookie_: TillitConfig['consentCookie'];
  cookieDomain_: string | undefined;
  /** The write key when `serverCookie` is on (the identity route takes it), else false. */
  serverCookie_: string | false | undefined;
  fetch_: typeof fetch;
}

/** What identify() and group() say of the user: kept in the identity (after consent), else in memory. */
export interface User {
  userId?: string;
  /** identify()'s traits, merged over the earlier ones. */
  traits?: Record<string, unknown>;
  groupId?: string;
  /** group()'s traits, merged over the earlier ones of the same group. */
  groupTraits?: Record<string, unknown>;
  /** identify()'s userToken while the link to userId waits to be proven (privacy.ts). */
  userToken?: string;
}

/** Stored in localStorage as JSON: its keys are the stored format. */
export interface Identity extends User {
  /** The anonymous id. */
  id: string;
  /** The subject's secret for data-subject requests. */
  secret: string;
  /** Set once the collector has acknowledged a consent record that carried the secret. */
  sent?: 1;
  /** The user id whose link to this anonymous id the collector has acknowledged as proven (privacy.ts). */
  linked?: string;
  /** The time of the decision the collector's identity cookie was last asked for with this id (server-cookie.ts). */
  sc?: string;
}

/** Shared by every part of the SDK: the settings, the storages and queue, and what changes. */
export interface State extends Readonly<Settings> {
  /** localStorage (or the configured storage): the decision (strictly necessary), and after consent the identity. */
  readonly local_: KeyValueStorage;
  readonly session_: KeyValueStorage;
  readonly queue_: Queue;
  readonly log_: Log;
  readonly listeners_: Set<(d: ConsentDecision | null) => void>;
  /** The current decision; it keeps its consent record until the collector has acknowledged it. */
  decision_: StoredDecision | null;
  /** The stored identity once read; use `currentIdentity`, which hides it while nothing is granted. */
  identity_: Identity | null;
  /** The session's `[start, last event]` as last read or written (session.ts); null after a withdrawal. */
  visit_?: number[] | null;
  /** Set by identify() and group(); before consent it lives here only, in memory (see `user`). */
  user_: User;
  /** addSourceMiddleware()'s functions, in the order added. */
  middleware_: SourceMiddleware[];
  /** `tillit.setAnonymousId` (set by privacyProxy), for options.anonymousId. */
  adopt_?: (id: unknown) => Promise<void>;
  /** The privacy chunk, loaded on first use (set by privacyProxy). */
  privacy_?: () => Promise<Chunk>;
  /** Set by createTillit, for the chunk (decisions.ts, calls.ts's rare calls). */
  call_?: typeof call;
  deliver_?: typeof deliver;
  delivery_?: Delivery;
  events_?: Events;
}

/** The configuration with its defaults applied, and nothing decided or read yet. */
export function createState(config: TillitConfig): State {
  const { batch = {}, queue = {}, writeKey, policyVersion, debug } = config;
  const collectorUrl = (config.collectorUrl || '').replace(/\/+$/, '');
  if (!collectorUrl || !writeKey || !policyVersion) console.error('[tillit] missing collectorUrl, writeKey or policyVersion');
  const log = (...a: unknown[]) => debug && console.log('[tillit]', ...a);
  return {
    collectorUrl_: collectorUrl,
    writeKey_: writeKey,
    policyVersion_: policyVersion,
    purposes_: (config.purposes ?? ['analytics', 'marketing', 'personalization']).filter((p) => p !== 'necessary'),
    gpcPurposes_: config.gpcPurposes ?? ['marketing'],
    eventPurposes_: config.eventPurposes ?? {},
    urlDenylist_: config.urlDenylist ?? DEFAULT_URL_DENYLIST,
    decisionMaxAgeMs_: (config.consentMaxAgeDays ?? 182) * 864e5,
    batchSize_: batch.size ?? 30,
    intervalMs_: batch.intervalMs ?? 2000,
    maxPendingEvents_: config.maxPendingEvents ?? 100,
    sessionTimeoutMs_: +(config.sessionTimeoutMs ?? 18e5), // + for the script tag's string
    consentCookie_: config.consentCookie,
    cookieDomain_: config.cookieDomain,
    serverCookie_: config.serverCookie && writeKey,
    fetch_: config.fetch ?? ((...a) => fetch(...a)),
    local_: config.storage ?? webStorage(() => localStorage),
    session_: webStorage(() => sessionStorage),
    queue_: createQueue(
      { maxEvents_: queue.maxEvents ?? 1e4, maxBytes_: queue.maxBytes ?? 5e6, maxAgeMs_: (queue.maxAgeDays ?? 7) * 864e5 },
      log,
      config.idbTimeoutMs,
    ),
    log_: log,
    listeners_: new Set(),
    decision_: null,
    identity_: null,
    user_: {},
    middleware_: [],
  };
}

/** A purpose's state now: granted, refused, or undecided (undefined). */
export const purposeNow = (s: State, purpose: string) => purposeState(s.decision_, purpose, s.gpcPurposes_);
/** The purposes granted now, in configured order. */
export const grantedNow = (s: State) => grantedPurposes(s.decision_, s.purposes_, s.gpcPurposes_);
