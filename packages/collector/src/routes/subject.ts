/**
 * The data-subject API (GDPR Art. 15, 17, 20): access, export, erasure, and the exchange of a subject
 * secret for a short-lived portal token (the collector's /privacy page).
 */
import { randomUUID } from 'node:crypto';
import type { ErasureReceipt } from '@tillit/schema';
import { accessAnswer, answerToCsv, processingRegister } from '../access-answer.js';
import { signClaims } from '../auth.js';
import { conclusionsCsv, conclusionsFor } from '../conclusions.js';
import type { CollectorContext, CollectorDeps, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import type { AuditRow } from '../store.js';
import { type Principal, refuseForms } from '../subject-auth.js';

const iso = (ms: number) => new Date(ms).toISOString();

const subjectHash = ({ hashOf }: CollectorDeps, p: Principal) => hashOf(p.ref.site, p.ref.kind, p.ref.id);

function audit(deps: CollectorDeps, p: Principal, action: string, outcome = 'ok', receiptId: string | null = null): AuditRow {
  return { at: Date.now(), site: p.ref.site, action, subjectHash: subjectHash(deps, p), via: p.via, outcome, receiptId };
}

const answer = (deps: CollectorDeps, p: Principal) =>
  accessAnswer(deps.store, p.ref, subjectHash(deps, p), processingRegister(deps.config));

async function access(c: CollectorContext) {
  const p = await c.env.auth.authenticate(c, c.params.id!, 'access');
  await c.env.store.appendAudit(audit(c.env, p, 'access'));
  return json(200, await answer(c.env, p));
}

async function exportData(c: CollectorContext) {
  const format = c.query('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') {
    throw new HttpError(400, 'bad_request', `format must be json or csv, got ${format.slice(0, 20)}`);
  }
  const p = await c.env.auth.authenticate(c, c.params.id!, 'export');
  await c.env.store.appendAudit(audit(c.env, p, `export.${format}`));
  const data = await answer(c.env, p);
  // What was concluded about the visitor travels with their data (Art. 15(1)(h), Art. 20).
  const derived = await conclusionsFor(c.env, p.ref);
  const body = format === 'json' ? JSON.stringify({ ...data, derived }, null, 2) : answerToCsv(data) + conclusionsCsv(derived);
  const headers = {
    'Content-Type': format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="tillit-data.${format}"`,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  };
  return { status: 200, headers, body };
}

async function erase(c: CollectorContext) {
  refuseForms(c);
  const { env } = c;
  const p = await env.auth.authenticate(c, c.params.id!, 'erase');
  const receiptId = randomUUID();
  const hash = subjectHash(env, p);
  const row = audit(env, p, 'erase', 'ok', receiptId);
  const counts = await env.store.eraseSubject(
    p.ref,
    hash,
    (kind, anyId) => env.hashOf(p.ref.site, kind, anyId),
    row,
    (suppressed) => {
      env.suppression.add(suppressed);
      env.ledger.append(p.ref.site, suppressed);
    },
  );
  const receipt: ErasureReceipt = {
    receiptId,
    erasedAt: iso(row.at),
    subjectHash: hash,
    deleted: { events: counts.events, identityLinks: counts.identityLinks, subjects: counts.subjects },
    pseudonymised: { consentRecords: counts.consentRecords },
  };
  return json(200, receipt);
}

async function portalToken(c: CollectorContext) {
  refuseForms(c);
  const { auth, config, store } = c.env;
  const p = await auth.authenticate(c, c.params.id!, 'token');
  // Only the subject's own secret mints a token: a token that could renew itself would outlive its limit.
  if (p.via !== 'secret') {
    throw new HttpError(403, 'forbidden', `a ${p.via} token cannot be exchanged for another: send the subject secret`);
  }
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + config.portalTokenMinutes * 60;
  const token = signClaims(auth.portalKey, { sub: p.ref.id, exp, iat, site: p.ref.site, kind: p.ref.kind });
  await store.appendAudit(audit(c.env, p, 'token'));
  return json(201, { token, expiresAt: iso(exp * 1000) });
}

export const subjectRoutes: CollectorRoute[] = [
  { method: 'GET', path: '/v1/subjects/:id', handler: access },
  { method: 'DELETE', path: '/v1/subjects/:id', handler: erase },
  { method: 'GET', path: '/v1/subjects/:id/export', handler: exportData },
  { method: 'POST', path: '/v1/subjects/:id/token', handler: portalToken },
];
