/**
 * The SDK's core: builds the shared state and wires its parts together (decision store, identity,
 * events, delivery, consent records, privacy proxy, page views) into the public API.
 */
import { decide, gpcOn, publicDecision, watchConsent } from './consent.js';
import { readDecision } from './decision-store.js';
import { createDelivery, restoreUnsent } from './delivery.js';
import { createEvents } from './events.js';
import { call, page, rareCalls, remember } from './calls.js';
import { currentIdentity, proveLink, setUser, syncCookies, user } from './identity.js';
import { type PrivacyLoader, privacyProxy } from './privacy-proxy.js';
import { trackPageViews } from './page-views.js';
import { deliver } from './transport.js';
import { safe } from './safe.js';
import { createState, grantedNow, purposeNow, type State } from './state.js';
import type { Tillit, TillitConfig, TillitConsent } from './types.js';

export type { PrivacyLoader } from './privacy-proxy.js';

/**
 * Creates the SDK and starts it (the npm entry's `createTillit` and the script tag call this):
 * reads the stored decision, listens for page lifecycle and other tabs. Writes nothing and sends
 * nothing until the visitor decides.
 */
export function createTillit(config: TillitConfig, loadPrivacy: PrivacyLoader): Tillit {
  const s = createState(config);
  s.decision_ = readDecision(s);
  restoreUnsent(s);
  const delivery = createDelivery(s);
  const events = createEvents(s, delivery.queued_);
  // For the privacy chunk (decisions.ts applies decisions, calls.ts's rare calls parse with the core's call, a 413 splits).
  Object.assign(s, { delivery_: delivery, events_: events, call_: call, deliver_: deliver });
  watchConsent(s);

  addEventListener('pagehide', delivery.unload_);
  document.addEventListener('visibilitychange', () => document.hidden && delivery.unload_());
  addEventListener('online', delivery.retryNow_);
  if (grantedNow(s).length) {
    delivery.schedule_();
    // Each page rewrites the cookies: Safari cuts a script-written cookie to 7 days from its last write.
    syncCookies(s);
  }

  const privacy = privacyProxy(s, loadPrivacy);
  const api: Tillit = {
    version: __TILLIT_VERSION__,
    consent: consentApi(s),
    privacy,
    track: call(s, 'track', 1, ([event], properties) => {
      if (!event) throw 'track: needs an event name';
      return { event, properties };
    }),
    page: call(s, 'page', 2, page),
    identify: call(
      s,
      'identify',
      1,
      ([id], traits, o) => remember(s, 'userId', 'traits', id, traits, { userToken: o?.userToken }),
      128,
    ),
    // Rarer on web pages, so in the privacy chunk (calls made before it loads are recorded once it has).
    ...rareCalls(s),
    reset: safe(() =>
      setUser(s, { userId: undefined, userToken: undefined, traits: undefined, groupId: undefined, groupTraits: undefined }),
    ),
    user: () => ({ id: () => user(s).userId ?? null, anonymousId: api.anonymousId, traits: () => ({ ...user(s).traits }) }),
    ready: (callback) => Promise.resolve().then(callback && safe(callback)),
    addSourceMiddleware: (fn) => void s.middleware_.push(fn),
    anonymousId: () => currentIdentity(s)?.id ?? null,
    setAnonymousId: privacy.setAnonymousId,
    flush: delivery.flush_,
  };
  proveLink(s); // a proof that failed on an earlier page
  // Decisions are made in the privacy chunk: loaded while one is due (so that a visitor who decides and
  // leaves at once has the record on its way, keepalive, before the page goes), or a record is pending.
  if (api.consent.needsDecision() || s.decision_?.record) s.privacy_!().catch(s.log_);
  if (config.autoPageViews) trackPageViews(api.page);
  return api;
}

/** `tillit.consent`. */
function consentApi(s: State): TillitConsent {
  const { purposes_: purposes, gpcPurposes_: gpcPurposes } = s;
  return {
    get: () => publicDecision(s),
    needsDecision: () => purposes.some((p) => purposeNow(s, p) === undefined),
    isGranted: (p) => p === 'necessary' || purposeNow(s, p) === true,
    purposes: () => [...purposes],
    set: (choices, o) => decide(s, choices, o),
    // Under GPC, "accept all" leaves the GPC purposes refused: only naming them in set() overrides the signal.
    acceptAll: (o) => decide(s, (p) => !(gpcOn() && gpcPurposes.includes(p)), o),
    rejectAll: (o) => decide(s, () => false, o),
    onChange(listener) {
      s.listeners_.add(listener);
      return () => void s.listeners_.delete(listener);
    },
  };
}
