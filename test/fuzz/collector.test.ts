/**
 * The collector's ingest and consent endpoints under hostile input, over real HTTP against a real
 * SQLite file: never a 5xx, the server stays up, and the valid events inside a batch are stored
 * exactly once whatever their neighbours are.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { LIMITS } from '@tillit/schema';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector, TEST_WRITE_KEY } from '@tillit/collector/testing';
import { breakEvent, params, sdkEvent } from './arbitraries.js';

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector();
});
afterAll(() => c.destroy());

/** Every status the collector may answer to bad input; anything else (a 5xx above all) is a bug. */
const CLIENT_ERRORS = [400, 401, 413, 415];

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  return { status: res.status, text };
}

const json = (value: unknown) => JSON.stringify(value);
const withKey = (body: Record<string, unknown>) => ({ writeKey: TEST_WRITE_KEY, ...body });
const rowsOf = (messageId: string) => c.sql.count('SELECT count(*) AS n FROM events WHERE message_id = ?', messageId);
const eventCount = () => c.sql.count('SELECT count(*) AS n FROM events');

async function expectHealthy() {
  const res = await fetch(`${c.url}/healthz`);
  expect(res.status).toBe(200);
}

/**
 * Raw bytes on a fresh TCP connection, for what fetch refuses to send (a lying Content-Length,
 * a body cut off mid-way). Resolves with the status line's code, or 0 if the server just closed.
 */
function raw(request: string | Buffer, { endAfterMs = 200 } = {}): Promise<number> {
  const { hostname, port } = new URL(c.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    socket.on('error', () => resolve(0)); // a reset is an answer too: the server dropped us
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.write(request);
    // A truncated body: the client goes away without sending the rest.
    setTimeout(() => socket.end(), endAfterMs);
    setTimeout(() => reject(new Error('raw request hung')), 5000).unref();
  });
}

const now = Date.now();
const validEvent = sdkEvent(fc.integer({ min: now - 7 * 864e5, max: now }));

describe('POST /v1/batch under hostile input', () => {
  it('random JSON values as bodies get a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 5 }),
          fc.record({ batch: fc.jsonValue(), writeKey: fc.jsonValue() }, { requiredKeys: [] }),
        ),
        async (value) => {
          const { status, text } = await post('/v1/batch', json(value));
          expect(CLIENT_ERRORS, text).toContain(status);
        },
      ),
      params(1500),
    );
    await expectHealthy();
  });

  it('random bytes under random content types and encodings get a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'text/html', 'application/x-www-form-urlencoded', ''),
        fc.constantFrom('identity', 'gzip', 'br', 'deflate'),
        async (bytes, type, encoding) => {
          const headers: Record<string, string> = { 'content-encoding': encoding };
          if (type) headers['content-type'] = type;
          const { status, text } = await post('/v1/batch', Buffer.from(bytes), headers);
          expect(CLIENT_ERRORS, text).toContain(status);
        },
      ),
      params(1000),
    );
    await expectHealthy();
  });

  it('wrongly typed events are rejected by index and the valid ones beside them stored exactly once, even sent twice at once', async () => {
    const mixed = fc.array(
      fc.oneof(
        { weight: 2, arbitrary: validEvent.map((e) => ({ ok: true as const, e })) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(validEvent, breakEvent(now))
            .map(([e, [why, breakIt]]) => ({ ok: false as const, e: breakIt(e), why })),
        },
      ),
      { minLength: 1, maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(mixed, async (items) => {
        const body = json(withKey({ batch: items.map((i) => i.e), sentAt: new Date(now).toISOString() }));
        // Two tabs (or a retry racing the first try) sending the same batch at the same time.
        const answers = await Promise.all([post('/v1/batch', body), post('/v1/batch', body)]);
        const invalid = items.flatMap((item, index) => (item.ok ? [] : [index]));
        const valid = items.filter((i) => i.ok).map((i) => (i.e as { messageId: string }).messageId);
        let accepted = 0;
        for (const { status, text } of answers) {
          expect(status, text).toBe(200);
          const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: { index: number }[] };
          expect(answer.rejected.map((r) => r.index)).toEqual(invalid);
          expect(answer.accepted + answer.duplicates).toBe(valid.length);
          accepted += answer.accepted;
        }
        expect(accepted).toBe(valid.length); // one of the two stored each event, the other saw duplicates
        for (const id of valid) expect(await rowsOf(id)).toBe(1);
      }),
      params(150),
    );
    await expectHealthy();
  });

  it('invalid UTF-8 inside a string is read with replacement characters and the event is stored once', async () => {
    const event = fc.sample(validEvent, { numRuns: 1, seed: 1 })[0]!;
    const text = json(withKey({ batch: [{ ...event, type: 'track', event: '@@NAME@@' }] }));
    const [before, after] = text.split('@@NAME@@') as [string, string];
    // 0xff never occurs in UTF-8; 0xc3 starts a 2-byte sequence that never ends; 0xed 0xa0 0x80 is a UTF-16 surrogate.
    const body = Buffer.concat([
      Buffer.from(before),
      Buffer.from([0x41, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from(after),
    ]);
    const { status, text: answer } = await post('/v1/batch', body, { 'content-type': 'text/plain;charset=UTF-8' });
    expect(status, answer).toBe(200);
    expect(JSON.parse(answer).accepted).toBe(1);
    expect(await rowsOf(event.messageId)).toBe(1);
  });

  it('gzip: a valid body is read, a corrupt or truncated one gets 400, a bomb gets 413', async () => {
    const event = fc.sample(validEvent, { numRuns: 1, seed: 2 })[0]!;
    const zipped = gzipSync(json(withKey({ batch: [event] })));
    const gz = { 'content-encoding': 'gzip' };
    expect((await post('/v1/batch', zipped, gz)).status).toBe(200);
    expect(await rowsOf(event.messageId)).toBe(1);
    expect((await post('/v1/batch', zipped.subarray(0, zipped.length - 12), gz)).status).toBe(400);
    const corrupt = Buffer.from(zipped);
    const mid = zipped.length >> 1;
    corrupt[mid] = corrupt[mid]! ^ 0xff;
    expect((await post('/v1/batch', corrupt, gz)).status).toBe(400);
    // 50 MB of spaces inflate from ~50 KB: the limit applies after gunzip.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"batch":['), Buffer.alloc(50 * 1024 * 1024, 0x20), Buffer.from(']}')]));
    expect((await post('/v1/batch', bomb, gz)).status).toBe(413);
    await expectHealthy();
  });

  it('oversized bodies and batches get 413, and the server stays up', async () => {
    const big = json(withKey({ batch: [{ pad: 'x'.repeat(LIMITS.maxBatchBytes) }] }));
    expect((await post('/v1/batch', big)).status).toBe(413);
    const many = Array.from({ length: LIMITS.maxBatchEvents + 1 }, () => ({}));
    expect((await post('/v1/batch', json(withKey({ batch: many })))).status).toBe(413);
    // A declared length over the limit is refused before the body is read.
    const declared = await raw(
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"batch":[`,
    );
    expect(declared).toBe(413);
    await expectHealthy();
  });

  it('truncated bodies, lying lengths and broken HTTP never crash the server or get a 5xx', async () => {
    const body = json(withKey({ batch: [fc.sample(validEvent, { numRuns: 1, seed: 3 })[0]] }));
    const head = (length: number) =>
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const cases = [
      head(body.length) + body.slice(0, body.length >> 1), // cut off mid-body, client leaves
      head(body.length + 100) + body, // promises more than it sends
      `${head(5)}{"batch":[]}`, // sends more than it promises: the rest is a broken next request
      'POST /v1/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'GARBAGE\r\n\r\n',
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n${body}`,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\n${'X-Pad: y\r\n'.repeat(2000)}\r\n`,
    ];
    for (const request of cases) {
      const status = await raw(request);
      expect(status < 500, `${status} for ${request.slice(0, 80)}`).toBe(true);
    }
    await expectHealthy();
  });
});

describe('deeply nested input', () => {
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('a batch whose one event is an array nested 10 000 levels deep gets that event rejected by index', async () => {
    const { status, text } = await post('/v1/batch', `{"writeKey":"${TEST_WRITE_KEY}","batch":${deep(10_000)}}`);
    expect(status, text).toBe(200); // the outer array is the batch; its one event (an array) is rejected by index
    expect(JSON.parse(text).rejected).toHaveLength(1);
  });

  it('an event whose properties nest 10 000 levels deep is rejected by index and its valid neighbours are stored', async () => {
    const [a, b] = fc.sample(validEvent, { numRuns: 2, seed: 4 }) as [{ messageId: string }, { messageId: string }];
    const bad = { ...a, messageId: `${a.messageId}-deep`, properties: { x: '@@DEEP@@' } };
    const body = json(withKey({ batch: [a, bad, b] })).replace('"@@DEEP@@"', deep(10_000));
    const { status, text } = await post('/v1/batch', body);
    expect(status, text).toBe(200);
    expect(JSON.parse(text).rejected.map((r: { index: number }) => r.index)).toEqual([1]);
    expect(await rowsOf(a.messageId)).toBe(1);
    expect(await rowsOf(b.messageId)).toBe(1);
    await expectHealthy();
  });
});

describe('POST /v1/consent under hostile input', () => {
  const validRecord = fc.record({
    anonymousId: fc.uuid(),
    purposes: fc.record({ analytics: fc.boolean(), marketing: fc.boolean() }),
    policyVersion: fc.constant('2026-11'),
    source: fc.constantFrom('banner', 'portal', 'api', 'gpc'),
    timestamp: fc.constant(new Date(now).toISOString()),
    writeKey: fc.constant(TEST_WRITE_KEY),
  });
  const consentRows = () => c.sql.count('SELECT count(*) AS n FROM consent_records');

  it('random and wrongly typed records get a 4xx; each valid one is appended once', async () => {
    const mutated = fc.tuple(
      validRecord,
      fc.constantFrom('purposes', 'policyVersion', 'source', 'timestamp', 'anonymousId'),
      fc.jsonValue(),
    );
    const input = fc.oneof(
      validRecord.map((r) => ({ valid: true, body: json(r) })),
      mutated.map(([r, key, value]) => ({ valid: false, body: json({ ...r, [key]: value }), key, value })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => ({ valid: false, body: json(v) })),
      fc.uint8Array({ maxLength: 512 }).map((b) => ({ valid: false, body: Buffer.from(b).toString('latin1') })),
    );
    let created = 0;
    const before = await consentRows();
    await fc.assert(
      fc.asyncProperty(input, async (item) => {
        const { status, text } = await post('/v1/consent', item.body);
        if (status === 201) created++;
        // A mutation can by chance produce a valid value (a boolean-valued purposes record…): only demand 201 for the known-valid ones.
        if (item.valid) expect(status, text).toBe(201);
        else expect([...CLIENT_ERRORS, 201], text).toContain(status);
      }),
      params(600),
    );
    expect((await consentRows()) - before).toBe(created);
    expect(created).toBeGreaterThan(50);
    await expectHealthy();
  });

  it('an oversized or deeply nested record gets a 4xx', async () => {
    const record = fc.sample(validRecord, { numRuns: 1, seed: 5 })[0]!;
    expect((await post('/v1/consent', json({ ...record, url: 'u'.repeat(LIMITS.maxConsentBytes) }))).status).toBe(413);
    const nested = json({ ...record, locale: '@@' }).replace('"@@"', deep(10_000));
    expect(CLIENT_ERRORS).toContain((await post('/v1/consent', nested)).status);
    await expectHealthy();
  });

  function deep(levels: number) {
    return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  }
});

it('after all of the above the collector still ingests, and stored nothing but the valid events', async () => {
  const event = fc.sample(validEvent, { numRuns: 1, seed: 6 })[0]!;
  const before = await eventCount();
  const { status } = await post('/v1/batch', json(withKey({ batch: [event] })));
  expect(status).toBe(200);
  expect(await eventCount()).toBe(before + 1);
  // Every stored row is an event that validated: no row without a message id, type or payload.
  const bad = await c.sql.count(
    "SELECT count(*) AS n FROM events WHERE message_id = '' OR type NOT IN ('track','page','identify')",
  );
  expect(bad).toBe(0);
});
