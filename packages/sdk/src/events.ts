/** Events: their context, the consent gate they pass, and the queue they go to. */
import type { Event, EventContext } from '@tillit/schema';
import { currentIdentity, privacyChunk } from './identity.js';
import { uuidv7 } from './ids.js';
import { MAX_EVENT_BYTES, utf8Bytes } from './queue-policy.js';
import { parseJson } from './safe.js';
import { sessionContext } from './session.js';
import { grantedNow, purposeNow, type State } from './state.js';
import type { CallResult } from './types.js';
import { campaignOf, sanitizeUrl, scrubEmails } from './url.js';

/** sessionStorage, after consent: the landing page's campaign. */
export const CAMPAIGN_KEY = 'tillit_campaign';

type Draft = Omit<Event, 'messageId'>;

export interface Events {
  /**
   * Records an event of a purpose: queued if granted (after the page's source middleware, if any),
   * dropped if refused, held in memory while undecided; says which. `context` is merged into the
   * event's (options.context), except its consent, which the SDK sets.
   */
  record_(type: Event['type'], purpose: string, fields: Partial<Event>, context?: object): CallResult | Promise<CallResult>;
  /**
   * After a decision: queues the held events whose purpose is now granted, drops the refused ones,
   * and (when something is granted) keeps the landing page's campaign for the session's later pages.
   */
  decided_(): void;
}

/** `queued` is told of every queued event (to schedule a flush). */
export function createEvents(s: State, queued: () => void): Events {
  const { policyVersion_: policyVersion, maxPendingEvents_: maxPendingEvents, urlDenylist_: urlDenylist } = s;
  const landing = campaignOf(location.href);
  const held: [purpose: string, draft: Draft][] = [];
  const clean = (url: string) => sanitizeUrl(url, urlDenylist);
  // Each a linear pass over text a link can make long: the URL is cleaned once per navigation, not
  // per event, and the referrer once (it stays the same for the document's life). The page context is
  // made again only when the URL or the title changes: events of one page share it.
  const referrer = clean(document.referrer);
  let href: string | undefined;
  let title: string | undefined;
  let page: EventContext['page'];
  const pageNow = () => {
    if (location.href !== href || document.title !== title) {
      href = location.href;
      title = document.title;
      const url = clean(href);
      const u = url ? new URL(url) : location;
      // The title is scrubbed before the cut, so that no address is cut into a part the pattern misses.
      page = { url, path: u.pathname, search: u.search, title: scrubEmails(title).slice(0, 1024), referrer };
    }
    return page;
  };
  // Read once: sessionStorage is this tab's, and only this page writes it (its own landing campaign).
  const campaign = landing ?? parseJson<Record<string, string>>(s.session_.getItem(CAMPAIGN_KEY)) ?? undefined;
  const library = { name: 'tillit', version: __TILLIT_VERSION__ };

  const context = (extra?: object): EventContext => ({
    page: pageNow(),
    campaign,
    locale: navigator.language,
    library,
    ...extra,
  });

  const drop = (event: Partial<Event>, reason: string): CallResult => {
    s.log_(`dropped, ${reason}:`, event);
    return { event, status: 'dropped', reason };
  };

  const add = (purpose: string, event: Event, now: number): CallResult => {
    const bytes = utf8Bytes(JSON.stringify(event));
    // The collector rejects a larger event: it is never queued (nor written to IndexedDB).
    if (bytes > MAX_EVENT_BYTES) return drop(event, `over ${MAX_EVENT_BYTES} bytes`);
    s.queue_.add_({ id: event.messageId, p: purpose, n: bytes, t: now, e: event });
    queued();
    return { event, status: 'queued' };
  };

  const enqueue = (purpose: string, draft: Draft) => {
    const identity = currentIdentity(s)!; // only called while something is granted
    const now = Date.now();
    // The draft becomes the event, not copied: it is this call's own (or a held one, sent now). Its
    // consent is set last: options.context never overrides the proof.
    const event = Object.assign(draft, {
      messageId: uuidv7(),
      anonymousId: identity.id,
      userId: draft.userId ?? identity.userId,
    }) as Event;
    Object.assign(event.context!, sessionContext(s, now), { consent: { purposes: grantedNow(s), policyVersion } });
    // The page's middleware (addSourceMiddleware) runs in the privacy chunk, which checks what it returns.
    return s.middleware_[0]
      ? privacyChunk(s)
          .then((c) => c.middleware(s.middleware_, event))
          .then(
            (e) => (e ? add(purpose, e, now) : drop(event, 'by source middleware')),
            (e) => drop(event, `${e}`),
          )
      : add(purpose, event, now);
  };

  /** Queues a draft whose purpose is granted, drops it if refused; undefined while undecided (for the caller to hold). */
  const route = (purpose: string, draft: Draft) => {
    const state = purposeNow(s, purpose);
    return state ? enqueue(purpose, draft) : state === false ? drop(draft, `${purpose} not granted`) : undefined;
  };

  const record = (type: Event['type'], purpose: string, fields: Partial<Event>, extra?: object) => {
    const draft = {
      type,
      ...fields,
      // The page's identify(); else the stored identity's, which enqueue adds (s.user_ is empty on a new page).
      userId: fields.userId ?? s.user_.userId,
      timestamp: new Date().toISOString(),
      context: context(extra),
    } as Draft;
    // Undecided: held in memory only, sent if the visitor grants its purpose on this page.
    const result = route(purpose, draft);
    if (result) return result;
    if (held.push([purpose, draft]) > maxPendingEvents) {
      held.shift();
      s.log_('held events full');
    }
    return { event: draft, status: 'held' } as const;
  };

  const decided = () => {
    if (landing && grantedNow(s).length) s.session_.setItem(CAMPAIGN_KEY, JSON.stringify(landing));
    for (const [purpose, draft] of held.splice(0)) if (!route(purpose, draft)) held.push([purpose, draft]);
  };

  return { record_: record, decided_: decided };
}
