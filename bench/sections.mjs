// The report's sections in order. A module of its own, free of bench/'s packages, so that
// `npm run bench` can check its arguments before it installs them.
export const SECTIONS = ['sizes', 'ingest', 'erasure', 'pg', 'browser', 'dashboard', 'export', 'insights'];
