/**
 * The identity cookie's name, value and header (routes/identity-cookie.ts), set by the collector for one of
 * a site's pages. Its value is signed, `base64url(id).expiry.HMAC-SHA256(site, id, expiry)`, because it is
 * a credential: a request that carries it may bind a new subject secret to the id. The anonymous id itself
 * is no secret (it is in every event, and in the script-written `tillit_aid` cookie that every subdomain's
 * scripts and servers see), so a cookie holding only the id would let anyone who knows a visitor's id bind
 * a secret of their own to it and read or erase that visitor's data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from './auth.js';
import type { SiteConfig } from './config.js';

/**
 * Browsers keep a `__Host-` cookie only if it is Secure, host-only and on Path=/, so no other host of the
 * site (a vendor's subdomain, a user-content one) can plant its own signed cookie in a visitor's browser
 * for the visitor to adopt the planter's id ("cookie tossing"). With a configured domain (every subdomain's
 * server receives it) the prefix is impossible: the cookie is `tillit_aid` on Path=/v1/identity.
 */
export const HOST_COOKIE = '__Host-tillit_aid';
export const DOMAIN_COOKIE = 'tillit_aid';
/** Browsers cap a cookie's lifetime at 400 days (RFC 6265bis); a longer Max-Age asks for nothing more. */
export const MAX_COOKIE_SECONDS = 400 * 24 * 60 * 60;

const domainOf = (site: SiteConfig) => (typeof site.serverCookie === 'object' && site.serverCookie.domain) || undefined;

/** The cookie's name for the site: what is set, and the only name read back. */
export const cookieName = (site: SiteConfig) => (domainOf(site) ? DOMAIN_COOKIE : HOST_COOKIE);

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

export class IdentityCookies {
  private readonly key: string;

  constructor(serverKey: string) {
    this.key = deriveKey(serverKey, 'identity-cookie');
  }

  private mac(site: string, id: string, expires: number): Buffer {
    return createHmac('sha256', this.key).update(`${site}\0${id}\0${expires}`).digest();
  }

  /** The cookie's value for `id` on `site`, valid for `seconds`. */
  value(site: string, id: string, seconds: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + seconds;
    return `${b64url(id)}.${expires}.${this.mac(site, id, expires).toString('base64url')}`;
  }

  /**
   * The id of the first cookie named `name` in a Cookie header that this collector signed for `site` and
   * that has not expired, or null. (A page's own script-written `tillit_aid` on the registrable domain can
   * arrive under the same name: it carries no signature, so it is skipped like a forged one.)
   */
  idFrom(cookieHeader: string | undefined, name: string, site: string, now = Date.now()): string | null {
    for (const part of (cookieHeader ?? '').split(';')) {
      const [cookie, value = ''] = part.trim().split(/=(.*)/s, 2);
      if (cookie !== name) continue;
      const [encodedId, expiresText, mac, extra] = value.split('.');
      const expires = Number(expiresText);
      if (!encodedId || !mac || extra !== undefined || !Number.isSafeInteger(expires) || expires <= now / 1000) continue;
      const id = Buffer.from(encodedId, 'base64url').toString('utf8');
      const given = Buffer.from(mac, 'base64url');
      const expected = this.mac(site, id, expires);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return id;
    }
    return null;
  }
}

/**
 * A `Set-Cookie` header: the site's cookie with `value` for `seconds`, or its deletion (`Max-Age=0`, with
 * the same name, path and domain, which a deletion must match). HttpOnly (no script reads it), SameSite=Lax
 * (sent with the site's own requests only), Secure (browsers keep it over https only; they treat
 * http://localhost and 127.0.0.1 as secure too, so local work needs no exception).
 */
export function setCookieHeader(site: SiteConfig, value: string | null, seconds = 0): string {
  const domain = domainOf(site);
  return [
    `${cookieName(site)}=${value ?? ''}`,
    `Max-Age=${value === null ? 0 : seconds}`,
    // With a domain, sent back to the identity route only; a __Host- cookie must be on Path=/ (the SDK's
    // other requests to the collector omit credentials, so they carry it nowhere else).
    domain ? `Path=/v1/identity; Domain=${domain}` : 'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    'Secure',
  ].join('; ');
}
