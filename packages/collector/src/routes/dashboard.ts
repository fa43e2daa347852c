/**
 * The operator's dashboard at /dashboard: a page that loads @tillit/dashboard's built files under a
 * strict CSP (no inline script or style, same-origin requests only), and the operator routes it reads
 * besides the insights and the existing operator API: the overview (activity per day, consent
 * statistics) and the live event log. The page holds the operator token in memory only.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { DEFAULT_CONVERSION_EVENTS } from '@tillit/insights';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json, type Reply } from '../http.js';
import { ParamError, parsePeriod } from '../insights-params.js';
import { consentStats, dailyActivity } from '../operator-stats.js';

const FILES = { 'dashboard.js': 'text/javascript', 'dashboard.css': 'text/css' } as const;

/** A file of @tillit/dashboard as the package exports it; null when it is not built. */
export function findDashboardFile(name: keyof typeof FILES): string | null {
  try {
    return createRequire(import.meta.url).resolve(`@tillit/dashboard/${name}`);
  } catch {
    return null;
  }
}

// No script or style but the dashboard's own files; no framing, no referrer, no form posts anywhere.
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Tillit dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/dashboard.css">
<script src="/dashboard/dashboard.js" defer></script>
</head>
<body>
<noscript>The dashboard needs JavaScript. · Instrumentpanelen kräver JavaScript.</noscript>
</body>
</html>
`;

const SECURITY_HEADERS = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function page(): Reply {
  const headers = { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(PAGE) };
  return { status: 200, headers, body: PAGE };
}

function asset(name: keyof typeof FILES) {
  return async (): Promise<Reply> => {
    const file = findDashboardFile(name);
    if (!file) {
      const reason = `the dashboard's ${name} is not built: run \`npm run build\` (it builds @tillit/dashboard)`;
      throw new HttpError(503, 'unavailable', reason);
    }
    const body = await readFile(file);
    const headers = { ...SECURITY_HEADERS, 'Content-Type': `${FILES[name]}; charset=utf-8`, 'Content-Length': body.length };
    return { status: 200, headers: { ...headers, 'Cache-Control': 'no-cache' }, body };
  };
}

function period(c: CollectorContext) {
  try {
    return parsePeriod((name) => c.query(name));
  } catch (error) {
    if (error instanceof ParamError) throw new HttpError(400, 'bad_request', error.message, { parameter: error.param });
    throw error;
  }
}

/** Events, visitors and orders per day, and the consent statistics, over `?from=&to=`. */
async function overview(c: CollectorContext) {
  const { auth, store } = c.env;
  await auth.requireOperator(c);
  const { from, to } = period(c);
  const site = auth.siteOf(c.query('site') ?? undefined, '?site=');
  const query = { site, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  const days = await dailyActivity(store.streamEvents(query), DEFAULT_CONVERSION_EVENTS);
  const consent = consentStats(await store.listConsentDecisions(site), from, to);
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return json(200, { site, from: iso(from), to: iso(to), days, consent });
}

/** The last events received (accepted, duplicate, rejected with the reason), after `?after=` (a seq). */
async function live(c: CollectorContext) {
  const { auth, live } = c.env;
  await auth.requireOperator(c);
  const after = Number(c.query('after') ?? 0);
  if (!Number.isInteger(after) || after < 0)
    throw new HttpError(400, 'bad_request', '?after= must be a sequence number (0 or more)');
  const site = c.query('site') ?? undefined;
  return json(200, { entries: live.since(after, site) });
}

export const dashboardRoutes: CollectorRoute[] = [
  { method: 'GET', path: '/dashboard', handler: page },
  { method: 'GET', path: '/dashboard/dashboard.js', handler: asset('dashboard.js') },
  { method: 'GET', path: '/dashboard/dashboard.css', handler: asset('dashboard.css') },
  { method: 'GET', path: '/v1/admin/overview', handler: overview },
  { method: 'GET', path: '/v1/admin/live', handler: live },
];
