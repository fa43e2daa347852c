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

const EMAIL = /[\w.+-]+(@|%40)[\w-]+\.[\w.-]+/g;

/**
 * Removes denylisted query parameters (any case), values that look like an e-mail address, a
 * fragment that carries parameters, and anything else that looks like an e-mail address from a URL,
 * and cuts it to 4096 characters. Returns '' for an unparsable URL.
 */
export function sanitizeUrl(href: string, denylist: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return '';
  }
  const params = url.searchParams;
  for (const [k, v] of [...params])
    if (denylist.some((d) => d.toLowerCase() === k.toLowerCase()) || v.match(EMAIL)) params.delete(k, v);
  // A fragment with parameters may carry tokens (OAuth implicit flow): it goes; #/routes and #anchors stay.
  if (url.hash.includes('=')) url.hash = '';
  // The wire format's limit for URLs: a longer one would get the whole event rejected.
  return url.href.replace(EMAIL, '').replace(/[?#]$/, '').slice(0, 4096);
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
