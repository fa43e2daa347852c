// Section 5: the dashboard's size, and the chart libraries it was chosen against. The dashboard as
// shipped (dist/dashboard.js as built, src/dashboard.css as served); each chart library bundled alone
// the same way as section 1 (esbuild, ESM, minified, gzip -9), drawing a bar chart, with its CSS.
//
//   node bench/dashboard.mjs    measures and rewrites this section of bench/REPORT.md in place
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

const LIBRARIES = [
  {
    name: 'Tillit dashboard charts (packages/dashboard/src/charts.ts)',
    dir: root,
    code: `import { bars, hbars, lines, heatmap, scatter, legend } from './packages/dashboard/src/charts.ts';
document.body.append(bars('t', ['a'], [{ name: 'n', values: [1] }]), hbars('t', [], []), lines('t', [], []), heatmap('t', [], [], []), scatter('t', []), legend([]));`,
    draws: 'SVG in the DOM: role img named by the heading, a title per mark',
  },
  {
    name: 'uPlot',
    pkg: 'uplot',
    code: `import uPlot from 'uplot'; import 'uplot/dist/uPlot.min.css';
new uPlot({ width: 480, height: 220, series: [{}, { label: 'Events' }] }, [[1, 2], [3, 4]], document.body);`,
    draws: 'canvas: nothing for a screen reader unless the page adds it',
  },
  {
    name: 'Chart.js (bar + line, registered parts only)',
    pkg: 'chart.js',
    code: `import { Chart, BarController, LineController, BarElement, LineElement, PointElement, CategoryScale, LinearScale } from 'chart.js';
Chart.register(BarController, LineController, BarElement, LineElement, PointElement, CategoryScale, LinearScale);
new Chart(document.createElement('canvas'), { type: 'bar', data: { labels: ['a'], datasets: [{ data: [1] }] } });`,
    draws: 'canvas: nothing for a screen reader unless the page adds it',
  },
  {
    name: 'Observable Plot (bar, line, cell)',
    pkg: '@observablehq/plot',
    code: `import * as Plot from '@observablehq/plot';
document.body.append(Plot.plot({ marks: [Plot.barY([{ x: 'a', y: 1 }], { x: 'x', y: 'y' }), Plot.lineY([1, 2]), Plot.cell([{ x: 1, y: 1 }], { x: 'x', y: 'y', fill: 'x' })] }));`,
    draws: 'SVG with aria-label options; brings d3',
  },
];

function version(pkg) {
  const file = join(root, 'bench/node_modules', pkg, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

async function measure(lib) {
  const result = await build({
    stdin: { contents: lib.code, resolveDir: lib.dir ?? join(root, 'bench'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    outdir: join(root, 'bench/.work/dashboard'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = result.outputFiles;
  return { min: files.reduce((a, f) => a + f.contents.length, 0), gzip: files.reduce((a, f) => a + gz(f.contents), 0) };
}

export async function dashboardSection() {
  const js = readFileSync(join(root, 'packages/dashboard/dist/dashboard.js'), 'utf8').replace(
    /\n?\/\/# sourceMappingURL=\S+\s*$/,
    '',
  );
  const css = readFileSync(join(root, 'packages/dashboard/src/dashboard.css'));
  const libraries = [];
  for (const lib of LIBRARIES) {
    if (lib.pkg && !version(lib.pkg)) libraries.push({ ...lib, missing: true });
    else libraries.push({ ...lib, version: lib.pkg ? version(lib.pkg) : '0.1.0', ...(await measure(lib)) });
  }
  return { js: { min: js.length, gzip: gz(js) }, css: { min: css.length, gzip: gz(css) }, libraries };
}

const kb = (b) => (b / 1024).toFixed(1);

export function renderDashboard(r, out) {
  out.push(
    '## 5. Dashboard',
    '',
    'The operator dashboard (`/dashboard`) as shipped: its own JS and CSS, minified as built, gzip -9. Beside it, the',
    'chart libraries it was chosen against, each bundled alone the same way (esbuild, minified, with its CSS) drawing one chart.',
    '',
    '| file | min KB | gzip KB |',
    '|---|---:|---:|',
    `| packages/dashboard/dist/dashboard.js (8 views, SVG charts, English + Swedish) | ${kb(r.js.min)} | ${kb(r.js.gzip)} |`,
    `| packages/dashboard/src/dashboard.css | ${kb(r.css.min)} | ${kb(r.css.gzip)} |`,
    `| **together** | ${kb(r.js.min + r.css.min)} | **${kb(r.js.gzip + r.css.gzip)}** |`,
    '',
    '| chart library | version | min KB | gzip KB | draws |',
    '|---|---:|---:|---:|---|',
    ...r.libraries.map((l) =>
      l.missing
        ? `| ${l.name} | not installed (npm ci --prefix bench) | | | ${l.draws} |`
        : `| ${l.name} | ${l.version} | ${kb(l.min)} | ${kb(l.gzip)} | ${l.draws} |`,
    ),
    '',
    '- Chosen: the hand-written SVG module. The smallest library measured (uPlot) alone weighs more than twice the whole',
    '  dashboard, and the canvas ones give a screen reader nothing; SVG keeps every label as text, each chart is an',
    '  `<svg role="img">` named by its heading, and the table beside it is the text alternative (axe, WCAG 2.1 AA, in',
    '  test/e2e/dashboard.spec.ts).',
    '',
  );
}

// Run directly: measure and put this section into bench/REPORT.md in place of the old one.
if (import.meta.url === `file://${process.argv[1]}`) {
  const out = [];
  renderDashboard(await dashboardSection(), out);
  const file = join(root, 'bench/REPORT.md');
  const report = readFileSync(file, 'utf8');
  const start = report.indexOf('## 5. Dashboard');
  const end = start < 0 ? -1 : report.indexOf('\n## ', start + 1);
  const section = out.join('\n');
  const next =
    start < 0 ? `${report.trimEnd()}\n\n${section}` : report.slice(0, start) + section + (end < 0 ? '' : report.slice(end));
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
  console.log(section);
}
