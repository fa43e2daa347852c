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
  ).export('csv');
  expect(clicked).toEqual(['tillit-data.csv']);
});

it('wipes local data only after the collector erased, and returns its receipt', async () => {
  const wipe = vi.fn(async () => {});
  server.use(http.delete(`${BASE}/v1/subjects/:id`, () => HttpResponse.json({ receiptId: 'r-1' })));
  expect(await createPrivacy(BASE, f, () => SUBJECT, wipe).erase()).toEqual({ receiptId: 'r-1' });
  expect(wipe).toHaveBeenCalledOnce();

  wipe.mockClear();
  server.use(http.delete(`${BASE}/v1/subjects/:id`, () => HttpResponse.json({ error: 'unavailable' }, { status: 503 })));
  await expect(createPrivacy(BASE, f, () => SUBJECT, wipe).erase()).rejects.toThrow(/503/);
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
  );
  expect(await privacy.portalUrl()).toBeNull();
  await expect(privacy.access()).rejects.toThrow(/^\[tillit\]/);
});
