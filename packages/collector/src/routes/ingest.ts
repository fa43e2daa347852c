/**
 * What browsers and server clients send: event batches (`POST /v1/batch`) and consent decisions
 * (`POST /v1/consent`), each with a site's write key.
 */
import { randomUUID } from 'node:crypto';
import { BatchEnvelope, type BatchResponse, ConsentRecord, LIMITS, describeIssues } from '@tillit/schema';
import { sha256Hex } from '../auth.js';
import { anonymousIdHeader } from '../compat.js';
import type { SiteConfig } from '../config.js';
import type { CollectorContext, CollectorRoute } from '../deps.js';
import { HttpError, basicAuthUser, json } from '../http.js';
import { prepareBatch } from '../ingest.js';
import { truncateIp } from '../ip.js';
import { scrubUrl } from '../scrub.js';

/**
 * The site of the write key (from the body, else the HTTP Basic user, else `?writeKey=` as RudderStack's
 * beacons send it), if the request's origin is one of its own; `trusted` when it is one of the site's
 * server keys, which no page may send.
 */
export function siteOf(c: CollectorContext, bodyWriteKey: string | undefined): { site: SiteConfig; trusted: boolean } {
  const writeKey = bodyWriteKey ?? basicAuthUser(c.header('authorization')) ?? c.query('writeKey') ?? undefined;
  if (!writeKey) {
    const reason = 'missing write key: send it as "writeKey" in the body, as the HTTP Basic user name or as ?writeKey=';
    throw new HttpError(401, 'unauthorized', reason);
  }
  const site = c.env.config.sites.find((s) => s.writeKey === writeKey);
  const serverSite = site ? undefined : c.env.config.sites.find((s) => s.serverKeys.includes(writeKey));
  if (serverSite) {
    if (c.origin !== undefined) {
      const reason =
        'a server key was sent from a page: it is a secret of the site’s backend (rotate it), pages send the write key';
      throw new HttpError(403, 'origin_not_allowed', reason);
    }
    return { site: serverSite, trusted: true };
  }
  if (!site) throw new HttpError(401, 'unauthorized', 'unknown write key');
  if (c.origin !== undefined && !site.origins.includes(c.origin)) {
    throw new HttpError(403, 'origin_not_allowed', `origin ${c.origin} is not allowed for this write key`);
  }
  return { site, trusted: false };
}

/** Stores the events of a request; `toEnvelope` brings another client's body to the batch form. */
export async function ingestEvents(
  c: CollectorContext,
  toEnvelope: (body: unknown) => unknown = (body) => body,
): Promise<BatchResponse> {
  const { config, store, suppression } = c.env;
  const receivedAt = Date.now();
  const envelope = BatchEnvelope.safeParse(toEnvelope(await c.json(LIMITS.maxBatchBytes)));
  if (!envelope.success) throw new HttpError(400, 'bad_request', `not a batch: ${describeIssues(envelope.error)}`);
  const { batch: events, sentAt, writeKey } = envelope.data;
  const { site, trusted } = siteOf(c, writeKey);
  if (events.length > LIMITS.maxBatchEvents) {
    const reason = `the batch has ${events.length} events, over the limit of ${LIMITS.maxBatchEvents}: split it`;
    throw new HttpError(413, 'payload_too_large', reason, { limit: LIMITS.maxBatchEvents });
  }
  const ip = config.clientIp === 'drop' ? undefined : truncateIp(c.clientAddress);
  const prepared = prepareBatch(events, {
    site: site.name,
    receivedAt,
    sentAt,
    ip,
    clientIp: config.clientIp,
    maxCorrectionAgeMs: config.retentionDays * 24 * 60 * 60 * 1000,
    categoryPurposes: config.categoryPurposes,
    anonymousId: anonymousIdHeader(c.header('anonymousid')),
    // Only a server key proves an identify's link; from the public write key it is a claim (analytics only).
    linkProven: trusted,
    forwarding: { destinations: site.destinations, serverSidePurposes: config.serverSidePurposes },
  });
  const suppressed = suppression.filter(prepared.rows);
  // A storage failure answers 503 + Retry-After (storage-guard.ts): clients keep the events and retry.
  const inserted = await store.insertEvents(prepared.rows);
  const accepted = inserted.filter(Boolean).length;
  if (accepted > 0 && prepared.rows.some((row) => row.destinations)) c.env.outbox.nudge();
  // Events of erased subjects count as duplicates: the client deletes them from its queue, and they
  // are not stored (suppressed, removed from prepared.rows above).
  const result = { accepted, duplicates: inserted.length - accepted + suppressed, rejected: prepared.rejected };
  c.env.metrics.ingested(result, inserted.length);
  c.env.live.record(site.name, receivedAt, prepared.rows, inserted, prepared.rejected);
  return result;
}

/** Also the answer of `/v1/b` and `/beacon/v1/batch` (routes/compat.ts). */
export const batch = async (c: CollectorContext) => json(200, await ingestEvents(c));

/** A record from a page claims its user only with the site's token for that user (or a proven link, in the store). */
const vouched = (c: CollectorContext, site: string, record: ConsentRecord) =>
  record.userId ? c.env.auth.vouchesFor(record.userToken, site, record.userId) : Promise.resolve(false);

async function consent(c: CollectorContext) {
  const { store, suppression, hashOf } = c.env;
  const parsed = ConsentRecord.safeParse(await c.json(LIMITS.maxConsentBytes));
  if (!parsed.success) throw new HttpError(400, 'bad_request', `not a consent record: ${describeIssues(parsed.error)}`);
  const record = parsed.data;
  const { site, trusted } = siteOf(c, record.writeKey);
  const secretHash = record.secret && record.anonymousId ? sha256Hex(record.secret) : null;
  const row = {
    receiptId: randomUUID(),
    recordId: record.recordId ?? null,
    site: site.name,
    anonymousId: record.anonymousId,
    userId: record.userId ?? null,
    purposes: JSON.stringify(record.purposes),
    policyVersion: record.policyVersion,
    source: record.source,
    textHash: record.textHash ?? null,
    decidedAt: record.timestamp,
    receivedAt: Date.now(),
    locale: record.locale ?? null,
    // Cleaned as the SDK cleans its own (other clients' records may carry an address or a token).
    url: record.url ? scrubUrl(record.url) || null : null,
  };
  // A late decision for an erased id (another tab, a retry) is kept as proof under the keyed hash only.
  const storedReceipt =
    record.anonymousId && suppression.isAnonymousSuppressed(site.name, record.anonymousId)
      ? await store.appendPseudonymousConsent(row, hashOf(site.name, 'anonymous', record.anonymousId))
      : await store.appendConsent(row, secretHash, { trusted: trusted || (await vouched(c, site.name, record)) });
  c.env.metrics.consent(record.purposes);
  return json(201, { receiptId: storedReceipt });
}

export const ingestRoutes: CollectorRoute[] = [
  { method: 'POST', path: '/v1/batch', handler: batch },
  { method: 'POST', path: '/v1/consent', handler: consent },
];
