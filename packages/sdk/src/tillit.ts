/**
 * The SDK's core: builds the shared state and wires its parts together (decision store, identity,
 * events, delivery, consent records, privacy proxy, page views) into the public API.
 */
import { createConsent, gpcOn, publicDecision } from './consent.js';
import { readDecision } from './decision-store.js';
import { createDelivery, restoreUnsent } from './delivery.js';
import { createEvents } from './events.js';
import { currentIdentity, proveLink, setUserId, syncCookies } from './identity.js';
import { type PrivacyLoader, privacyProxy } from './privacy-proxy.js';
import { trackPageViews } from './page-views.js';
import { safe } from './safe.js';
import { createState, grantedNow, purposeNow, type State } from './state.js';
import type { IdentifyOptions, Tillit, TillitConfig, TillitConsent } from './types.js';

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
  const consent = createConsent(s, delivery, events);

  addEventListener('pagehide', delivery.unload_);
  document.addEventListener('visibilitychange', () => document.hidden && delivery.unload_());
  addEventListener('online', delivery.retryNow_);
  if (grantedNow(s).length) {
    delivery.schedule_();
    // Each page rewrites the cookies: Safari cuts a script-written cookie to 7 days from its last write.
    syncCookies(s);
  }

  const privacy = privacyProxy(s, loadPrivacy, consent.forget_);
  const api: Tillit = {
    version: __TILLIT_VERSION__,
    consent: consentApi(s, consent.decide_),
    privacy,
    track: safe((event: string, properties?: Record<string, unknown>) =>
      events.record_('track', s.eventPurposes_[event] ?? 'analytics', { event, properties }),
    ),
    page: safe((name?: string, properties?: Record<string, unknown>) =>
      events.record_('page', 'analytics', { name, properties }),
    ),
    identify: safe((id: string | number, traits?: Record<string, unknown>, options?: IdentifyOptions) => {
      // Numbers become strings (Segment's rule): the collector refuses any other id on every later event.
      const userId = typeof id === 'number' ? `${id}` : id;
      setUserId(s, userId, options?.userToken);
      events.record_('identify', 'analytics', { userId, traits });
    }),
    reset: safe(() => setUserId(s)),
    anonymousId: () => currentIdentity(s)?.id ?? null,
    setAnonymousId: privacy.setAnonymousId,
    flush: delivery.flush_,
  };
  proveLink(s); // a proof that failed on an earlier page
  // A decision sends its record through the privacy chunk: loaded while one is due, so that a visitor
  // who decides and leaves at once has the record on its way (keepalive) before the page goes.
  if (api.consent.needsDecision()) s.privacy_!().catch(s.log_);
  if (config.autoPageViews) trackPageViews(api.page);
  return api;
}

/** `tillit.consent`. */
function consentApi(s: State, decide: ReturnType<typeof createConsent>['decide_']): TillitConsent {
  const { purposes_: purposes, gpcPurposes_: gpcPurposes } = s;
  return {
    get: () => publicDecision(s),
    needsDecision: () => purposes.some((p) => purposeNow(s, p) === undefined),
    isGranted: (p) => p === 'necessary' || purposeNow(s, p) === true,
    purposes: () => [...purposes],
    set: (choices, o) => {
      for (const k in choices) if (!purposes.includes(k)) s.log_('unknown purpose ignored:', k);
      return decide((p) => choices[p], o);
    },
    // Under GPC, "accept all" leaves the GPC purposes refused: only naming them in set() overrides the signal.
    acceptAll: (o) => decide((p) => !(gpcOn() && gpcPurposes.includes(p)), o),
    rejectAll: (o) => decide(() => false, o),
    onChange(listener) {
      s.listeners_.add(listener);
      return () => void s.listeners_.delete(listener);
    },
  };
}
