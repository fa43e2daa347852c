/**
 * The standalone privacy portal at /privacy: a page that loads the portal bundle (packages/portal/dist),
 * which reads a short-lived token from the URL fragment and calls this collector's data-subject API.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { HttpError } from './http.js';

const BUNDLE = 'tillit-portal.js';

/**
 * Where the portal bundle is: next to this package in the monorepo and in node_modules alike
 * (packages/collector/dist → packages/portal/dist; node_modules/@tillit/collector/dist → …/portal/dist),
 * else wherever Node resolves @tillit/portal.
 */
export function findPortalBundle(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../../portal/dist', BUNDLE)];
  try {
    const pkg = createRequire(import.meta.url).resolve('@tillit/portal/package.json');
    candidates.push(join(dirname(pkg), 'dist', BUNDLE));
  } catch {
    // Not installed as a package (monorepo without the link): the relative path is the only one.
  }
  return candidates.find((file) => existsSync(file)) ?? null;
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

export function sendPortalPage(res: ServerResponse): void {
  res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(PAGE) });
  res.end(PAGE);
}

export async function sendPortalBundle(res: ServerResponse): Promise<void> {
  const file = findPortalBundle();
  if (!file) {
    throw new HttpError(
      503,
      'unavailable',
      `the portal bundle ${BUNDLE} is not built: run \`npm run build\` (packages/portal/dist)`,
    );
  }
  const body = await readFile(file);
  res.writeHead(200, {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
