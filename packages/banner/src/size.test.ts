// @vitest-environment node
/**
 * The banner's budget (DESIGN.md): JS + CSS of tillit-banner.js ≤ 6 KB minified + gzip (level 9),
 * measured on the files that ship (dist/, as `npm run build` makes them, without the source-map
 * comment); tillit-tags.js, which every page of a site that gates tags loads, has a ceiling of its
 * own (its size plus ~150 B). Also names that must never be in either: the SDK's internals (the
 * banner codes against the SDK's types only) and Node's. And the npm entry's files import nothing
 * the package does not declare (the internal @tillit/ui-kit is bundled in, never imported).
 */
import { shipped, undeclaredImports } from '@tillit/ui-kit/shipped';
import { expect, it } from 'vitest';

/** DESIGN.md's 6 KB: the hard limit. */
const BUDGET = 6 * 1024;
/**
 * The ratchet under it: the size last measured (6,014 B, Dec 2026; 6,017 B with terser's unsafe_methods
 * and unsafe_math, which take 7 B off tillit.js) plus a 16 B margin for gzip's noise. Growth past it
 * fails; when a change shrinks the file, lower this with it.
 */
const CEILING = 6017 + 16;
const TAGS_BUDGET = 1850;
const MUST_NOT_APPEAR = [
  // SDK internals: storage, transport and idb-keyval's database name.
  'keyval-store',
  'indexedDB',
  '/v1/batch',
  '/v1/consent',
  'sendBeacon',
  'localStorage',
  // zod and Node.
  'ZodError',
  'require(',
  'process.env',
  'Buffer',
  'node:',
];
const dist = (file: string) => new URL(`../dist/${file}`, import.meta.url);

it(`tillit-banner.js, JS and CSS, is at most ${CEILING} bytes minified and gzipped (budget ${BUDGET})`, () => {
  const { code, gzipped } = shipped(dist('tillit-banner.js'));
  console.info(`[size] tillit-banner.js: ${code.length} B min, ${gzipped} B min+gzip (ceiling ${CEILING}, budget ${BUDGET})`);
  expect(code).toContain('adoptedStyleSheets'); // the CSS is inside the measured file
  expect(code).toContain('tillit-consent');
  expect(CEILING).toBeLessThanOrEqual(BUDGET);
  expect(gzipped).toBeLessThanOrEqual(CEILING);
});

it(`tillit-tags.js is at most ${TAGS_BUDGET} bytes minified and gzipped, and carries no UI`, () => {
  const { code, gzipped } = shipped(dist('tillit-tags.js'));
  console.info(`[size] tillit-tags.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${TAGS_BUDGET})`);
  expect(code).toContain('data-tillit-purpose'); // the tag gate,
  expect(code).toContain('wait_for_update'); // Consent Mode,
  expect(code).toContain('1970'); // and cookie cleanup are inside the measured file
  expect(code).not.toContain('adoptedStyleSheets');
  expect(code).not.toContain('attachShadow');
  expect(gzipped).toBeLessThanOrEqual(TAGS_BUDGET);
});

it('contains no SDK internals and nothing of Node', () => {
  for (const file of ['tillit-banner.js', 'tillit-tags.js', 'index.js']) {
    const { code } = shipped(dist(file));
    expect(
      MUST_NOT_APPEAR.filter((name) => code.includes(name)),
      file,
    ).toEqual([]);
  }
});

it('the npm entry and its types import only the packages it depends on', () => {
  expect(undeclaredImports(new URL('../', import.meta.url))).toEqual({ 'index.js': [], 'index.d.ts': [] });
});
