/**
 * Who a data-subject or operator request is from. Every request proves it with
 * `Authorization: Bearer <credential>`: the subject secret, a token signed by the site's backend, a
 * portal token, or the operator token. Never cookies, so a cross-site form cannot act for anyone.
 */
import { randomUUID } from 'node:crypto';
import type { CollectorDeps } from './deps.js';
import { deriveKey, isTokenShaped, issuedAt, safeEqual, secretMatches, verifyToken } from './auth.js';
import { HttpError, mediaType } from './http.js';
import { addressBucket } from './ip.js';
import { type FailureLimit, FailureLimiter, StoreLimitWithFallback } from './rate-limit.js';
import type { Context } from './router.js';
import type { SubjectRef } from './store.js';

export interface Principal {
  ref: SubjectRef;
  via: 'secret' | 'token' | 'portal' | 'operator';
}

// One answer for a wrong secret, a bad token and an unknown subject, so none can be told apart.
export const notFound = () => new HttpError(404, 'not_found', 'no data for these credentials');
// Cross-site forms can send these without a preflight; the API never takes them.
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

export function bearer(c: Context): string {
  const header = c.header('authorization');
  const credential = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!credential) {
    throw new HttpError(
      401,
      'unauthorized',
      'send the subject secret or a token as "Authorization: Bearer <credential>"',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  return credential;
}

export function refuseForms(c: Context): void {
  const type = mediaType(c.req.headers);
  if (FORM_TYPES.has(type)) {
    throw new HttpError(415, 'unsupported_media_type', `content-type ${type} is not accepted here: send no body`);
  }
}

async function refuseIfLimited(limiter: FailureLimit, key: string): Promise<void> {
  const wait = await limiter.retryAfter(key);
  if (wait > 0) {
    const reason = `too many failed requests: retry in ${wait} s`;
    throw new HttpError(429, 'too_many_requests', reason, {}, { 'Retry-After': String(wait) });
  }
}

/** Checks the credentials of data-subject and operator requests, and limits failed guesses. */
export class SubjectAuth {
  /** The key that signs portal tokens. */
  readonly portalKey: string;
  // Failed subject guesses per address bucket and per subject id; wrong operator tokens apart, so subject
  // guesses from an address the operator shares never lock the operator out.
  private readonly byAddress: FailureLimit;
  private readonly bySubject: FailureLimit;
  private readonly operatorFailures: FailureLimit;
  // Key 0 is the collector's portal key; the others are the sites' token keys, with the site they belong to.
  private readonly tokenKeys: string[];
  private readonly keySite: (string | null)[];
  private readonly operatorToken: string;

  constructor(private readonly deps: Pick<CollectorDeps, 'config' | 'store' | 'serverKey' | 'hashOf'>) {
    const { config } = deps;
    this.portalKey = deriveKey(deps.serverKey, 'portal-token');
    const { max, perSubject, windowSeconds } = config.failureLimit;
    // Counted in the store when it is shared by several collectors (PostgreSQL), else in memory.
    const limit = (name: string, maxFailures: number) => {
      const local = new FailureLimiter(maxFailures, windowSeconds * 1000);
      const shared = deps.store.failureLimit?.(name, maxFailures, windowSeconds * 1000);
      return shared ? new StoreLimitWithFallback(shared, local) : local;
    };
    this.byAddress = limit('address', max);
    this.bySubject = limit('subject', perSubject);
    this.operatorFailures = limit('operator', max);
    this.tokenKeys = [this.portalKey, ...config.sites.flatMap((site) => site.tokenKeys)];
    this.keySite = [null, ...config.sites.flatMap((site) => site.tokenKeys.map(() => site.name))];
    this.operatorToken = config.operatorToken ?? randomUUID() + randomUUID();
  }

  /** The site an operator request names (`field` says where), or the only one configured. */
  siteOf(name: string | undefined, field: string): string {
    const { sites } = this.deps.config;
    const site = name ?? (sites.length === 1 ? sites[0]!.name : undefined);
    if (!site || !sites.some((s) => s.name === site)) {
      const names = sites.map((s) => s.name).join(', ');
      throw new HttpError(400, 'bad_request', `${field}: name one of the configured sites (${names})`);
    }
    return site;
  }

  /**
   * Proves that the request is about `id`, or fails with the one answer that says nothing. The credential is
   * the request's Bearer one unless given (the identity route takes the secret in its body).
   */
  async authenticate(c: Context, id: string, action: string, credential = bearer(c)): Promise<Principal> {
    const bucket = addressBucket(c.clientAddress);
    if (safeEqual(credential, this.operatorToken) && this.deps.config.operatorToken) {
      await refuseIfLimited(this.operatorFailures, bucket);
      return this.operatorPrincipal(c, id);
    }
    await refuseIfLimited(this.byAddress, bucket);
    await refuseIfLimited(this.bySubject, id);
    let principal: Principal | null = null;
    if (isTokenShaped(credential)) {
      principal = await this.tokenPrincipal(credential, id);
    } else {
      const subject = await this.deps.store.findSubject(id);
      if (secretMatches(credential, subject?.secretHashes ?? []) && subject) {
        principal = { ref: { site: subject.site, kind: 'anonymous', id }, via: 'secret' };
      }
    }
    if (!principal) {
      await this.byAddress.fail(bucket);
      await this.bySubject.fail(id);
      // Counted per action and hour: a guessing attack must not grow the log by a row a guess.
      await this.deps.store.countDenied(action, Date.now());
      throw notFound();
    }
    return principal;
  }

  /** Lets the operator token through, or fails (404 when the operator API is off, 401 for a wrong token). */
  async requireOperator(c: Context): Promise<void> {
    const { operatorToken } = this.deps.config;
    if (!operatorToken) {
      throw new HttpError(404, 'not_found', 'the operator API is off: set operatorToken in the collector config');
    }
    const bucket = addressBucket(c.clientAddress);
    await refuseIfLimited(this.operatorFailures, bucket);
    if (!safeEqual(bearer(c), operatorToken)) {
      await this.operatorFailures.fail(bucket);
      throw new HttpError(401, 'unauthorized', 'wrong operator token');
    }
  }

  private operatorPrincipal(c: Context, id: string): Principal {
    // The operator acts for one site and one kind of id at a time; a misspelt kind must not reach a user.
    const site = this.siteOf(c.query('site') ?? undefined, '?site=');
    const kind = c.query('kind') ?? 'user';
    if (kind !== 'user' && kind !== 'anonymous') {
      throw new HttpError(400, 'bad_request', `?kind= must be user or anonymous, got ${kind.slice(0, 20)}`);
    }
    return { ref: { site, kind, id }, via: 'operator' };
  }

  /**
   * Whether `token` is a live token of `site`'s backend for `userId` (not a portal token): the site vouches
   * that its logged-in user is that user. A browser's subject secret proves the browser, never the user.
   */
  async vouchesFor(token: string | undefined, site: string, userId: string): Promise<boolean> {
    if (!token || !isTokenShaped(token)) return false;
    const principal = await this.tokenPrincipal(token, userId);
    return principal?.via === 'token' && principal.ref.site === site;
  }

  private async tokenPrincipal(credential: string, id: string): Promise<Principal | null> {
    const verified = verifyToken(credential, this.tokenKeys);
    if (!verified || verified.claims.sub !== id) return null;
    const { claims, keyIndex } = verified;
    let principal: Principal | null = null;
    if (keyIndex === 0 && claims.site && (claims.kind === 'anonymous' || claims.kind === 'user')) {
      principal = { ref: { site: claims.site, kind: claims.kind, id }, via: 'portal' };
    } else if (keyIndex > 0) {
      principal = { ref: { site: this.keySite[keyIndex]!, kind: 'user', id }, via: 'token' };
    }
    if (!principal) return null;
    // Erasure ends every token of the subject issued until then, on every collector sharing the store.
    const { site, kind } = principal.ref;
    const erasedAt = await this.deps.store.subjectErasedAt(this.deps.hashOf(site, kind, id));
    return erasedAt !== null && issuedAt(claims) * 1000 <= erasedAt ? null : principal;
  }
}
