/**
 * The identity cookie (issue 12): Safari deletes what a page's scripts stored (localStorage, script-written
 * cookies) after 7 days without a visit, but keeps a cookie that a same-site server set with Set-Cookie.
 * Where the collector runs on the site and the site enables `serverCookie`, the SDK asks this route, with
 * `credentials: 'include'` from one of the site's origins (text/plain JSON: no preflight):
 *
 *   {writeKey, anonymousId, secret, maxAge}  set, after consent: the secret is one bound to the id (or the
 *       cookie proves the id, and the secret is bound for this origin) → Set-Cookie __Host-tillit_aid, maxAge seconds
 *   {writeKey, secret}                       restore, at a decision in a browser with no stored id: the signed
 *       cookie's id, with this new secret bound to it for this origin → {anonymousId} (null without a valid cookie)
 *   {writeKey}                               delete (nothing granted, withdrawal, erasure) → Max-Age=0
 *
 * Only the signed cookie (identity-cookie.ts), never a known id, lets a secret be bound: else whoever knows a
 * visitor's anonymous id could bind a secret of their own and read or erase the visitor's data. CORS with
 * credentials is answered on this route only, for the site's own origins; the ingest and data-subject routes
 * stay cookie-free.
 */
import { LIMITS, describeIssues } from '@tillit/schema';
import { z } from 'zod';
import { secretMatches, sha256Hex } from '../auth.js';
import type { SiteConfig } from '../config.js';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import { MAX_COOKIE_SECONDS, cookieName, setCookieHeader } from '../identity-cookie.js';
import { siteOf } from './ingest.js';

const IdentityRequest = z.object({
  writeKey: z.string().min(1).max(256),
  anonymousId: z.string().min(1).max(LIMITS.maxIdLength).optional(),
  secret: z.string().min(32).max(256).optional(),
  /** Seconds: the decision's remaining lifetime (capped at browsers' 400 days). */
  maxAge: z.number().int().min(0).optional(),
});
type IdentityRequest = z.infer<typeof IdentityRequest>;
const MAX_IDENTITY_BODY = 4096;

/** What the site's page may read: the answer of a credentialed request needs this beside the exact origin. */
const CREDENTIALED = { 'Access-Control-Allow-Credentials': 'true' };

async function identity(c: CollectorContext) {
  const parsed = IdentityRequest.safeParse(await c.json(MAX_IDENTITY_BODY));
  if (!parsed.success) throw new HttpError(400, 'bad_request', `not an identity request: ${describeIssues(parsed.error)}`);
  const { site } = siteOf(c, parsed.data.writeKey);
  if (!site.serverCookie) {
    throw new HttpError(404, 'not_found', `the identity cookie is off for site ${site.name}: set serverCookie in its config`);
  }
  // A page of the site, never a server or a form of another site (SameSite=Lax lets a same-site page of
  // someone else's, e.g. a vendor's subdomain, send the cookie: its Origin is not the site's).
  if (c.origin === undefined) {
    throw new HttpError(403, 'origin_not_allowed', 'the identity route serves the site’s pages only: no Origin was sent');
  }
  try {
    return await answer(c, site, c.origin, parsed.data);
  } catch (error) {
    if (error instanceof HttpError) Object.assign(error.headers, CREDENTIALED);
    throw error;
  }
}

async function answer(c: CollectorContext, site: SiteConfig, origin: string, request: IdentityRequest) {
  const { anonymousId, secret, maxAge } = request;
  const cookieId = c.env.identityCookies.idFrom(c.header('cookie'), cookieName(site), site.name);
  const cleared = { ...CREDENTIALED, 'Set-Cookie': setCookieHeader(site, null) };
  if (secret === undefined) return json(200, { anonymousId: null }, cleared);
  // The cookie proves that this browser held the id: its new secret is bound for this origin.
  const bind = async (id: string) => {
    const at = Date.now();
    const bound = await c.env.store.bindOriginSecret({
      site: site.name,
      anonymousId: id,
      origin,
      secretHash: sha256Hex(secret),
      at,
    });
    if (bound) {
      const subjectHash = c.env.hashOf(site.name, 'anonymous', id);
      await c.env.store.appendAudit({
        at,
        site: site.name,
        action: 'bind_secret',
        subjectHash,
        via: 'cookie',
        outcome: 'ok',
        receiptId: null,
      });
    }
    return bound;
  };
  if (anonymousId === undefined) {
    // An erased id has no subject any more: nothing is bound, and the cookie goes.
    const restored = cookieId !== null && (await bind(cookieId)) ? cookieId : null;
    return json(200, { anonymousId: restored }, restored ? CREDENTIALED : cleared);
  }
  let proven: boolean;
  if (cookieId === anonymousId) {
    // Proven by the cookie: a secret not yet bound (another origin's, after a restore) is bound for this origin.
    const subject = await c.env.store.findSubject(anonymousId);
    proven = subject?.site === site.name && (secretMatches(secret, subject.secretHashes) || (await bind(anonymousId)));
  } else {
    // Only the secret can prove it, with the data-subject API's limit on failed guesses.
    const principal = await c.env.auth.authenticate(c, anonymousId, 'identity', secret).catch(() => null);
    proven = principal?.via === 'secret' && principal.ref.site === site.name;
  }
  if (!proven) {
    // Stale (the page now uses another id), forged, or for an erased id: the cookie goes.
    const reason = 'neither the secret nor the identity cookie proves this anonymous id';
    throw new HttpError(404, 'not_found', reason, {}, { 'Set-Cookie': cleared['Set-Cookie'] });
  }
  const seconds = Math.min(maxAge ?? MAX_COOKIE_SECONDS, MAX_COOKIE_SECONDS);
  const value = c.env.identityCookies.value(site.name, anonymousId, seconds);
  return json(200, { anonymousId }, { ...CREDENTIALED, 'Set-Cookie': setCookieHeader(site, value, seconds) });
}

export const identityCookieRoutes: CollectorRoute[] = [{ method: 'POST', path: '/v1/identity', handler: identity }];
