// @vitest-environment node
/**
 * The banner's budget (DESIGN.md): JS + CSS of the script-tag bundle ≤ 6 KB minified + gzip (level 9),
 * built as rollup.config.ts builds it; tillit-tags.js, which every page of a site that gates tags
 * loads, has a ceiling of its own (its size plus ~150 B). Also names that must never be in either:
 * the SDK's internals (the banner codes against the SDK's types only) and Node's.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const BUDGET = 6 * 1024;
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

async function bundle(entry = './global.ts'): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    // As rollup.config.ts does: a workspace package resolves to its sources, so a runtime import of
    // the SDK would pull its code in, and this test would see it.
    alias: { '@tillit/sdk': fileURLToPath(new URL('../../sdk/src/index.ts', import.meta.url)) },
    define: { __TILLIT_VERSION__: '"0.0.0"' },
  });
  return result.outputFiles[0]!.text;
}

it(`tillit-banner.js, JS and CSS, is at most ${BUDGET} bytes minified and gzipped`, async () => {
  const code = await bundle();
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.info(`[size] tillit-banner.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${BUDGET})`);
  expect(code).toContain('adoptedStyleSheets'); // the CSS is inside the measured file
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
});

it(`tillit-tags.js is at most ${TAGS_BUDGET} bytes minified and gzipped, and carries no UI`, async () => {
  const code = await bundle('./tags-global.ts');
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.info(`[size] tillit-tags.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${TAGS_BUDGET})`);
  expect(code).toContain('data-tillit-purpose'); // the tag gate,
  expect(code).toContain('wait_for_update'); // Consent Mode,
  expect(code).toContain('1970'); // and cookie cleanup are inside the measured file
  expect(code).not.toContain('adoptedStyleSheets');
  expect(code).not.toContain('attachShadow');
  expect(gzipped).toBeLessThanOrEqual(TAGS_BUDGET);
});

it('contains no SDK internals and nothing of Node', async () => {
  for (const entry of ['./global.ts', './tags-global.ts']) {
    const code = await bundle(entry);
    expect(MUST_NOT_APPEAR.filter((name) => code.includes(name))).toEqual([]);
  }
});
