/**
 * Proven identity links (issue 15): `identify()` sent with the public write key only claims that a
 * browser belongs to a user, and anyone can send that claim about any anonymous id. A link that lets a
 * user's token read and erase a browser's data needs two proofs: the browser's own subject secret (it
 * is this browser) and a token the site's backend signed for the user (the site vouches that its
 * logged-in user is that user). The secret alone is not enough: anyone can make a browser id with a
 * secret and link it to a victim's user id, to slip forged events and consent decisions into the
 * victim's data. (A site's backend proves links by sending identify events with a server key.)
 *
 *   POST /v1/subjects/:anonymousId/links   Authorization: Bearer <subject secret>
 *     {"userId": "…", "userToken": "<site token for userId>"}  → 201 {anonymousId, userId, proven: true}
 *     {"userId": "…"}                                          → 202 {…, proven: false, reason}: nothing widened
 */
import { LIMITS, describeIssues } from '@tillit/schema';
import { z } from 'zod';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import { refuseForms } from '../subject-auth.js';

const LinkRequest = z.object({
  userId: z.string().min(1).max(LIMITS.maxIdLength),
  userToken: z.string().min(1).max(2200).optional(),
});
const MAX_LINK_BODY = 4096;

async function link(c: CollectorContext) {
  refuseForms(c);
  const { auth, store, hashOf } = c.env;
  const p = await auth.authenticate(c, c.params.id!, 'link');
  if (p.via !== 'secret') {
    throw new HttpError(403, 'forbidden', 'a link is proven by the browser’s own subject secret, not by a token');
  }
  const parsed = LinkRequest.safeParse(await c.json(MAX_LINK_BODY));
  if (!parsed.success) throw new HttpError(400, 'bad_request', `not a link request: ${describeIssues(parsed.error)}`);
  const { userId, userToken } = parsed.data;
  if (userToken === undefined) {
    // The first form of this request (no userToken) still parses; it proves nothing about the user.
    const reason = 'not linked: send "userToken", a token the site’s backend signed for this userId';
    return json(202, { anonymousId: p.ref.id, userId, proven: false, reason });
  }
  if (!(await auth.vouchesFor(userToken, p.ref.site, userId))) {
    const reason = 'userToken is not a live token of this site for this userId: ask the site’s backend for a new one';
    throw new HttpError(403, 'forbidden', reason);
  }
  const at = Date.now();
  await store.linkIdentity({ site: p.ref.site, anonymousId: p.ref.id, userId, at });
  const subjectHash = hashOf(p.ref.site, 'anonymous', p.ref.id);
  await store.appendAudit({ at, site: p.ref.site, action: 'link', subjectHash, via: p.via, outcome: 'ok', receiptId: null });
  return json(201, { anonymousId: p.ref.id, userId, proven: true });
}

export const identityRoutes: CollectorRoute[] = [{ method: 'POST', path: '/v1/subjects/:id/links', handler: link }];
