/**
 * The insights API (operator token): `GET /v1/insights/:analysis` runs one analysis of
 * @tillit/insights on a site's events, as JSON or `?format=csv`. And the two rights that take a
 * person out of it at once: objection to profiling (Art. 21) and restriction (Art. 18), asked by the
 * subject (secret or token) or by the operator for them (operator token, `?site=&kind=`), both audited.
 */
import { randomUUID } from 'node:crypto';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import { conclusionsFor } from '../conclusions.js';
import { insightCsv } from '../insights-csv.js';
import { ParamError, parseAnalysis, parseParams } from '../insights-params.js';
import { runInsight } from '../insights-run.js';
import type { ProcessingLimit } from '../store.js';
import { refuseForms } from '../subject-auth.js';

const badParam = (error: unknown) =>
  error instanceof ParamError ? new HttpError(400, 'bad_request', error.message, { parameter: error.param }) : error;

async function insight(c: CollectorContext) {
  const { auth } = c.env;
  await auth.requireOperator(c);
  const url = new URL(c.req.url, 'http://collector');
  const format = url.searchParams.get('format') ?? 'json';
  let request: { analysis: ReturnType<typeof parseAnalysis>; params: ReturnType<typeof parseParams> };
  try {
    if (format !== 'json' && format !== 'csv')
      throw new ParamError('format', `must be json or csv, got "${format.slice(0, 20)}"`);
    const analysis = parseAnalysis(c.params.analysis!);
    const names = [...url.searchParams.keys()].filter((name) => name !== 'format' && name !== 'site');
    request = { analysis, params: parseParams(analysis, (name) => url.searchParams.get(name), names) };
  } catch (error) {
    throw badParam(error);
  }
  const site = auth.siteOf(url.searchParams.get('site') ?? undefined, '?site=');
  const { store, hashOf, config } = c.env;
  const deps = { store, hashOf, serverSidePurposes: config.serverSidePurposes };
  const result = await runInsight(deps, site, request.analysis, request.params);
  if (format === 'json') return json(200, result);
  const body = insightCsv(request.analysis, result as unknown as Record<string, unknown>);
  const headers = {
    'Content-Type': 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="tillit-${request.analysis}.csv"`,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  };
  return { status: 200, headers, body };
}

/** Records (POST) or lifts (DELETE) an objection or restriction for the authenticated subject. */
function limitHandler(right: ProcessingLimit['right'], lift: boolean) {
  return async (c: CollectorContext) => {
    refuseForms(c);
    const { auth, store, hashOf } = c.env;
    const p = await auth.authenticate(c, c.params.id!, right);
    const subjectHash = hashOf(p.ref.site, p.ref.kind, p.ref.id);
    const at = Date.now();
    const receiptId = randomUUID();
    let outcome = 'recorded';
    if (lift) outcome = (await store.removeProcessingLimit(p.ref.site, subjectHash, right)) ? 'lifted' : 'none';
    else await store.addProcessingLimit({ site: p.ref.site, subjectHash, right, at });
    await store.appendAudit({
      at,
      site: p.ref.site,
      action: `${right}${lift ? '.lift' : ''}`,
      subjectHash,
      via: p.via,
      outcome,
      receiptId,
    });
    return json(lift ? 200 : 201, { receiptId, right, outcome, at: new Date(at).toISOString(), subjectHash });
  };
}

/** What the per-person analyses concluded about the authenticated subject, and their objection and restriction. */
async function conclusions(c: CollectorContext) {
  const { auth, store, hashOf } = c.env;
  const p = await auth.authenticate(c, c.params.id!, 'conclusions');
  const subjectHash = hashOf(p.ref.site, p.ref.kind, p.ref.id);
  await store.appendAudit({
    at: Date.now(),
    site: p.ref.site,
    action: 'conclusions',
    subjectHash,
    via: p.via,
    outcome: 'ok',
    receiptId: null,
  });
  return json(200, await conclusionsFor(c.env, p.ref));
}

export const insightsRoutes: CollectorRoute[] = [
  { method: 'GET', path: '/v1/subjects/:id/conclusions', handler: conclusions },
  { method: 'GET', path: '/v1/insights/:analysis', handler: insight },
  { method: 'POST', path: '/v1/subjects/:id/objection', handler: limitHandler('objection', false) },
  { method: 'DELETE', path: '/v1/subjects/:id/objection', handler: limitHandler('objection', true) },
  { method: 'POST', path: '/v1/subjects/:id/restriction', handler: limitHandler('restriction', false) },
  { method: 'DELETE', path: '/v1/subjects/:id/restriction', handler: limitHandler('restriction', true) },
];
