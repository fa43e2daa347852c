import { expect, it, vi } from 'vitest';
import { createApi, type Session, SignedOut } from './api.js';
import { type Dash, panel, periodParams, toCsv } from './panel.js';
import { TEXTS } from './texts.js';
import { cltvBands, pseudonym } from './views/customers.js';
import { byWeek } from './views/overview.js';

it('sends the token as a Bearer credential, and a 401 forgets it and signs out', async () => {
  const session: Session = { token: 'tok' };
  const signedOut = vi.fn();
  const f = vi.fn(async () => new Response('{"error":"unauthorized"}', { status: 401 }));
  const api = createApi(session, signedOut, f as unknown as typeof fetch);
  await expect(api.get('/v1/admin/register', { from: '2026-01-01', to: undefined })).rejects.toBeInstanceOf(SignedOut);
  expect(f).toHaveBeenCalledWith(
    '/v1/admin/register?from=2026-01-01',
    expect.objectContaining({ headers: { Authorization: 'Bearer tok' } }),
  );
  expect([session.token, signedOut.mock.calls.length]).toEqual([null, 1]);
  // Without a token nothing is sent at all.
  await expect(api.get('/v1/admin/register')).rejects.toBeInstanceOf(SignedOut);
  expect(f).toHaveBeenCalledTimes(1);
});

it('turns an inclusive day period into the API from and exclusive to', () => {
  expect(periodParams({ from: '2026-01-01', to: '2026-01-31' })).toEqual({ from: '2026-01-01', to: '2026-02-01' });
  expect(periodParams({ from: '', to: '' })).toEqual({ from: undefined, to: undefined });
});

it('writes CSV that a spreadsheet will not run as a formula', () => {
  expect(
    toCsv({
      header: ['a', 'b'],
      rows: [
        ['=1+1', 'x,"y"'],
        [-3, '@x'],
      ],
    }),
  ).toBe('a,b\r\n\'=1+1,"x,""y"""\r\n-3,\'@x');
});

it('shows customers by a stable pseudonym, never the id', () => {
  expect(pseudonym('alice@example.com')).toMatch(/^c-[0-9a-f]{8}$/);
  expect(pseudonym('alice@example.com')).toBe(pseudonym('alice@example.com'));
  expect(pseudonym('bob')).not.toBe(pseudonym('alice@example.com'));
});

it('bands CLTVs evenly up to the 95th percentile, the rest in the last band', () => {
  const bands = cltvBands([0, 5, 10, 15, 20, 1000], 4);
  expect(bands.map((b) => b.count)).toEqual([1, 1, 1, 3]);
  expect(bands[0]!.label).toBe('0–5');
  expect(bands[3]!.label).toBe('≥15');
});

it('merges days into weeks from Monday, weighting rates by decisions', () => {
  const day = (d: string, decisions: number, rate: number) => ({
    day: d,
    decisions,
    acceptAll: 0,
    rejectAll: 0,
    custom: 0,
    rates: { analytics: rate },
  });
  // 2026-03-02 is a Monday.
  expect(byWeek([day('2026-03-02', 1, 1), day('2026-03-08', 3, 0), day('2026-03-09', 2, 0.5)], ['analytics'])).toEqual([
    { day: '2026-03-02', decisions: 4, rates: { analytics: 0.25 } },
    { day: '2026-03-09', decisions: 2, rates: { analytics: 0.5 } },
  ]);
});

it('says an empty panel the period picker filters is empty in this period, and an unfiltered one is empty at all', () => {
  const d = { lang: 'en', t: TEXTS.en, period: { from: '', to: '' }, main: document.createElement('main') } as unknown as Dash;
  const data = { header: ['a'], rows: [] };
  expect(panel(d, { id: 'orders', title: 'Orders', data }).textContent).toContain('Nothing in this period.');
  const audit = panel(d, { id: 'audit', title: 'Audit log', data, timeless: true }).textContent;
  expect(audit).toContain('Nothing yet.');
  expect(audit).not.toContain('in this period');
});
