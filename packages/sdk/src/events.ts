/** Events: their context, the consent gate they pass, and the queue they go to. */
import type { Event, EventContext } from '@tillit/schema';
import { currentIdentity } from './identity.js';
import { uuidv7 } from './ids.js';
import { MAX_EVENT_BYTES, utf8Bytes } from './queue-policy.js';
import { parseJson } from './safe.js';
import { sessionContext } from './session.js';
import { grantedNow, purposeNow, type State } from './state.js';
import { campaignOf, sanitizeUrl, scrubEmails } from './url.js';

/** sessionStorage, after consent: the landing page's campaign. */
export const CAMPAIGN_KEY = 'tillit_campaign';

type Draft = Omit<Event, 'messageId'>;

export interface Events {
  /** Records an event of a purpose: queued if granted, dropped if refused, held in memory while undecided. */
  record_(type: Event['type'], purpose: string, fields: Partial<Event>): void;
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
  // per event, and the referrer once (it stays the same for the document's life).
  const referrer = clean(document.referrer);
  let href: string | undefined;
  let page: { url: string; path: string; search: string };
  const pageNow = () => {
    if (location.href !== href) {
      href = location.href;
      const url = clean(href);
      const u = url ? new URL(url) : location;
      page = { url, path: u.pathname, search: u.search };
    }
    // The title is scrubbed before the cut, so that no address is cut into a part the pattern misses.
    return { ...page, title: scrubEmails(document.title).slice(0, 1024), referrer };
  };

  const context = (): EventContext => ({
    page: pageNow(),
    campaign: landing ?? parseJson(s.session_.getItem(CAMPAIGN_KEY)) ?? undefined,
    locale: navigator.language,
    library: { name: 'tillit', version: __TILLIT_VERSION__ },
  });

  const enqueue = (purpose: string, draft: Draft) => {
    const identity = currentIdentity(s);
    if (!identity) return;
    const now = Date.now();
    const event = {
      ...draft,
      messageId: uuidv7(),
      anonymousId: identity.id,
      userId: draft.userId ?? identity.userId,
      context: {
        ...(draft.context as EventContext),
        ...sessionContext(s, now),
        consent: { purposes: grantedNow(s), policyVersion },
      },
    } as Event;
    const bytes = utf8Bytes(JSON.stringify(event));
    // The collector rejects a larger event: it is never queued (nor written to IndexedDB).
    if (bytes > MAX_EVENT_BYTES) return s.log_(`dropped, over ${MAX_EVENT_BYTES} bytes:`, event);
    s.queue_.add_({ id: event.messageId, p: purpose, n: bytes, t: now, e: event });
    queued();
  };

  /** Queues a draft whose purpose is granted, drops it if refused; true while undecided (for the caller to hold). */
  const route = (purpose: string, draft: Draft) => {
    const state = purposeNow(s, purpose);
    if (state) enqueue(purpose, draft);
    else if (state === false) s.log_(`dropped, ${purpose} not granted:`, draft);
    else return true;
  };

  const record = (type: Event['type'], purpose: string, fields: Partial<Event>) => {
    const draft = {
      type,
      ...fields,
      userId: fields.userId ?? s.userId_,
      timestamp: new Date().toISOString(),
      context: context(),
    } as Draft;
    // Undecided: held in memory only, sent if the visitor grants its purpose on this page.
    if (route(purpose, draft) && held.push([purpose, draft]) > maxPendingEvents) {
      held.shift();
      s.log_('held events full');
    }
  };

  const decided = () => {
    if (landing && grantedNow(s).length) s.session_.setItem(CAMPAIGN_KEY, JSON.stringify(landing));
    for (const [purpose, draft] of held.splice(0)) if (route(purpose, draft)) held.push([purpose, draft]);
  };

  return { record_: record, decided_: decided };
}
