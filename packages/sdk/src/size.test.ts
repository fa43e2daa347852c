// @vitest-environment node
/**
 * The script tag's budget (DESIGN.md: 6 KB, aim 5): dist/tillit.js minified + gzip (level 9), built as
 * rollup.config.ts builds it (esbuild, es2020, minified IIFE). BUDGET is the size reached plus ~150 B,
 * so that growth is a decision, not a drift. Also the lazily loaded privacy client, names that must
 * never be in a browser bundle (zod's, Node's), and that importing the npm entry runs nothing.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { expect, it } from 'vitest';

const BUDGET = 5990;
const PRIVACY_BUDGET = 650;
const MUST_NOT_APPEAR = ['ZodError', 'zod', 'require(', 'process.env', 'Buffer', 'node:', 'crypto.randomUUID'];
const src = (file: string) => fileURLToPath(new URL(file, import.meta.url));

async function bundle(options: BuildOptions): Promise<string> {
  const result = await build({
    bundle: true,
    write: false,
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    define: { __TILLIT_VERSION__: '"0.0.0"' },
    ...options,
  });
  return result.outputFiles![0]!.text;
}

it(`tillit.js is at most ${BUDGET} bytes minified and gzipped`, async () => {
  const code = await bundle({ entryPoints: [src('./global.ts')], format: 'iife' });
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.info(`[size] tillit.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${BUDGET})`);
  expect(code).toContain('tillit-flush'); // the measured file is the whole SDK
  expect(code).not.toContain('/v1/subjects'); // the privacy client is loaded on first use
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
});

it(`tillit-privacy.js is at most ${PRIVACY_BUDGET} bytes minified and gzipped`, async () => {
  const code = await bundle({ entryPoints: [src('./privacy-global.ts')], format: 'iife' });
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.info(`[size] tillit-privacy.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${PRIVACY_BUDGET})`);
  expect(code).toContain('/v1/subjects');
  expect(code).toContain('tillitPrivacy');
  expect(gzipped).toBeLessThanOrEqual(PRIVACY_BUDGET);
});

it('contains nothing of zod or Node, and no API missing on plain-http pages', async () => {
  for (const entry of ['./global.ts', './privacy-global.ts']) {
    const code = await bundle({ entryPoints: [src(entry)], format: 'iife' });
    expect(MUST_NOT_APPEAR.filter((name) => code.includes(name))).toEqual([]);
  }
});

it('runs nothing when the npm entry is imported', async () => {
  // sideEffects annotations ignored: esbuild keeps every top-level statement that might do something.
  const code = await bundle({
    stdin: { contents: `import ${JSON.stringify(src('./index.ts'))};`, resolveDir: src('.') },
    format: 'esm',
    ignoreAnnotations: true,
  });
  expect(code.trim()).toBe('');
});
