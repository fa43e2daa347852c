/**
 * Proven identity links (issue 15): `identify()` sent with the public write key only claims that a
 * browser belongs to a user, and anyone can send that claim about any anonymous id. A browser proves it
 * here, with its own subject secret, before a user's token may read or erase that browser's data.
 * (A site's backend proves links by sending identify events with a server key.)
 *
 *   POST /v1/subjects/:anonymousId/links   Authorization: Bearer <subject secret>   {"userId": "…"}
 */
import { LIMITS, describeIssues } from '@tillit/schema';
import { z } from 'zod';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import { refuseForms } from '../subject-auth.js';

const LinkRequest = z.object({ userId: z.string().min(1).max(LIMITS.maxIdLength) });
const MAX_LINK_BODY = 1024;

async function link(c: CollectorContext) {
  refuseForms(c);
  const { auth, store, hashOf } = c.env;
  const p = await auth.authenticate(c, c.params.id!, 'link');
  if (p.via !== 'secret') {
    throw new HttpError(403, 'forbidden', 'a link is proven by the browser’s own subject secret, not by a token');
  }
  const parsed = LinkRequest.safeParse(await c.json(MAX_LINK_BODY));
  if (!parsed.success) throw new HttpError(400, 'bad_request', `not a link request: ${describeIssues(parsed.error)}`);
  const { userId } = parsed.data;
  const at = Date.now();
  await store.linkIdentity({ site: p.ref.site, anonymousId: p.ref.id, userId, at });
  const subjectHash = hashOf(p.ref.site, 'anonymous', p.ref.id);
  await store.appendAudit({ at, site: p.ref.site, action: 'link', subjectHash, via: p.via, outcome: 'ok', receiptId: null });
  return json(201, { anonymousId: p.ref.id, userId });
}

export const identityRoutes: CollectorRoute[] = [{ method: 'POST', path: '/v1/subjects/:id/links', handler: link }];
