/**
 * The script-tag entry, and the SDK's only module with side effects: reads the settings from its
 * own tag's data-* attributes, replaces the snippet's stub on `window.tillit` and replays the
 * calls queued on it, and loads the banner only when a decision is needed and the privacy client
 * (`tillit-privacy.js`) only when the page first uses it.
 */
import type { openChunk } from './chunk.js';
import { createTillit } from './tillit.js';
import type { Tillit } from './types.js';

type Call = [string, ...unknown[]];
type Stub = Call[] & Record<string, unknown>;
interface Global extends Tillit {
  /** Opens the preferences dialog (loads the banner if needed). */
  showPreferences(): void;
  /** The stub's queue method, kept so that late snippet calls still work. */
  push(call: Call): void;
}
declare global {
  interface Window {
    tillit?: Global | Stub;
    tillitBanner?: { showPreferences(): void };
    tillitPrivacy?: typeof openChunk;
  }
}

const script = document.currentScript as HTMLScriptElement;
const data = script.dataset;
const on = (v?: string) => !!v && v !== 'false' && v !== 'off';
const list = (v?: string) => v?.split(',').filter(Boolean);
let banner: Promise<unknown> | undefined;

/** Inserts a script from next to this one (or from `src`), with this tag's nonce. */
const load = (file: string, src?: string) =>
  new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src || new URL(file, script.src).href;
    s.nonce = script.nonce;
    s.onload = resolve;
    s.onerror = () => reject(Error(`[tillit] failed to load ${s.src}`));
    document.head.append(s);
  });

const stub = window.tillit as Stub | undefined;
const api = createTillit(
  {
    collectorUrl: data.collector!,
    writeKey: data.writeKey!,
    policyVersion: data.policyVersion!,
    purposes: list(data.purposes),
    gpcPurposes: list(data.gpcPurposes),
    consentMaxAgeDays: +data.consentMaxAgeDays! || undefined,
    consentCookie: on(data.consentCookie),
    cookieDomain: data.cookieDomain,
    serverCookie: on(data.serverCookie),
    debug: on(data.debug),
    autoPageViews: data.autoPage !== 'off',
    // A string: createState reads it as a number ("off", "0", anything not a number: sessions off).
    sessionTimeoutMs: data.sessionTimeout as never,
  },
  () => load('tillit-privacy.js').then(() => window.tillitPrivacy!),
) as Global;

/** Loads tillit-banner.js once, from next to this script unless data-banner-src says otherwise. */
const loadBanner = () => {
  if (data.banner === 'off') return;
  banner ??= load('tillit-banner.js', data.bannerSrc).catch(console.error);
  return banner;
};

api.showPreferences = () => void loadBanner()?.then(() => window.tillitBanner?.showPreferences());
/** Runs `['track', ...args]` or `['consent.set', ...args]`. */
api.push = ([name, ...args]: Call) => {
  try {
    const [a, b] = name.split('.') as [keyof Global, string?];
    const target = (b ? api[a] : api) as unknown as Record<string, (...x: unknown[]) => unknown>;
    target[b ?? a]!(...args);
  } catch (e) {
    console.warn('[tillit] queued call failed:', name, e);
  }
};
window.tillit = api;
if (Array.isArray(stub)) for (const call of stub) api.push(call);
// tillit-tags.js (and a banner loaded first) mount on this at once rather than by polling.
dispatchEvent(new Event('tillit:ready'));
// A returning visitor who has decided downloads no banner code.
if (api.consent.needsDecision()) loadBanner();
