/**
 * The answer to a right-of-access request (GDPR Art. 15): every stored row about the subject, the
 * requests they made, and the processing register; as JSON, or as one CSV table for portability (Art. 20).
 */
import { LIMITS, type RequestRecord, type StoredEvent, type SubjectAccess } from '@tillit/schema';
import { type CollectorConfig, DEFAULT_REGISTER } from './config.js';
import { toCsv } from './csv.js';
import { jsonTextDepth } from './depth.js';
import type { ConsentRow, EventRow, Store, SubjectRef, SubjectRows } from './store.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The configured destinations as recipients (Art. 13(1)(e), 15(1)(c), 30(1)(d)), kept true by the config itself. */
export function destinationRecipients(config: Pick<CollectorConfig, 'sites'>): string[] {
  return config.sites.flatMap((site) =>
    site.destinations.map((d) => {
      const who = d.type === 'ga4' ? `Google Analytics 4 (${d.measurementId})` : `${d.name} (webhook, ${new URL(d.url).host})`;
      const why = d.description ? `: ${d.description}` : '';
      return `${who}${why}. Receives the events of ${site.name} for which you granted "${d.purpose}", unless you object or restrict processing.`;
    }),
  );
}

/** The Art. 30 register as configured, with the destinations as recipients and the retention period this collector applies. */
export function processingRegister(config: CollectorConfig): SubjectAccess['processing'] {
  const forwarded = destinationRecipients(config);
  // Events the site's backend sends without a consent snapshot are processed under the basis the config declares.
  const serverSide = config.serverSidePurposes.length
    ? [
        {
          purpose: `server-side events: ${config.serverSidePurposes.join(', ')}`,
          description: `Events the website's own server sends (such as orders) without a consent decision count for ${config.serverSidePurposes.join(', ')}`,
          legalBasis: config.serverSideLegalBasis!,
        },
      ]
    : [];
  return {
    ...config.register,
    purposes: [...config.register.purposes, ...serverSide],
    // The default "nobody outside the controller" is no longer true once something is forwarded.
    recipients: [
      ...config.register.recipients.filter((r) => forwarded.length === 0 || !DEFAULT_REGISTER.recipients.includes(r)),
      ...forwarded,
    ],
    retention: {
      eventsDays: config.retentionDays,
      statement:
        `Events are deleted ${config.retentionDays} days after they were received. Consent records are kept as proof of ` +
        'consent (Art. 7(1)); after erasure they keep only a keyed hash instead of your identifiers.',
    },
  };
}

function requestsOf(rows: SubjectRows): RequestRecord[] {
  return [
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
}

/**
 * The stored event as an object, or null when a reader could not handle it: nested deeper than the
 * limit (stored before ingest enforced it) or not JSON. The answer then shows it as stored, as text.
 */
function readable(payload: string): Record<string, unknown> | null {
  if (jsonTextDepth(payload) > LIMITS.maxEventDepth) return null;
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function eventOf(e: EventRow): StoredEvent {
  const head = {
    messageId: e.messageId,
    type: e.type,
    event: e.event,
    anonymousId: e.anonymousId,
    userId: e.userId,
    timestamp: iso(e.timestamp),
    receivedAt: iso(e.receivedAt),
  };
  const payload = readable(e.payload);
  // Every field as stored (Art. 15: the whole record), with the collector's columns on top.
  return payload ? { ...payload, ...head } : { ...head, storedAsText: e.payload };
}

function consentOf(c: ConsentRow) {
  return {
    receiptId: c.receiptId,
    anonymousId: c.anonymousId,
    userId: c.userId,
    purposes: JSON.parse(c.purposes) as Record<string, boolean>,
    policyVersion: c.policyVersion,
    source: c.source,
    textHash: c.textHash,
    decidedAt: c.decidedAt,
    receivedAt: iso(c.receivedAt),
    recordId: c.recordId,
    locale: c.locale,
    url: c.url,
  };
}

export async function accessAnswer(
  store: Store,
  ref: SubjectRef,
  subjectHash: string,
  register: SubjectAccess['processing'],
): Promise<SubjectAccess> {
  const rows = await store.readSubject(ref, subjectHash);
  const held = rows.subjects.length + rows.events.length + rows.consent.length + rows.links.length;
  return {
    confirmation: held > 0,
    subject: { kind: ref.kind, id: ref.id, site: ref.site },
    generatedAt: new Date().toISOString(),
    data: {
      subjects: rows.subjects.map((s) => ({ anonymousId: s.anonymousId, createdAt: iso(s.createdAt) })),
      events: rows.events.map(eventOf),
      consentRecords: rows.consent.map(consentOf),
      identityLinks: rows.links.map((l) => ({
        anonymousId: l.anonymousId,
        userId: l.userId,
        firstSeenAt: iso(l.firstSeenAt),
        lastSeenAt: iso(l.lastSeenAt),
        proven: l.proven,
      })),
      requests: requestsOf(rows),
    },
    processing: register,
  };
}

/** The access answer as one CSV table: one row per stored record, its details as JSON. */
export function answerToCsv(answer: SubjectAccess): string {
  const { data } = answer;
  const rows: unknown[][] = [
    ...data.events.map(({ timestamp, messageId, type, event, anonymousId, userId, ...details }) => [
      'event',
      timestamp,
      messageId,
      type,
      event,
      anonymousId,
      userId,
      details,
    ]),
    ...data.consentRecords.map((c) => [
      'consent',
      c.decidedAt,
      c.receiptId,
      c.source,
      c.policyVersion,
      c.anonymousId,
      c.userId,
      {
        purposes: c.purposes,
        textHash: c.textHash,
        receivedAt: c.receivedAt,
        recordId: c.recordId,
        locale: c.locale,
        url: c.url,
      },
    ]),
    ...data.identityLinks.map((l) => [
      'identity_link',
      l.firstSeenAt,
      '',
      '',
      '',
      l.anonymousId,
      l.userId,
      { lastSeenAt: l.lastSeenAt, proven: l.proven },
    ]),
    ...data.subjects.map((s) => ['subject', s.createdAt, '', '', '', s.anonymousId, '', '']),
    ...data.requests.map((r) => [
      'request',
      r.at,
      r.receiptId ?? '',
      r.channel,
      r.action,
      '',
      '',
      { outcome: r.outcome, dueAt: r.dueAt },
    ]),
    ['processing', answer.generatedAt, '', '', '', '', '', answer.processing],
  ];
  return toCsv(['record', 'time', 'id', 'type', 'name', 'anonymous_id', 'user_id', 'details'], rows);
}
