/** A cookie a purpose's tags set: a name, a pattern, or either with the domain and path it was set with. */
export type CookieRule = string | RegExp | { name: string | RegExp; domain?: string; path?: string };

/**
 * Deletes the cookies matching the rules. A cookie is deleted only with the domain and path it was
 * set with, which `document.cookie` does not reveal, so without them we try the host, each parent
 * domain (where `_ga` and friends live) and the paths `/` and the current default. HttpOnly cookies
 * cannot be reached from script.
 */
export function deleteCookies(rules: CookieRule[]): void {
  const names = document.cookie.split(';').map((c) => c.split('=')[0]!.trim());
  const labels = location.hostname.split('.');
  for (const rule of rules) {
    const r = typeof rule === 'object' && !(rule instanceof RegExp) ? rule : { name: rule };
    const domains = r.domain ? [r.domain] : ['', ...labels.map((_, i) => labels.slice(i).join('.'))];
    const paths = r.path ? [r.path] : ['/', ''];
    for (const name of names) {
      if (!name || (typeof r.name === 'string' ? name !== r.name : name.search(r.name) < 0)) continue;
      for (const d of domains) {
        for (const p of paths) {
          // A past `expires` rather than Max-Age=0, which some cookie jars (happy-dom's) ignore. Not the
          // Cookie Store API: Safari lacks it, and tags set these cookies through document.cookie too.
          // biome-ignore lint/suspicious/noDocumentCookie: see above
          document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT${p && `; path=${p}`}${d && `; domain=${d}`}`;
        }
      }
    }
  }
}
