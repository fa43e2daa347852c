/**
 * Writing the first-party cookies (read by cookies.ts): here, in the privacy chunk, which only sites
 * that configure a cookie load for it. Its own module, apart from the reader, so that the chunk shares
 * no module with the core (a shared one makes the npm build wrap modules in lazy initialisers).
 * The subject secret never goes into a cookie: a domain cookie travels to every subdomain's server
 * (their logs, and any subdomain a vendor runs) and is readable by every subdomain's scripts, and the
 * secret reads and erases the visitor's data.
 */
import type { StoredDecision } from './consent-rules.js';

/**
 * Writes both cookies as the state now is, or deletes them (no decision, or nothing granted for the
 * id). They live as long as the decision still has to live (`consentMaxAgeDays` from its time): those
 * seconds are returned (for the collector's identity cookie). A deletion needs the same domain and path,
 * and max-age -1, not 0, which can leave the cookie for the rest of the millisecond (happy-dom does).
 */
export function writeCookies(
  decision: StoredDecision | null,
  maxAgeMs: number,
  consentCookie: boolean | { domain?: string } | undefined,
  idDomain: string | undefined,
  id: string | undefined,
) {
  const left = decision ? ((Date.parse(decision.decidedAt) + maxAgeMs - Date.now()) / 1000) | 0 : -1;
  const write = (name: string, value: string | undefined, domain: string | undefined) =>
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Safari and Firefox
    (document.cookie = `${name}=${value ? encodeURIComponent(value) : ''};path=/;max-age=${value ? left : -1};samesite=lax${
      location.protocol === 'https:' ? ';secure' : ''
    }${domain ? `;domain=${domain}` : ''}`);
  // The cookie leaves out the pending record (it travels with every request to the site).
  if (consentCookie)
    write(
      'tillit_consent', // decision-store.ts DECISION_KEY
      decision ? JSON.stringify(decision, (k, v) => (k === 'record' ? undefined : v)) : undefined,
      (typeof consentCookie === 'object' && consentCookie.domain) || idDomain,
    );
  if (idDomain) write('tillit_aid', id, idDomain); // cookies.ts ID_COOKIE
  return left;
}
