/**
 * Property tests on the wire format: whatever the SDK can put on the wire validates at the
 * collector, and no input at all makes validation throw (the collector relies on safeParse).
 */
import { BatchEnvelope, ConsentRecord, Event } from '@tillit/schema';
import { DEFAULT_URL_DENYLIST, sanitizeUrl, uuidv7 } from '@tillit/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyClock, landingUrl, PURPOSES, params, sdkEvent } from './arbitraries.js';

const sdkEvents = fc.array(sdkEvent(), { minLength: 1, maxLength: 30 });

describe('schema properties', () => {
  it('every event the SDK can make validates, alone and in a batch envelope', () => {
    fc.assert(
      fc.property(sdkEvents, (events) => {
        for (const event of events) {
          const result = Event.safeParse(event);
          if (!result.success) throw new Error(`${JSON.stringify(result.error.issues)} for ${JSON.stringify(event)}`);
        }
        const body = JSON.parse(JSON.stringify({ batch: events, sentAt: new Date().toISOString(), writeKey: 'wk-12345678' }));
        expect(BatchEnvelope.safeParse(body).success).toBe(true);
      }),
      params(400),
    );
  });

  it('a consent record the SDK can make validates', () => {
    const record = fc.record({
      granted: fc.subarray([...PURPOSES]),
      source: fc.constantFrom('banner', 'portal', 'api', 'gpc'),
      now: anyClock,
      textHash: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: undefined }),
      // The SDK's subject secret: 32 random bytes as base64url (packages/sdk/src/ids.ts).
      secret: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      href: landingUrl,
    });
    fc.assert(
      fc.property(record, (m) => {
        const anyGranted = m.granted.length > 0;
        const rec = JSON.parse(
          JSON.stringify({
            // A first refusal carries no identifier; a grant carries the new id and secret.
            anonymousId: anyGranted ? uuidv7(m.now) : null,
            secret: anyGranted ? m.secret : undefined,
            purposes: Object.fromEntries(PURPOSES.map((p) => [p, m.granted.includes(p)])),
            policyVersion: '2026-11',
            source: m.source,
            timestamp: new Date(m.now).toISOString(),
            textHash: m.textHash,
            locale: 'en-US',
            url: sanitizeUrl(m.href, DEFAULT_URL_DENYLIST),
            writeKey: 'wk-12345678',
          }),
        );
        const result = ConsentRecord.safeParse(rec);
        if (!result.success) throw new Error(`${JSON.stringify(result.error.issues)} for ${JSON.stringify(rec)}`);
      }),
      params(300),
    );
  });

  it('random JSON never throws out of safeParse, and a success always has the required fields', () => {
    // Mostly arbitrary JSON, plus near-misses of an event so that deeper validation paths run too.
    const nearEvent = fc.record(
      {
        type: fc.oneof(fc.constantFrom('track', 'page', 'identify', 'alias'), fc.jsonValue()),
        messageId: fc.oneof(fc.uuid(), fc.jsonValue()),
        anonymousId: fc.oneof(fc.string(), fc.jsonValue()),
        event: fc.oneof(fc.string(), fc.jsonValue()),
        timestamp: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
          fc.jsonValue(),
        ),
        context: fc.oneof(fc.jsonValue(), fc.record({ consent: fc.jsonValue(), page: fc.jsonValue() })),
        properties: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const input = fc.oneof(fc.jsonValue({ maxDepth: 6 }), nearEvent, fc.anything());
    fc.assert(
      fc.property(input, (value) => {
        for (const schema of [Event, BatchEnvelope, ConsentRecord]) {
          const result = schema.safeParse(value); // must not throw
          expect(typeof result.success).toBe('boolean');
        }
        const event = Event.safeParse(value);
        if (event.success) {
          expect(typeof event.data.messageId).toBe('string');
          expect(event.data.anonymousId || event.data.userId).toBeTruthy();
          expect(Number.isNaN(Date.parse(event.data.timestamp))).toBe(false);
        }
      }),
      params(3000),
    );
  });

  it('safeParse does not throw on an event nested 10 000 levels deep', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    const event = { type: 'track', event: 'x', messageId: 'm', anonymousId: 'a', timestamp: new Date().toISOString() };
    expect(Event.safeParse({ ...event, properties: deep }).success).toBe(true);
    expect(Event.safeParse({ ...event, context: deep }).success).toBe(true);
    expect(Event.safeParse(deep).success).toBe(false);
  });
});
