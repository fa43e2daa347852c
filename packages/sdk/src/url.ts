/** Query parameters that commonly carry secrets or personal data; removed from every stored URL. */
export const DEFAULT_URL_DENYLIST = [
  'email',
  'mail',
  'phone',
  'name',
  'password',
  'pwd',
  'secret',
  'token',
  'access_token',
  'id_token',
  'auth',
  'code',
  'state',
  'session',
  'sid',
  'key',
  'apikey',
  'api_key',
  'sig',
  'signature',
];

/**
 * An e-mail address (also with `%40`), matched only from the start of a run of the characters its
 * local part may hold: the engine never retries from inside a run, so the time is linear in the
 * text's length. (`[\w.+-]+@…` alone retried from every position of a long run of letters:
 * quadratic, a 100 KB URL froze the page for seconds.) The character before the run is kept ($1).
 */
const EMAIL = /(^|[^\w.+-])[\w.+-]+(?:@|%40)[\w-]+\.[\w.-]+/g;

/** Removes what looks like an e-mail address, in time linear in the text's length. */
export const scrubEmails = (text: string) => text.replace(EMAIL, '$1');

/**
 * Removes denylisted query parameters (any case), values that look like an e-mail address, a
 * fragment that carries parameters, and anything else that looks like an e-mail address from a URL,
 * and cuts it to 4096 characters. Returns '' for an unparsable URL. Linear in the URL's length.
 */
export function sanitizeUrl(href: string, denylist: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return '';
  }
  const params = [...url.searchParams];
  const kept = params.filter(([k, v]) => !denylist.some((d) => d.toLowerCase() === k.toLowerCase()) && scrubEmails(v) === v);
  // Rebuilt once: URLSearchParams.delete() re-serializes the whole query each time (quadratic).
  if (kept.length < params.length) url.search = `${new URLSearchParams(kept)}`;
  // A fragment with parameters may carry tokens (OAuth implicit flow): it goes; #/routes and #anchors stay.
  if (url.hash.includes('=')) url.hash = '';
  // The wire format's limit for URLs: a longer one would get the whole event rejected. Cut after
  // scrubbing, so that no address is cut into a part the pattern no longer sees.
  return scrubEmails(url.href).replace(/[?#]$/, '').slice(0, 4096);
}

/** Segment-style campaign fields from a landing URL's `utm_*` parameters, or null when there are none. */
export function campaignOf(href: string): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  try {
    new URL(href).searchParams.forEach((v, k) => {
      const m = /^utm_(source|medium|campaign|term|content|id)$/i.exec(k)?.[1]?.toLowerCase();
      if (m) {
        out ??= {};
        out[m === 'campaign' ? 'name' : m] = v.slice(0, 512);
      }
    });
  } catch {}
  return out;
}
