// @vitest-environment node
/**
 * The dashboard's own JS + CSS as shipped (dist/dashboard.js as `npm run build` makes it, and the
 * stylesheet), gzip level 9: the figure bench/REPORT.md quotes. Its charts are hand-written SVG; a chart
 * library alone would cost more than this whole budget (bench/REPORT.md). No HTML sink: every stored
 * value (event names, comments) is set as text.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { shipped } from '@tillit/ui-kit/shipped';
import { expect, it } from 'vitest';

const BUDGET = 12 * 1024;
const MUST_NOT_APPEAR = [
  'innerHTML',
  'outerHTML',
  'insertAdjacentHTML',
  'document.write',
  'localStorage',
  'sessionStorage',
  'document.cookie',
];

it(`dashboard.js + dashboard.css are at most ${BUDGET} bytes gzipped, with no HTML sink and no token storage`, () => {
  const js = shipped(new URL('../dist/dashboard.js', import.meta.url));
  const css = readFileSync(new URL('./dashboard.css', import.meta.url), 'utf8');
  const cssGzipped = gzipSync(css, { level: 9 }).length;
  console.info(
    `[size] dashboard.js ${js.code.length} B min, ${js.gzipped} B gzip; dashboard.css ${css.length} B, ${cssGzipped} B gzip`,
  );
  expect(js.gzipped + cssGzipped).toBeLessThanOrEqual(BUDGET);
  expect(MUST_NOT_APPEAR.filter((name) => js.code.includes(name))).toEqual([]);
});
