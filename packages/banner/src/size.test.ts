// @vitest-environment node
/**
 * The banner's budget (DESIGN.md): JS + CSS of the script-tag bundle ≤ 6 KB minified + gzip (level 9),
 * built as rollup.config.ts builds it. Also names that must never be in it: the SDK's internals
 * (the banner codes against the SDK's types only) and Node's.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const BUDGET = 6 * 1024;
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

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./global.ts', import.meta.url))],
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

it('contains no SDK internals and nothing of Node', async () => {
  const code = await bundle();
  expect(MUST_NOT_APPEAR.filter((name) => code.includes(name))).toEqual([]);
});
