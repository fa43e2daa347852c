/**
 * The data-subject API (GDPR Art. 15, 17, 20) and the operator API (Art. 30 register, requests received
 * offline, audit log). Every request proves who it is about with `Authorization: Bearer <credential>`:
 * the subject secret, a token signed by the site's backend, a portal token, or the operator token.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErasureReceipt, type RequestRecord, type SubjectAccess, type SubjectKind, describeIssues } from '@tillit/schema';
import { z } from 'zod';
import { deriveKey, isTokenShaped, keyedHasher, safeEqual, secretMatches, signClaims, verifyToken } from './auth.js';
import type { CollectorConfig } from './config.js';
import { toCsv } from './csv.js';
import { addOneMonth } from './dates.js';
import { HttpError, readJson, sendJson } from './http.js';
import { FailureLimiter } from './rate-limit.js';
import type { AuditRow, RequestRow, Store, SubjectRef, SubjectRows } from './store.js';
import type { SuppressionList } from './suppression.js';

export interface DsrDeps {
  config: CollectorConfig;
  store: Store;
  serverKey: string;
  suppression: SuppressionList;
  /** The client's address as seen (never stored): the key of the failure rate limit. */
  clientAddress(req: IncomingMessage): string;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: string[], url: URL) => Promise<void>;
export interface PatternRoute {
  pattern: RegExp;
  methods: Partial<Record<string, RouteHandler>>;
}

interface Principal {
  ref: SubjectRef;
  via: 'secret' | 'token' | 'portal' | 'operator';
}

// One answer for a wrong secret, a bad token and an unknown subject, so none can be told apart.
const NOT_FOUND = () => new HttpError(404, 'not_found', 'no data for these credentials');
// Cross-site forms can send these without a preflight; the API never takes them.
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
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

function bearer(req: IncomingMessage): string {
  const header = req.headers.authorization;
  const credential = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!credential) {
    throw new HttpError(
      401,
      'unauthorized',
      'send the subject secret or a token as "Authorization: Bearer <credential>"',
      {},
      {
        'WWW-Authenticate': 'Bearer',
      },
    );
  }
  return credential;
}

function refuseForms(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (FORM_TYPES.has(type)) {
    throw new HttpError(415, 'unsupported_media_type', `content-type ${type} is not accepted here: send no body`);
  }
}

export function createDsrRoutes(deps: DsrDeps): PatternRoute[] {
  const { config, store, suppression } = deps;
  const hashOf = keyedHasher(deps.serverKey);
  const portalKey = deriveKey(deps.serverKey, 'portal-token');
  const limiter = new FailureLimiter(config.failureLimit.max, config.failureLimit.windowSeconds * 1000);
  // Key 0 is the collector's portal key; the others are the sites' token keys, with the site they belong to.
  const tokenKeys = [portalKey, ...config.sites.flatMap((site) => site.tokenKeys)];
  const keySite = [null, ...config.sites.flatMap((site) => site.tokenKeys.map(() => site.name))];
  const operatorToken = config.operatorToken ?? randomUUID() + randomUUID();
  const register = () => ({
    ...config.register,
    retention: {
      eventsDays: config.retentionDays,
      statement:
        `Events are deleted ${config.retentionDays} days after they were received. Consent records are kept as proof of ` +
        'consent (Art. 7(1)); after erasure they keep only a keyed hash instead of your identifiers.',
    },
  });

  /** The site an operator request names (`field` says where), or the only one configured. */
  function siteOf(name: string | undefined, field: string): string {
    const site = name ?? (config.sites.length === 1 ? config.sites[0]!.name : undefined);
    if (!site || !config.sites.some((s) => s.name === site)) {
      throw new HttpError(
        400,
        'bad_request',
        `${field}: name one of the configured sites (${config.sites.map((s) => s.name).join(', ')})`,
      );
    }
    return site;
  }

  function checkLimit(req: IncomingMessage): string {
    const address = deps.clientAddress(req);
    const wait = limiter.retryAfter(address);
    if (wait > 0) {
      throw new HttpError(
        429,
        'too_many_requests',
        `too many failed requests: retry in ${wait} s`,
        {},
        { 'Retry-After': String(wait) },
      );
    }
    return address;
  }

  /** Proves that the request is about `id`, or fails with the one answer that says nothing. */
  async function authenticate(req: IncomingMessage, id: string, url: URL, action: string): Promise<Principal> {
    const address = checkLimit(req);
    const credential = bearer(req);
    let principal: Principal | null = null;
    if (safeEqual(credential, operatorToken) && config.operatorToken) {
      // The operator acts for one site and one kind of id at a time; a misspelt kind must not reach a user.
      const site = siteOf(url.searchParams.get('site') ?? undefined, '?site=');
      const kind = url.searchParams.get('kind') ?? 'user';
      if (kind !== 'user' && kind !== 'anonymous') {
        throw new HttpError(400, 'bad_request', `?kind= must be user or anonymous, got ${kind.slice(0, 20)}`);
      }
      principal = { ref: { site, kind, id }, via: 'operator' };
    } else if (isTokenShaped(credential)) {
      const verified = verifyToken(credential, tokenKeys);
      if (verified && verified.claims.sub === id) {
        const { claims, keyIndex } = verified;
        if (keyIndex === 0 && claims.site && (claims.kind === 'anonymous' || claims.kind === 'user')) {
          principal = { ref: { site: claims.site, kind: claims.kind, id }, via: 'portal' };
        } else if (keyIndex > 0) {
          principal = { ref: { site: keySite[keyIndex]!, kind: 'user', id }, via: 'token' };
        }
      }
    } else {
      const subject = await store.findSubject(id);
      if (secretMatches(credential, subject?.secretHash ?? null) && subject) {
        principal = { ref: { site: subject.site, kind: 'anonymous', id }, via: 'secret' };
      }
    }
    if (!principal) {
      limiter.fail(address);
      await store.appendAudit({
        at: Date.now(),
        site: '*',
        action,
        subjectHash: null,
        via: 'none',
        outcome: 'denied',
        receiptId: null,
      });
      throw NOT_FOUND();
    }
    return principal;
  }

  const subjectHash = (ref: SubjectRef) => hashOf(ref.site, ref.kind, ref.id);
  const audit = (p: Principal, action: string, outcome = 'ok', receiptId: string | null = null): AuditRow => ({
    at: Date.now(),
    site: p.ref.site,
    action,
    subjectHash: subjectHash(p.ref),
    via: p.via,
    outcome,
    receiptId,
  });

  async function accessAnswer(p: Principal): Promise<SubjectAccess> {
    const rows: SubjectRows = await store.readSubject(p.ref, subjectHash(p.ref));
    const requests: RequestRecord[] = [
      ...rows.audit.map((a) => ({
        at: iso(a.at),
        action: a.action,
        outcome: a.outcome,
        channel: 'api',
        ...(a.receiptId ? { receiptId: a.receiptId } : {}),
      })),
      ...rows.requests.map((r) => ({
        at: iso(r.receivedAt),
        action: r.kind,
        outcome: r.state,
        channel: r.channel,
        dueAt: iso(r.dueAt),
        receiptId: r.receiptId,
      })),
    ];
    const held = rows.subjects.length + rows.events.length + rows.consent.length + rows.links.length;
    return {
      confirmation: held > 0,
      subject: { kind: p.ref.kind, id: p.ref.id, site: p.ref.site },
      generatedAt: new Date().toISOString(),
      data: {
        subjects: rows.subjects.map((s) => ({ anonymousId: s.anonymousId, createdAt: iso(s.createdAt) })),
        events: rows.events.map((e) => {
          const payload = JSON.parse(e.payload) as Record<string, unknown>;
          return {
            messageId: e.messageId,
            type: e.type,
            event: e.event,
            anonymousId: e.anonymousId,
            userId: e.userId,
            timestamp: iso(e.timestamp),
            receivedAt: iso(e.receivedAt),
            ...(payload.properties ? { properties: payload.properties as Record<string, unknown> } : {}),
            ...(payload.traits ? { traits: payload.traits as Record<string, unknown> } : {}),
            ...(payload.context ? { context: payload.context as Record<string, unknown> } : {}),
          };
        }),
        consentRecords: rows.consent.map((c) => ({
          receiptId: c.receiptId,
          anonymousId: c.anonymousId,
          userId: c.userId,
          purposes: JSON.parse(c.purposes) as Record<string, boolean>,
          policyVersion: c.policyVersion,
          source: c.source,
          textHash: c.textHash,
          decidedAt: c.decidedAt,
          receivedAt: iso(c.receivedAt),
        })),
        identityLinks: rows.links.map((l) => ({
          anonymousId: l.anonymousId,
          userId: l.userId,
          firstSeenAt: iso(l.firstSeenAt),
          lastSeenAt: iso(l.lastSeenAt),
        })),
        requests,
      },
      processing: register(),
    };
  }

  const access: RouteHandler = async (req, res, [id], url) => {
    const p = await authenticate(req, id!, url, 'access');
    await store.appendAudit(audit(p, 'access'));
    sendJson(res, 200, await accessAnswer(p));
  };

  const exportData: RouteHandler = async (req, res, [id], url) => {
    const format = url.searchParams.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      throw new HttpError(400, 'bad_request', `format must be json or csv, got ${format.slice(0, 20)}`);
    }
    const p = await authenticate(req, id!, url, 'export');
    await store.appendAudit(audit(p, `export.${format}`));
    const answer = await accessAnswer(p);
    const body = format === 'json' ? JSON.stringify(answer, null, 2) : answerToCsv(answer);
    res.writeHead(200, {
      'Content-Type': format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8; header=present',
      'Content-Disposition': `attachment; filename="tillit-data.${format}"`,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  };

  const erase: RouteHandler = async (req, res, [id], url) => {
    refuseForms(req);
    const p = await authenticate(req, id!, url, 'erase');
    const receiptId = randomUUID();
    const hash = subjectHash(p.ref);
    const row = audit(p, 'erase', 'ok', receiptId);
    const counts = await store.eraseSubject(
      p.ref,
      hash,
      (kind, anyId) => hashOf(p.ref.site, kind, anyId),
      row,
      (suppressed) => suppression.add(suppressed),
    );
    const receipt: ErasureReceipt = {
      receiptId,
      erasedAt: iso(row.at),
      subjectHash: hash,
      deleted: { events: counts.events, identityLinks: counts.identityLinks, subjects: counts.subjects },
      pseudonymised: { consentRecords: counts.consentRecords },
    };
    sendJson(res, 200, receipt);
  };

  const portalToken: RouteHandler = async (req, res, [id], url) => {
    refuseForms(req);
    const p = await authenticate(req, id!, url, 'token');
    const exp = Math.floor(Date.now() / 1000) + config.portalTokenMinutes * 60;
    const token = signClaims(portalKey, { sub: p.ref.id, exp, site: p.ref.site, kind: p.ref.kind });
    await store.appendAudit(audit(p, 'token'));
    sendJson(res, 201, { token, expiresAt: iso(exp * 1000) });
  };

  // Operator API
  async function operator(req: IncomingMessage): Promise<void> {
    if (!config.operatorToken) {
      throw new HttpError(404, 'not_found', 'the operator API is off: set operatorToken in the collector config');
    }
    const address = checkLimit(req);
    if (!safeEqual(bearer(req), config.operatorToken)) {
      limiter.fail(address);
      throw new HttpError(401, 'unauthorized', 'wrong operator token');
    }
  }
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

  const registerRoute: RouteHandler = async (req, res) => {
    await operator(req);
    sendJson(res, 200, { ...register(), sites: config.sites.map((s) => ({ name: s.name, origins: s.origins })) });
  };
  const recordRequest: RouteHandler = async (req, res) => {
    await operator(req);
    const parsed = RequestInput.safeParse(await readJson(req, MAX_ADMIN_BODY));
    if (!parsed.success) {
      throw new HttpError(400, 'bad_request', `not a request record: ${describeIssues(parsed.error)}`);
    }
    const input = parsed.data;
    const site = siteOf(input.site, 'site');
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
    await store.appendAudit({
      at: now,
      site,
      action: `request.${input.kind}`,
      subjectHash: row.subjectHash,
      via: 'operator',
      outcome: 'recorded',
      receiptId: row.receiptId,
    });
    sendJson(res, 201, requestJson(row));
  };
  const listRequests: RouteHandler = async (req, res, _params, url) => {
    await operator(req);
    const rows = await store.listRequests({ openOnly: url.searchParams.get('state') === 'open' });
    sendJson(res, 200, { requests: rows.map(requestJson) });
  };
  const updateRequest: RouteHandler = async (req, res, [receiptId]) => {
    await operator(req);
    const parsed = RequestUpdate.safeParse(await readJson(req, MAX_ADMIN_BODY));
    if (!parsed.success) {
      throw new HttpError(400, 'bad_request', 'state must be one of received, in_progress, answered, refused, withdrawn');
    }
    const now = Date.now();
    const row = await store.updateRequest(receiptId!, parsed.data.state, now);
    if (!row) throw new HttpError(404, 'not_found', `no request with receipt ${receiptId}`);
    await store.appendAudit({
      at: now,
      site: row.site,
      action: `request.${row.kind}`,
      subjectHash: row.subjectHash,
      via: 'operator',
      outcome: parsed.data.state,
      receiptId: row.receiptId,
    });
    sendJson(res, 200, requestJson(row));
  };
  const auditLog: RouteHandler = async (req, res, _params, url) => {
    await operator(req);
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 100, 1), 1000);
    const before = Number(url.searchParams.get('before')) || undefined;
    const rows = await store.listAudit({ limit, ...(before ? { before } : {}) });
    sendJson(res, 200, { entries: rows.map((r) => ({ ...r, at: iso(r.at) })) });
  };

  const ID = '([^/]{1,256})';
  return [
    { pattern: new RegExp(`^/v1/subjects/${ID}$`), methods: { GET: access, DELETE: erase } },
    { pattern: new RegExp(`^/v1/subjects/${ID}/export$`), methods: { GET: exportData } },
    { pattern: new RegExp(`^/v1/subjects/${ID}/token$`), methods: { POST: portalToken } },
    { pattern: /^\/v1\/admin\/register$/, methods: { GET: registerRoute } },
    { pattern: /^\/v1\/admin\/requests$/, methods: { GET: listRequests, POST: recordRequest } },
    { pattern: new RegExp(`^/v1/admin/requests/${ID}$`), methods: { PATCH: updateRequest } },
    { pattern: /^\/v1\/admin\/audit$/, methods: { GET: auditLog } },
  ];
}

/** The access answer as one CSV table: one row per stored record, its details as JSON. */
export function answerToCsv(answer: SubjectAccess): string {
  const rows: unknown[][] = [];
  for (const e of answer.data.events) {
    rows.push([
      'event',
      e.timestamp,
      e.messageId,
      e.type,
      e.event,
      e.anonymousId,
      e.userId,
      { properties: e.properties, traits: e.traits, context: e.context },
    ]);
  }
  for (const c of answer.data.consentRecords) {
    rows.push([
      'consent',
      c.decidedAt,
      c.receiptId,
      c.source,
      c.policyVersion,
      c.anonymousId,
      c.userId,
      { purposes: c.purposes, textHash: c.textHash },
    ]);
  }
  for (const l of answer.data.identityLinks) {
    rows.push(['identity_link', l.firstSeenAt, '', '', '', l.anonymousId, l.userId, { lastSeenAt: l.lastSeenAt }]);
  }
  for (const s of answer.data.subjects) rows.push(['subject', s.createdAt, '', '', '', s.anonymousId, '', '']);
  for (const r of answer.data.requests) {
    rows.push(['request', r.at, r.receiptId ?? '', r.channel, r.action, '', '', { outcome: r.outcome, dueAt: r.dueAt }]);
  }
  rows.push(['processing', answer.generatedAt, '', '', '', '', '', answer.processing]);
  return toCsv(['record', 'time', 'id', 'type', 'name', 'anonymous_id', 'user_id', 'details'], rows);
}
