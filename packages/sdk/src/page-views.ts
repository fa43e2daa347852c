/** Automatic page views (config `autoPageViews`): now, and after every history navigation (SPAs). */
export function trackPageViews(page: () => void) {
  let last = '';
  // Deferred: SPAs set the new title after they push the new URL.
  const view = () =>
    setTimeout(() => {
      const here = location.pathname + location.search;
      if (here !== last) {
        last = here;
        page();
      }
    });
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...a: Parameters<History['pushState']>) {
      original.apply(this, a);
      view();
    };
  }
  addEventListener('popstate', view);
  view();
}
