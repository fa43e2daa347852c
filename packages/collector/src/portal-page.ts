/**
 * The standalone privacy portal at /privacy: a page that loads the portal bundle (the `tillit-portal.js`
 * export of @tillit/portal), which reads a short-lived token from the URL fragment and calls this
 * collector's data-subject API.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { HttpError, type Reply } from './http.js';
import type { Route } from './router.js';

const BUNDLE = 'tillit-portal.js';

/** The portal bundle's file, as @tillit/portal exports it; null when the package is not built. */
export function findPortalBundle(): string | null {
  try {
    return createRequire(import.meta.url).resolve(`@tillit/portal/${BUNDLE}`);
  } catch {
    return null;
  }
}

// The token never leaves the fragment for a server; no referrer, no framing, no script but ours.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Your privacy · Din integritet</title>
<link rel="icon" href="data:,">
<script src="/privacy/${BUNDLE}" defer></script>
</head>
<body>
<main>
<tillit-privacy-portal mode="standalone"></tillit-privacy-portal>
<noscript>This page needs JavaScript. · Den här sidan kräver JavaScript.</noscript>
</main>
</body>
</html>
`;

function portalPage(): Reply {
  return {
    status: 200,
    headers: { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(PAGE) },
    body: PAGE,
  };
}

async function portalBundle(): Promise<Reply> {
  const file = findPortalBundle();
  if (!file) {
    throw new HttpError(
      503,
      'unavailable',
      `the portal bundle ${BUNDLE} is not built: run \`npm run build\` (it builds @tillit/portal's dist/${BUNDLE})`,
    );
  }
  const body = await readFile(file);
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}

export const portalRoutes: Route[] = [
  { method: 'GET', path: '/privacy', handler: portalPage },
  { method: 'GET', path: `/privacy/${BUNDLE}`, handler: portalBundle },
];
