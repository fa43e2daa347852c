// The Tillit snippet: queues calls made before the async tillit.js has loaded; tillit.js replays
// them. A file rather than an inline script, so that it works under a strict CSP.
window.tillit = window.tillit || [];
for (const m of [
  'track',
  'page',
  'screen',
  'identify',
  'group',
  'alias',
  'reset',
  'ready',
  'addSourceMiddleware',
  'showPreferences',
]) {
  window.tillit[m] ??= (...args) => window.tillit.push([m, ...args]);
}
window.tillit.consent ??= {};
for (const m of ['set', 'acceptAll', 'rejectAll', 'onChange']) {
  window.tillit.consent[m] ??= (...args) => window.tillit.push([`consent.${m}`, ...args]);
}

// What the banner's preferences dialog says about each purpose: who receives the data and how long
// it is kept (EDPB: consent must be informed).
window.tillitBannerOptions = {
  purposes: {
    analytics: { recipients: 'Only this shop (its own collector)', retention: '13 months' },
    marketing: {
      description: 'Which campaign or link brought you here, so the shop can tell which of its campaigns work.',
      recipients: 'Only this shop',
      retention: '13 months',
    },
    personalization: { recipients: 'Only this shop', retention: '13 months' },
  },
};
