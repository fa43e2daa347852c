import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { createPrivacy } from './privacy.js';

const BASE = 'http://collector.test';
const SUBJECT = { id: '0190a5c4-aaaa-7000-8000-000000000001', secret: 's'.repeat(43) };
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

const f: typeof fetch = (...a) => fetch(...a);
const seen: { method: string; url: string; auth: string | null; credentials: string }[] = [];
const record = (request: Request) =>
  seen.push({
    method: request.method,
    url: request.url,
    auth: request.headers.get('authorization'),
    credentials: request.credentials,
  });

it('asks for access with the subject secret as a Bearer credential and no cookies', async () => {
  seen.length = 0;
  server.use(
    http.get(`${BASE}/v1/subjects/:id`, ({ request }) => {
      record(request);
      return HttpResponse.json({ confirmation: true });
    }),
  );
  const privacy = createPrivacy(
    BASE,
    f,
    () => SUBJECT,
    async () => {},
    () => {},
  );
  expect(await privacy.access()).toEqual({ confirmation: true });
  expect(seen).toEqual([
    { method: 'GET', url: `${BASE}/v1/subjects/${SUBJECT.id}`, auth: `Bearer ${SUBJECT.secret}`, credentials: 'omit' },
  ]);
});

it('downloads an export as a file named after its format', async () => {
  server.use(
    http.get(`${BASE}/v1/subjects/:id/export`, ({ request }) =>
      new URL(request.url).searchParams.get('format') === 'csv'
        ? new HttpResponse('record\r\n')
        : HttpResponse.json({}, { status: 400 }),
    ),
  );
  const clicked: string[] = [];
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push(this.download);
  });
  URL.createObjectURL ??= () => 'blob:x';
  await createPrivacy(
    BASE,
    f,
    () => SUBJECT,
    async () => {},
    () => {},
  ).export('csv');
  expect(clicked).toEqual(['tillit-data.csv']);
});

it('wipes local data only after the collector erased, and returns its receipt', async () => {
  const wipe = vi.fn(async () => {});
  server.use(http.delete(`${BASE}/v1/subjects/:id`, () => HttpResponse.json({ receiptId: 'r-1' })));
  expect(
    await createPrivacy(
      BASE,
      f,
      () => SUBJECT,
      wipe,
      () => {},
    ).erase(),
  ).toEqual({ receiptId: 'r-1' });
  expect(wipe).toHaveBeenCalledOnce();

  wipe.mockClear();
  server.use(http.delete(`${BASE}/v1/subjects/:id`, () => HttpResponse.json({ error: 'unavailable' }, { status: 503 })));
  await expect(
    createPrivacy(
      BASE,
      f,
      () => SUBJECT,
      wipe,
      () => {},
    ).erase(),
  ).rejects.toThrow(/503/);
  expect(wipe).not.toHaveBeenCalled();
});

it('puts a short-lived token in the portal URL’s fragment, never the secret', async () => {
  server.use(
    http.post(`${BASE}/v1/subjects/:id/token`, () => HttpResponse.json({ token: 'abc.def', expiresAt: '' }, { status: 201 })),
  );
  const url = await createPrivacy(
    BASE,
    f,
    () => SUBJECT,
    async () => {},
    () => {},
  ).portalUrl();
  expect(url).toBe(`${BASE}/privacy#token=abc.def`);
  expect(url).not.toContain(SUBJECT.secret);
});

it('has no portal URL and refuses requests before consent made an identifier', async () => {
  const privacy = createPrivacy(
    BASE,
    f,
    () => null,
    async () => {},
    () => {},
  );
  await expect(privacy.portalUrl()).rejects.toThrow(/^\[tillit\] no identifier/);
  await expect(privacy.access()).rejects.toThrow(/^\[tillit\] no identifier/);
});

it('proves the identity link with the secret and the site token once, keeping the token only for a retry', async () => {
  const bodies: unknown[] = [];
  let status = 503;
  server.use(
    http.post(`${BASE}/v1/subjects/:id/links`, async ({ request, params }) => {
      record(request);
      bodies.push({ id: params.id, type: request.headers.get('content-type'), body: await request.json() });
      return HttpResponse.json({}, { status });
    }),
  );
  seen.length = 0;
  const subject: { id: string; secret: string; userId?: string; userToken?: string; linked?: string } = {
    ...SUBJECT,
    userId: 'u-1',
    userToken: 't-1',
  };
  const save = vi.fn();
  const privacy = createPrivacy(
    BASE,
    f,
    () => subject,
    async () => {},
    save,
  );
  await expect(privacy.link()).rejects.toThrow(/503/); // not taken: the token stays for the next try
  expect([subject.userToken, subject.linked]).toEqual(['t-1', undefined]);
  status = 201;
  await Promise.all([privacy.link(), privacy.link()]); // at once: one request
  expect([subject.userToken, subject.linked]).toEqual([undefined, 'u-1']);
  subject.userToken = 't-1b'; // the same user again (a new page's identify): proven already, no request
  await privacy.link();
  subject.userId = 'u-2'; // another user signs in on this browser: a new pair, a new proof
  subject.userToken = 't-2';
  status = 403; // an expired token: dropped, the site's next identify() brings a new one
  await privacy.link();
  expect([subject.userToken, subject.linked]).toEqual([undefined, 'u-1']);
  expect(save).toHaveBeenCalledTimes(3);
  expect(bodies).toEqual([
    { id: SUBJECT.id, type: 'application/json', body: { userId: 'u-1', userToken: 't-1' } },
    { id: SUBJECT.id, type: 'application/json', body: { userId: 'u-1', userToken: 't-1' } },
    { id: SUBJECT.id, type: 'application/json', body: { userId: 'u-2', userToken: 't-2' } },
  ]);
  expect(seen.every((r) => r.auth === `Bearer ${SUBJECT.secret}` && r.credentials === 'omit')).toBe(true);
});
