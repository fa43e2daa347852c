// @vitest-environment node
/**
 * tillit-portal.js as it ships (dist/, as `npm run build` makes it, without the source-map comment)
 * stays small (it loads only on the privacy page, but still), ships nothing of zod or Node, and has
 * no HTML-parsing sink at all: stored values can only ever be set as text. The npm entry's files
 * import only declared dependencies: its published types resolve for a user (no @tillit/schema).
 */
import { shipped, undeclaredImports } from '@tillit/ui-kit/shipped';
import { expect, it } from 'vitest';

const BUDGET = 7 * 1024;
const MUST_NOT_APPEAR = ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'zod', 'node:', 'Buffer'];
const dist = (file: string) => new URL(`../dist/${file}`, import.meta.url);

it(`tillit-portal.js is at most ${BUDGET} bytes minified and gzipped, with no HTML sink`, () => {
  const { code, gzipped } = shipped(dist('tillit-portal.js'));
  console.info(`[size] tillit-portal.js: ${code.length} B min, ${gzipped} B min+gzip (budget ${BUDGET})`);
  expect(code).toContain('tillit-privacy-portal');
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
  for (const file of ['tillit-portal.js', 'index.js']) {
    expect(
      MUST_NOT_APPEAR.filter((name) => shipped(dist(file)).code.includes(name)),
      file,
    ).toEqual([]);
  }
});

it('the npm entry and its types import only the packages it depends on', () => {
  expect(undeclaredImports(new URL('../', import.meta.url))).toEqual({ 'index.js': [], 'index.d.ts': [] });
});
