// @vitest-environment node
/**
 * tillit-portal.js stays small (it loads only on the privacy page, but still), ships nothing of zod or
 * Node, and has no HTML-parsing sink at all: stored values can only ever be set as text.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const BUDGET = 7 * 1024;
const MUST_NOT_APPEAR = ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'zod', 'node:', 'Buffer'];

it(`tillit-portal.js is at most ${BUDGET} bytes minified and gzipped, with no HTML sink`, async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./global.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'browser',
    target: 'es2020',
    format: 'iife',
    minify: true,
    legalComments: 'none',
  });
  const code = result.outputFiles[0]!.text;
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.info(`[size] tillit-portal.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${BUDGET})`);
  expect(code).toContain('tillit-privacy-portal');
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
  expect(MUST_NOT_APPEAR.filter((name) => code.includes(name))).toEqual([]);
});
