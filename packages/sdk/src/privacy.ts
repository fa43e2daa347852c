/**
 * The visitor's data-subject requests (GDPR Art. 15, 17, 20), authenticated with the subject's
 * secret made at first consent (`Authorization: Bearer <secret>`; the collector keeps its hash), and
 * the proof of the identity link that lets a user's token reach this browser's data.
 */
import type { ConsentRecord, Event } from '@tillit/schema';
import { postRecord } from './consent-records.js';
import type { StoredDecision } from './consent-rules.js';
import { writeCookies } from './cookie-writer.js';
import { serverCookie } from './server-cookie.js';
import type { Identity } from './state.js';
import type { ExportFormat, KeyValueStorage, SourceMiddleware, TillitPrivacy } from './types.js';

export interface PrivacyClient extends TillitPrivacy {
  /**
   * Proves that this browser's anonymous id belongs to identify()'s user id: the subject secret (this
   * browser) and the site's userToken (the site vouches for its user), `POST /v1/subjects/:id/links`.
   * Once per (anonymous id, user id). The token is kept until the collector answers: proven (`linked`)
   * or refused (an expired token: the site's next identify() brings a new one); after a 5xx, a 429 or
   * a network error it rejects and the next page tries again.
   */
  link(): Promise<void>;
  /**
   * Writes or deletes the configured cookies (cookie-writer.ts) and asks the collector for its identity
   * cookie or its deletion (server-cookie.ts): here, so that sites without them never load it.
   */
  cookies(
    decision: StoredDecision | null,
    maxAgeMs: number,
    consentCookie: boolean | { domain?: string } | undefined,
    idDomain: string | undefined,
    identity: Identity | null,
  ): void;
  /** At a decision in a browser with no stored id: the id the collector's identity cookie kept (server-cookie.ts). */
  restore(record: ConsentRecord, local: KeyValueStorage): Promise<Identity | undefined> | undefined;
  /** Sends a consent record (consent-records.ts): here, as a decision is rare. */
  record(
    record: ConsentRecord,
    identity: Identity | null,
    writeKey: string,
    log: (...a: unknown[]) => void,
    decision: () => StoredDecision | null,
  ): Promise<boolean | undefined>;
  /** `tillit.setAnonymousId(id)`: see types.ts. */
  setAnonymousId(id: unknown): Promise<void>;
  /**
   * Runs the page's source middleware (addSourceMiddleware) over an event about to be queued: resolves to
   * the event they passed on, or null when one dropped it (`next(null)`); rejects, naming it, when one throws
   * or passes on something that is not an event. Here, as few sites use it.
   */
  middleware(middleware: SourceMiddleware[], event: Event): Promise<Event | null>;
}

/** The collector's bound on ids (LIMITS.maxIdLength). */
const MAX_ID_LENGTH = 128;

export function createPrivacy(
  base: string,
  f: typeof fetch,
  subject: () => Identity | null,
  forget: () => Promise<void>,
  save: () => void,
  /** The write key when the site uses the collector's identity cookie. */
  serverCookieKey?: string | false,
): PrivacyClient {
  const server = serverCookie(base, f, serverCookieKey, save);
  /** Throws on an answer that is not ok; with a body (a link), only on 5xx and 429 (retry later). */
  const request = async (method: string, path = '', body?: object) => {
    const s = subject();
    if (!s) throw new Error('[tillit] no identifier: nothing granted');
    const res = await f(`${base}/v1/subjects/${s.id}${path}`, {
      method,
      headers: { Authorization: `Bearer ${s.secret}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
      credentials: 'omit',
    });
    if (body ? res.status > 499 || res.status === 429 : !res.ok) throw new Error(`[tillit] collector answered ${res.status}`);
    return res;
  };
  return {
    access: async () => (await request('GET')).json(),
    async export(format: ExportFormat) {
      const blob = await (await request('GET', `/export?format=${format}`)).blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `tillit-data.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
    async erase() {
      const receipt = (await (await request('DELETE')).json()) as { receiptId: string };
      await forget();
      return receipt;
    },
    // The secret never goes into a URL: the collector swaps it for a token that lives minutes, and the
    // token travels in the fragment, which browsers send to no server and in no Referer. (Before
    // consent tillit.privacy answers null without calling this.)
    portalUrl: async () => `${base}/privacy#token=${(await (await request('POST', '/token')).json()).token}`,
    cookies: (decision, maxAgeMs, consentCookie, idDomain, identity) =>
      server.sync(decision, writeCookies(decision, maxAgeMs, consentCookie, idDomain, identity?.id), identity),
    restore: server.restore,
    record: (...a) => postRecord(base, f, save, ...a),
    // Rare (a page that receives an id from another of the site's domains), so it lives in this chunk.
    async setAnonymousId(id: unknown) {
      if (typeof id !== 'string' || !id || id.length > MAX_ID_LENGTH)
        throw Error(`[tillit] setAnonymousId: expected a string of 1 to ${MAX_ID_LENGTH} characters, got ${JSON.stringify(id)}`);
      const s = subject()!; // the proxy refuses before consent
      if (s.id !== id) {
        s.id = id;
        delete s.linked; // proven for the old id
        delete s.sc; // and the identity cookie was asked for the old id
        save();
      }
    },
    async middleware(middleware, event) {
      // A copy: the event shares its traits with the user's stored ones, which a middleware must not change.
      let obj: Record<string, unknown> = JSON.parse(JSON.stringify(event));
      for (const fn of middleware) {
        const e = obj;
        const passed: unknown = await new Promise((next) =>
          fn({ payload: { obj: e, type: () => e.type } as never, next: (p) => next(p ? p.obj : p), integrations: {} }),
        );
        if (passed === null) return null;
        if (!passed || typeof passed !== 'object' || Array.isArray(passed))
          throw `source middleware passed on ${JSON.stringify(passed)} as payload.obj: call next(payload) with an event object, or next(null) to drop it`;
        obj = passed as Record<string, unknown>;
      }
      // What Tillit owns stays as it made it: the ids the visitor's requests reach, the time, the consent proof.
      const { type, messageId, anonymousId, timestamp, context } = event;
      return {
        ...obj,
        type,
        messageId,
        anonymousId,
        timestamp,
        context: { ...(obj.context as object), consent: context!.consent },
      } as Event;
    },
    async link() {
      const s = subject();
      const token = s?.userToken;
      if (!token) return;
      const { userId } = s;
      delete s.userToken; // taken (in memory): a second call meanwhile sends nothing
      if (s.linked !== userId) {
        const { status } = await request('POST', '/links', { userId, userToken: token }).catch((e) => {
          s.userToken ??= token; // the stored identity still holds it: the next page tries again
          throw e;
        });
        if (status === 201) s.linked = userId;
      }
      save(); // proven, or refused (an expired token: the site's next identify() brings a new one)
    },
  };
}
