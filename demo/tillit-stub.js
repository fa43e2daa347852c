// The Tillit snippet: queues calls made before the async tillit.js has loaded; tillit.js replays
// them. A file rather than an inline script, so that it works under a strict CSP.
window.tillit = window.tillit || [];
for (const m of ['track', 'page', 'identify', 'reset', 'showPreferences']) {
  window.tillit[m] ??= (...args) => window.tillit.push([m, ...args]);
}
window.tillit.consent ??= {};
for (const m of ['set', 'acceptAll', 'rejectAll', 'onChange']) {
  window.tillit.consent[m] ??= (...args) => window.tillit.push([`consent.${m}`, ...args]);
}
