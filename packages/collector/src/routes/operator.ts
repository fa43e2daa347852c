/**
 * The operator API, behind the operator token: the Art. 30 register, requests received offline (e-mail,
 * post) tracked to their due date, and the audit log.
 */
import { randomUUID } from 'node:crypto';
import { type SubjectKind, describeIssues } from '@tillit/schema';
import { z } from 'zod';
import { processingRegister } from '../access-answer.js';
import { addOneMonth } from '../dates.js';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, json } from '../http.js';
import type { RequestRow } from '../store.js';

const MAX_ADMIN_BODY = 16 * 1024;
const iso = (ms: number) => new Date(ms).toISOString();

const RequestInput = z.object({
  kind: z.enum(['access', 'export', 'erasure', 'rectification', 'restriction', 'objection', 'withdrawal']),
  channel: z.enum(['email', 'post', 'phone', 'in_person', 'other']),
  /** When the request arrived; defaults to now. The due date counts from it. */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
  site: z.string().min(1).optional(),
  /** The subject's id if the requester gave it; stored only as a keyed hash. */
  subjectId: z.string().min(1).max(256).optional(),
  subjectKind: z.enum(['anonymous', 'user']).default('user'),
  /** Your own reference, e.g. a ticket number. Put no personal data here. */
  reference: z.string().max(200).optional(),
});
const RequestUpdate = z.object({ state: z.enum(['received', 'in_progress', 'answered', 'refused', 'withdrawn']) });

const requestJson = (r: RequestRow) => ({
  receiptId: r.receiptId,
  site: r.site,
  kind: r.kind,
  channel: r.channel,
  subjectHash: r.subjectHash,
  reference: r.reference,
  receivedAt: iso(r.receivedAt),
  dueAt: iso(r.dueAt),
  state: r.state,
  updatedAt: iso(r.updatedAt),
  answeredAt: r.answeredAt === null ? null : iso(r.answeredAt),
  overdue: r.answeredAt === null && r.dueAt < Date.now(),
});

async function register(c: CollectorContext) {
  const { auth, config } = c.env;
  await auth.requireOperator(c);
  return json(200, { ...processingRegister(config), sites: config.sites.map((s) => ({ name: s.name, origins: s.origins })) });
}

async function recordRequest(c: CollectorContext) {
  const { auth, store, hashOf } = c.env;
  await auth.requireOperator(c);
  const parsed = RequestInput.safeParse(await c.json(MAX_ADMIN_BODY));
  if (!parsed.success) throw new HttpError(400, 'bad_request', `not a request record: ${describeIssues(parsed.error)}`);
  const input = parsed.data;
  const site = auth.siteOf(input.site, 'site');
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : new Date();
  const now = Date.now();
  const row: RequestRow = {
    receiptId: randomUUID(),
    site,
    kind: input.kind,
    channel: input.channel,
    subjectHash: input.subjectId ? hashOf(site, input.subjectKind as SubjectKind, input.subjectId) : null,
    reference: input.reference ?? null,
    receivedAt: receivedAt.getTime(),
    dueAt: addOneMonth(receivedAt).getTime(),
    state: 'received',
    updatedAt: now,
    answeredAt: null,
  };
  await store.insertRequest(row);
  const { subjectHash, receiptId } = row;
  await store.appendAudit({
    at: now,
    site,
    action: `request.${input.kind}`,
    subjectHash,
    via: 'operator',
    outcome: 'recorded',
    receiptId,
  });
  return json(201, requestJson(row));
}

async function listRequests(c: CollectorContext) {
  const { auth, store } = c.env;
  await auth.requireOperator(c);
  const rows = await store.listRequests({ openOnly: c.query('state') === 'open' });
  return json(200, { requests: rows.map(requestJson) });
}

async function updateRequest(c: CollectorContext) {
  const { auth, store } = c.env;
  await auth.requireOperator(c);
  const parsed = RequestUpdate.safeParse(await c.json(MAX_ADMIN_BODY));
  if (!parsed.success) {
    throw new HttpError(400, 'bad_request', 'state must be one of received, in_progress, answered, refused, withdrawn');
  }
  const now = Date.now();
  const row = await store.updateRequest(c.params.receiptId!, parsed.data.state, now);
  if (!row) throw new HttpError(404, 'not_found', `no request with receipt ${c.params.receiptId}`);
  await store.appendAudit({
    at: now,
    site: row.site,
    action: `request.${row.kind}`,
    subjectHash: row.subjectHash,
    via: 'operator',
    outcome: parsed.data.state,
    receiptId: row.receiptId,
  });
  return json(200, requestJson(row));
}

async function auditLog(c: CollectorContext) {
  const { auth, store } = c.env;
  await auth.requireOperator(c);
  const limit = Math.min(Math.max(Number(c.query('limit')) || 100, 1), 1000);
  const before = Number(c.query('before')) || undefined;
  const rows = await store.listAudit({ limit, ...(before ? { before } : {}) });
  return json(200, { entries: rows.map((r) => ({ ...r, at: iso(r.at) })) });
}

export const operatorRoutes: CollectorRoute[] = [
  { method: 'GET', path: '/v1/admin/register', handler: register },
  { method: 'GET', path: '/v1/admin/requests', handler: listRequests },
  { method: 'POST', path: '/v1/admin/requests', handler: recordRequest },
  { method: 'PATCH', path: '/v1/admin/requests/:receiptId', handler: updateRequest },
  { method: 'GET', path: '/v1/admin/audit', handler: auditLog },
];
