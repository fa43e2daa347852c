import { Readable } from 'node:stream';
import { expect, it, vi } from 'vitest';
import { HttpError, type RawRequest, json } from './http.js';
import { type Route, createRouter } from './router.js';

const request = (method: string, url: string, headers: Record<string, string> = {}): RawRequest => ({
  method,
  url,
  headers,
  body: Readable.from([]),
  remoteAddress: '127.0.0.1',
});

const routes: Route[] = [
  { method: 'GET', path: '/items/:id', handler: (c) => json(200, { id: c.params.id, q: c.query('q') }) },
  { method: 'DELETE', path: '/items/:id', handler: () => json(200, {}) },
  { method: 'GET', path: '/teapot', handler: () => Promise.reject(new HttpError(418, 'teapot', 'short and stout')) },
  { method: 'GET', path: '/broken', handler: () => Promise.reject(new Error('bug')) },
];
const dispatch = createRouter(routes, {
  env: {},
  originAllowed: (origin) => origin === 'http://shop.test',
  clientAddress: (req) => req.remoteAddress ?? 'unknown',
});
const bodyOf = (reply: { body: unknown }) => JSON.parse(String(reply.body));

it('gives a handler the decoded path parameters and the query', async () => {
  const reply = await dispatch(request('GET', '/items/a%2Fb?q=1'));
  expect(reply.status).toBe(200);
  expect(bodyOf(reply)).toEqual({ id: 'a/b', q: '1' });
});

it('answers 405 with Allow for a known path and 404 for an unknown one', async () => {
  const wrong = await dispatch(request('POST', '/items/1'));
  expect(wrong.status).toBe(405);
  expect(wrong.headers.Allow).toBe('GET, DELETE');
  expect(bodyOf(await dispatch(request('GET', '/nothing')))).toEqual({ error: 'not_found', reason: 'no route /nothing' });
});

it('turns an HttpError into JSON and any other error into a 500 that says nothing of it', async () => {
  expect(bodyOf(await dispatch(request('GET', '/teapot')))).toEqual({ error: 'teapot', reason: 'short and stout' });
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  const broken = await dispatch(request('GET', '/broken'));
  expect(logged).toHaveBeenCalledOnce();
  logged.mockRestore();
  expect(broken.status).toBe(500);
  expect(String(broken.body)).not.toContain('bug');
});

it('refuses a badly percent-encoded parameter with 400', async () => {
  const reply = await dispatch(request('GET', '/items/%E0%A4%A'));
  expect(reply.status).toBe(400);
  expect(bodyOf(reply).reason).toMatch(/percent-encoded/);
});

it('adds CORS headers for an allowed origin only, and refuses other origins', async () => {
  const allowed = await dispatch(request('GET', '/items/1', { origin: 'http://shop.test' }));
  expect(allowed.headers['Access-Control-Allow-Origin']).toBe('http://shop.test');
  const other = await dispatch(request('GET', '/items/1', { origin: 'http://evil.test' }));
  expect(other.status).toBe(403);
  expect(other.headers['Access-Control-Allow-Origin']).toBeUndefined();
});

it('refuses two handlers for one method and path', () => {
  const twice: Route[] = [routes[0]!, routes[0]!];
  expect(() => createRouter(twice, { env: {}, originAllowed: () => false, clientAddress: () => '' })).toThrow(
    /two routes for GET/,
  );
});
