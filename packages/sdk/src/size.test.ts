// @vitest-environment node
/**
 * The script tag's budget (DESIGN.md): dist/tillit.js ≤ 6 KB minified + gzip (level 9), built as
 * rollup.config.ts builds it (esbuild, es2020, minified IIFE). Also names that must never be in a
 * browser bundle (zod's, Node's), and that importing the npm entry runs nothing.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { expect, it } from 'vitest';

const BUDGET = 6 * 1024;
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
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
});

it('contains nothing of zod or Node, and no API missing on plain-http pages', async () => {
  const code = await bundle({ entryPoints: [src('./global.ts')], format: 'iife' });
  expect(MUST_NOT_APPEAR.filter((name) => code.includes(name))).toEqual([]);
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
