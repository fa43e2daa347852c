/**
 * The SDK's core: builds the shared state and wires its parts together (decision store, identity,
 * events, delivery, consent records, privacy proxy, page views) into the public API.
 */
import { createConsent, gpcOn, publicDecision } from './consent.js';
import { readDecision } from './decision-store.js';
import { createDelivery, restoreUnsent } from './delivery.js';
import { createEvents } from './events.js';
import { call, type Names } from './calls.js';
import { currentIdentity, proveLink, setUser, syncCookies, user } from './identity.js';
import { type PrivacyLoader, privacyProxy } from './privacy-proxy.js';
import { trackPageViews } from './page-views.js';
import { safe } from './safe.js';
import { createState, grantedNow, purposeNow, type State, type User } from './state.js';
import type { CallOptions, Tillit, TillitConfig, TillitConsent } from './types.js';

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
  const { record_: record } = events;
  /**
   * identify() and group(), as Segment keeps them: no id keeps the stored one; the traits merge over the
   * stored ones when the id is the same (or there was none), else replace them; stored after consent only.
   */
  const remember = (
    type: 'identify' | 'group',
    idKey: 'userId' | 'groupId',
    traitsKey: 'traits' | 'groupTraits',
    id: string | undefined,
    traits: Record<string, unknown> | undefined,
    o: CallOptions | undefined,
    extra?: User,
  ) => {
    const u = user(s);
    const known = u[idKey];
    id ??= known;
    traits = { ...(known === undefined || known === id ? u[traitsKey] : 0), ...traits };
    setUser(s, { [idKey]: id, [traitsKey]: traits, ...extra });
    return record(type, 'analytics', { [idKey]: id, traits }, o?.context);
  };
  const api: Tillit = {
    version: __TILLIT_VERSION__,
    consent: consentApi(s, consent.decide_),
    privacy,
    track: call(s, 'track', 1, ([event], properties, o) => {
      if (!event) throw 'track: needs an event name';
      return record('track', s.eventPurposes_[event] ?? 'analytics', { event, properties }, o?.context);
    }),
    page: call(s, 'page', 2, (names, properties, o) => page('page', names, properties, o)),
    screen: call(s, 'screen', 2, (names, properties, o) => page('screen', names, properties, o)),
    identify: call(
      s,
      'identify',
      1,
      ([userId], traits, o) => remember('identify', 'userId', 'traits', userId, traits, o, { userToken: o?.userToken }),
      128,
    ),
    group: call(s, 'group', 1, ([groupId], traits, o) => remember('group', 'groupId', 'groupTraits', groupId, traits, o), 128),
    alias: call(
      s,
      'alias',
      2,
      ([userId, previousId = user(s).userId ?? api.anonymousId() ?? undefined], _, o) => {
        if (!userId) throw 'alias: needs a user id';
        return record('alias', 'analytics', { userId, previousId }, o?.context);
      },
      128,
    ),
    reset: safe(() => setUser(s, { userId: undefined, userToken: undefined, traits: undefined, groupId: undefined, groupTraits: undefined })),
    user: () => ({ id: () => user(s).userId ?? null, anonymousId: api.anonymousId, traits: () => ({ ...user(s).traits }) }),
    ready: (callback) => Promise.resolve().then(callback && safe(callback)),
    addSourceMiddleware: (fn) => void s.middleware_.push(fn),
    anonymousId: () => currentIdentity(s)?.id ?? null,
    setAnonymousId: privacy.setAnonymousId,
    flush: delivery.flush_,
  };
  /** page() and screen(): `(name)` or `(category, name)`, then properties. */
  const page = (type: 'page' | 'screen', names: Names, properties?: Record<string, unknown>, o?: CallOptions) => {
    const [category, name] = names[1] === undefined ? [, names[0]] : names;
    return record(type, 'analytics', { category, name, properties }, o?.context);
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
