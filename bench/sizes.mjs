// Section 1: bundle sizes. Tillit's shipped bundles as they are, its npm usage and every peer's npm
// usage bundled the same way here: esbuild, ESM, minified, code splitting on (so code a library
// loads later with import() is counted apart), each file gzip -9 and brotli -11.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const work = join(root, 'bench/.work/sizes');

const sizes = (buf) => ({
  min: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const sum = (list) =>
  list.reduce((a, s) => ({ min: a.min + s.min, gzip: a.gzip + s.gzip, brotli: a.brotli + s.brotli }), {
    min: 0,
    gzip: 0,
    brotli: 0,
  });

/** What each entry does, and what its figure covers. `dir` is where it resolves packages from. */
export const ENTRIES = [
  {
    name: 'Tillit, npm: createTillit + mountBanner',
    dir: root,
    code: `import { createTillit } from '@tillit/sdk'; import { mountBanner } from '@tillit/banner';
const t = createTillit({ collectorUrl: 'https://c.example', writeKey: 'wk', policyVersion: '1' });
mountBanner(t); t.track('Signed Up');`,
    covers: 'SDK and banner with its CSS (in JS), everything; nothing is loaded later',
    tillit: true,
  },
  {
    name: 'PostHog (posthog-js)',
    pkg: 'posthog-js',
    code: `import posthog from 'posthog-js'; posthog.init('phc_x', { api_host: 'https://c.example' }); posthog.capture('Signed Up');`,
    covers:
      'the core; recordings, surveys, toolbar, exception autocapture etc. load later from PostHog’s servers as extra scripts',
  },
  {
    name: 'Segment (@segment/analytics-next)',
    pkg: '@segment/analytics-next',
    code: `import { AnalyticsBrowser } from '@segment/analytics-next'; const a = AnalyticsBrowser.load({ writeKey: 'wk' }); a.track('Signed Up');`,
    covers:
      'initial = what runs at load; total adds the chunks it import()s (legacy destinations, plugins); destinations configured in Segment load later as extra scripts',
  },
  {
    name: 'RudderStack (@rudderstack/analytics-js)',
    pkg: '@rudderstack/analytics-js',
    code: `import { RudderAnalytics } from '@rudderstack/analytics-js'; const r = new RudderAnalytics(); r.load('wk', 'https://c.example'); r.track('Signed Up');`,
    covers:
      'the default npm build: its plugins (storage encryption, beacon queue, consent managers…) load later from RudderStack’s CDN',
  },
  {
    name: 'RudderStack, bundled plugins (@rudderstack/analytics-js/bundled)',
    pkg: '@rudderstack/analytics-js',
    code: `import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; const r = new RudderAnalytics(); r.load('wk', 'https://c.example'); r.track('Signed Up');`,
    covers: 'the build with its plugins inside, nothing fetched later',
  },
  {
    name: 'Snowplow (@snowplow/browser-tracker)',
    pkg: '@snowplow/browser-tracker',
    code: `import { newTracker, trackPageView, trackSelfDescribingEvent } from '@snowplow/browser-tracker';
newTracker('sp', 'https://c.example'); trackPageView(); trackSelfDescribingEvent({ event: { schema: 'iglu:x/y/jsonschema/1-0-0', data: {} } });`,
    covers: 'the tracker core; no consent, no banner',
  },
  {
    name: 'Plausible (plausible-tracker)',
    pkg: 'plausible-tracker',
    code: `import Plausible from 'plausible-tracker'; const p = Plausible({ domain: 'shop.example' }); p.trackPageview(); p.trackEvent('Signed Up');`,
    covers: 'page views and custom events only: no queue, no retries, no consent',
  },
  {
    name: 'vanilla-cookieconsent, JS + CSS',
    pkg: 'vanilla-cookieconsent',
    code: `import * as CookieConsent from 'vanilla-cookieconsent'; import 'vanilla-cookieconsent/dist/cookieconsent.css';
CookieConsent.run({ categories: { necessary: { readOnly: true }, analytics: {} }, language: { default: 'en', translations: { en: { consentModal: { title: 'Cookies', acceptAllBtn: 'Accept', acceptNecessaryBtn: 'Reject' }, preferencesModal: { sections: [] } } } } });`,
    covers: 'banner and preferences with its CSS; no event tracking',
  },
  {
    name: 'Klaro (klaro)',
    pkg: 'klaro',
    code: `import * as Klaro from 'klaro'; Klaro.setup({ services: [{ name: 'analytics', purposes: ['analytics'] }] });`,
    covers: 'banner and preferences with CSS and all translations in JS; no event tracking',
  },
];

/**
 * The workspace packages from their sources, as rollup.config.ts builds them: `@tillit/x` →
 * packages/x/src/index.ts and `@tillit/x/sub` → packages/x/src/sub.ts (the SDK imports @tillit/schema/scrub;
 * an alias of `@tillit/schema` to index.ts made that `index.ts/scrub`, and the row failed to build).
 */
const workspaceSources = {
  name: 'tillit-workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@tillit\/[\w-]+(\/[\w-]+)?$/ }, (args) => {
      const [, pkg, sub] = /^@tillit\/([\w-]+)(?:\/([\w-]+))?$/.exec(args.path);
      return { path: join(root, 'packages', pkg, 'src', `${sub ?? 'index'}.ts`) };
    });
  },
};

/** Bundles one entry; returns the initial files (the entry and what it imports statically) and all files. */
async function bundle(entry, index) {
  const dir = join(work, String(index));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = entry.dir ?? join(root, 'bench');
  {
    const result = await build({
      // The entry is given inline, resolving packages from `base` (bench/node_modules for peers).
      stdin: { contents: entry.code, resolveDir: base, loader: 'js' },
      absWorkingDir: root,
      bundle: true,
      minify: true,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: 'es2020',
      outdir: dir,
      metafile: true,
      legalComments: 'none',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"', __TILLIT_VERSION__: '"0.1.0"' },
      plugins: entry.tillit ? [workspaceSources] : [],
    });
    const outputs = result.metafile.outputs;
    const key = (file) => relative(root, file).replaceAll('\\', '/');
    const entryOut = Object.keys(outputs).find((o) => outputs[o].entryPoint === '<stdin>');
    const initial = new Set();
    const visit = (o) => {
      if (initial.has(o)) return;
      initial.add(o);
      for (const imp of outputs[o].imports) if (imp.kind === 'import-statement') visit(imp.path);
    };
    visit(entryOut);
    // CSS that the entry imports ships next to it: count it as initial.
    for (const o of Object.keys(outputs)) if (o.endsWith('.css')) initial.add(o);
    const files = Object.keys(outputs).filter((o) => !o.endsWith('.map'));
    const measure = (list) => sum(list.map((o) => sizes(readFileSync(join(root, o)))));
    return { initial: measure([...initial]), total: measure(files), files: files.length, key: key(entryOut) };
  }
}

function version(pkg) {
  const file = join(root, 'bench/node_modules', pkg, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : '?';
}

export async function sizesSection({ log = console.log } = {}) {
  // `later`: files the script tag loads only when a page first needs them.
  const shipped = [
    {
      name: 'Tillit script tag (packages/sdk/dist/tillit.js)',
      file: 'packages/sdk/dist/tillit.js',
      later: ['packages/sdk/dist/tillit-privacy.js'],
      covers:
        'consent, events, IndexedDB queue, transport; “all” adds tillit-privacy.js (access, export, erasure), loaded on first use; the banner loads only while a decision is needed',
    },
    {
      name: 'Tillit banner (packages/banner/dist/tillit-banner.js)',
      file: 'packages/banner/dist/tillit-banner.js',
      later: [],
      covers: 'banner and preferences dialog, CSS in JS',
    },
    {
      name: 'Tillit tag gate (packages/banner/dist/tillit-tags.js)',
      file: 'packages/banner/dist/tillit-tags.js',
      later: [],
      covers: 'optional, for sites that gate third-party tags: Consent Mode, cookie cleanup, no UI',
    },
  ].map((s) => {
    const path = join(root, s.file);
    if (!existsSync(path)) return { ...s, missing: true };
    const initial = sizes(readFileSync(path));
    const later = s.later.filter((f) => existsSync(join(root, f))).map((f) => sizes(readFileSync(join(root, f))));
    return { ...s, initial, total: sum([initial, ...later]), files: 1 + later.length };
  });
  const built = [];
  for (const [i, entry] of ENTRIES.entries()) {
    log(`  sizes: ${entry.name}…`);
    try {
      built.push({ ...entry, version: entry.pkg ? version(entry.pkg) : '0.1.0', ...(await bundle(entry, i)) });
    } catch (error) {
      built.push({ ...entry, error: String(error.message ?? error).split('\n')[0] });
    }
  }
  return { shipped, built };
}
