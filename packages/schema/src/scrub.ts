/**
 * Removing personal data from URLs and page titles: one implementation for the SDK (before an event is
 * queued) and the collector (what any other client sends). No zod here: the SDK bundles this module
 * (as `@tillit/schema/scrub`) into the script tag.
 */
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
