import type { SubjectAccess } from '@tillit/schema';
import type { ConsentDecision, TillitConsent } from '@tillit/sdk';
import { afterEach, expect, it, vi } from 'vitest';
import { type PortalBackend, sdkBackend, tokenBackend, tokenSubject } from './backend.js';
import { mountPortal } from './portal.js';
import { TEXTS } from './texts.js';

const XSS = '<img src=x onerror="window.__pwned=1">';

function answer(events = 3): SubjectAccess {
  return {
    confirmation: true,
    subject: { kind: 'anonymous', id: 'a-1', site: 'shop' },
    generatedAt: new Date().toISOString(),
    data: {
      subjects: [{ anonymousId: 'a-1', createdAt: new Date().toISOString() }],
      events: Array.from({ length: events }, (_, i) => ({
        messageId: `m${i}`,
        type: 'track',
        event: i === 0 ? XSS : `Event ${i}`,
        anonymousId: 'a-1',
        userId: null,
        timestamp: new Date(Date.UTC(2026, 10, 1, 12, i)).toISOString(),
        receivedAt: new Date().toISOString(),
        properties: { note: XSS },
      })),
      consentRecords: [
        {
          receiptId: 'r-1',
          anonymousId: 'a-1',
          userId: null,
          purposes: { analytics: true, marketing: false },
          policyVersion: '2026-11',
          source: 'banner',
          textHash: null,
          decidedAt: new Date().toISOString(),
          receivedAt: new Date().toISOString(),
        },
      ],
      identityLinks: [],
      requests: [],
    },
    processing: {
      controller: { name: 'Shop AB', contact: 'privacy@shop.example' },
      purposes: [{ purpose: 'analytics', description: 'Measuring use', legalBasis: 'consent' }],
      categories: ['events'],
      recipients: [],
      transfers: [],
      rights: ['erasure'],
      supervisoryAuthority: { name: 'IMY', url: 'https://www.imy.se' },
      source: 'your browser',
      automatedDecisions: 'none',
      retention: { eventsDays: 30, statement: 'Events are deleted 30 days after they were received.' },
    },
  };
}

function fakeConsent(): TillitConsent & { sets: unknown[] } {
  let decision: ConsentDecision | null = {
    purposes: { analytics: true, marketing: false },
    policyVersion: '2026-11',
    source: 'banner',
    decidedAt: new Date().toISOString(),
  };
  const sets: unknown[] = [];
  return {
    sets,
    get: () => decision,
    needsDecision: () => !decision,
    isGranted: (p) => decision?.purposes[p] === true,
    purposes: () => ['analytics', 'marketing'],
    set: async (choices, options) => {
      sets.push([choices, options]);
      decision = { ...decision!, purposes: choices };
    },
    acceptAll: async () => {},
    rejectAll: async () => {},
    onChange: () => () => {},
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
let host: HTMLElement;
afterEach(() => host?.remove());

async function mount(backend: Partial<PortalBackend>, lang: 'en' | 'sv' = 'en', pageSize = 20) {
  host = document.createElement('div');
  document.body.append(host);
  mountPortal(host, {
    backend: {
      access: async () => answer(),
      download: async () => {},
      erase: async () => ({ receiptId: 'x' }),
      wipesLocal: true,
      ...backend,
    },
    lang,
    pageSize,
  });
  await tick();
  await tick();
  return host.shadowRoot!;
}

const buttonNamed = (root: ShadowRoot, name: string) =>
  [...root.querySelectorAll('button')].find((b) => b.textContent === name) as HTMLButtonElement;

it('renders stored values as text, never as markup', async () => {
  const root = await mount({});
  expect(root.querySelector('img')).toBeNull();
  expect(root.textContent).toContain(XSS);
  expect((window as { __pwned?: number }).__pwned).toBeUndefined();
});

it('pages the data table and says which page is shown', async () => {
  const root = await mount({ access: async () => answer(5) }, 'en', 2);
  const rows = () => [...root.querySelectorAll('section[aria-labelledby="tp-data"] tbody tr')];
  expect(rows()).toHaveLength(2);
  expect(root.textContent).toContain('Page 1 of 3');
  buttonNamed(root, 'Next page').click();
  buttonNamed(root, 'Next page').click();
  expect(rows()).toHaveLength(1);
  expect(root.textContent).toContain('Page 3 of 3');
  expect(buttonNamed(root, 'Next page').disabled).toBe(true);
});

it('changes choices through the SDK, recorded with the portal as source', async () => {
  const consent = fakeConsent();
  const root = await mount({ consent });
  const marketing = root.querySelector('#tp-purpose-marketing') as HTMLInputElement;
  expect(marketing.checked).toBe(false);
  expect((root.querySelector('label[for="tp-purpose-marketing"]') as HTMLElement).textContent).toBe('Marketing');
  marketing.checked = true;
  (root.querySelector('form') as HTMLFormElement).requestSubmit();
  await tick();
  expect(consent.sets).toEqual([[{ analytics: true, marketing: true }, { source: 'portal' }]]);
  expect(root.querySelector('[role="status"]')!.textContent).toBe('Your choices are saved.');
});

it('erases only after a confirmation, then shows the receipt with the focus on it', async () => {
  const erase = vi.fn(async () => ({ receiptId: 'rcpt-123', erasedAt: new Date().toISOString() }));
  const root = await mount({ erase });
  buttonNamed(root, 'Erase my data…').click();
  expect(root.activeElement?.textContent).toBe('Cancel');
  expect(erase).not.toHaveBeenCalled();
  buttonNamed(root, 'Yes, erase everything').click();
  await tick();
  expect(erase).toHaveBeenCalledOnce();
  expect(root.textContent).toContain('rcpt-123');
  expect(root.activeElement?.textContent).toBe('Your data has been erased');
});

it('speaks Swedish and states the Art. 15 information', async () => {
  const root = await mount({}, 'sv');
  expect(root.textContent).toContain('Din integritet');
  expect(root.textContent).toContain('Radera dina uppgifter');
  expect(root.textContent).toContain('Events are deleted 30 days');
  expect(root.textContent).toContain('IMY');
});

it('says a link has expired when the collector refuses its token', async () => {
  const claims = btoa(JSON.stringify({ sub: 'a-1', exp: 1 })).replace(/=+$/, '');
  expect(tokenSubject(`${claims}.mac`)).toBe('a-1');
  const backend = tokenBackend('http://c.test', `${claims}.mac`, async () => new Response('{}', { status: 404 }));
  const root = await mount(backend);
  // The portal's own words for an expired link, not the generic failure quoting the error.
  expect(root.querySelector('[role="status"]')!.textContent).toBe(TEXTS.en.expired);
});

it('on the site, asks again when the collector does not know the visitor yet (its consent record is on its way)', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  let calls = 0;
  const tillit = {
    anonymousId: () => 'a-1',
    consent: fakeConsent(),
    privacy: {
      access: async () => {
        if (++calls < 2) throw new Error('[tillit] collector answered 404');
        return answer(1);
      },
    },
  };
  const { sdkBackend } = await import('./backend.js');
  const pending = sdkBackend(tillit as never).access();
  await vi.advanceTimersByTimeAsync(1000);
  expect((await pending)?.data.events).toHaveLength(1);
  expect(calls).toBe(2);
  vi.useRealTimers();
});

it("on the site's page, conclusions and the switches go through a portal token the SDK mints, renewed once when it expires", async () => {
  const token = (n: number) => `${btoa(JSON.stringify({ sub: 'a-1', n })).replace(/=+$/, '')}.sig`;
  const urls = [`https://c.example/privacy#token=${token(1)}`, `https://c.example/privacy#token=${token(2)}`];
  const portalUrl = vi.fn(async () => urls.shift()!);
  const calls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).Authorization;
      calls.push(`${init.method} ${url} ${auth === `Bearer ${token(1)}` ? 't1' : 't2'}`);
      // The first token has expired: the collector answers 404, as it does for every refused credential.
      return auth === `Bearer ${token(1)}` ? new Response('', { status: 404 }) : new Response('{"results":[]}', { status: 200 });
    }),
  );
  const tillit = { privacy: { portalUrl }, consent: fakeConsent() } as unknown as Parameters<typeof sdkBackend>[0];
  const backend = sdkBackend(tillit);
  expect(await backend.conclusions!()).toEqual({ results: [] });
  await backend.limit!('objection', true);
  expect(calls).toEqual([
    'GET https://c.example/v1/subjects/a-1/conclusions t1',
    'GET https://c.example/v1/subjects/a-1/conclusions t2',
    'POST https://c.example/v1/subjects/a-1/objection t2',
  ]);
  expect(portalUrl).toHaveBeenCalledTimes(2);
  vi.unstubAllGlobals();
});
