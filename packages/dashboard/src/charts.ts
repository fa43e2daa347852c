/**
 * Hand-written SVG charts: grouped bars, lines, a heatmap and a scatter. Chosen by measurement over
 * uPlot, Chart.js and Observable Plot (bench/REPORT.md): this module is a few KB minified against tens,
 * and SVG keeps the drawing in the DOM (text stays text; no canvas to describe). Every chart is an
 * `<svg role="img">` named by its caption; the table beside it carries the numbers (the text
 * alternative). Colours come from CSS classes (`.c0`…`.c6`), never inline styles, so a strict CSP holds.
 */
const NS = 'http://www.w3.org/2000/svg';
const W = 480;
const H = 220;
const PAD = { l: 44, r: 22, t: 8, b: 28 };

export interface Series {
  name: string;
  values: number[];
}

type Attrs = Record<string, string | number>;

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A short number for an axis: 1200 → 1.2k. */
export function short(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(+n.toFixed(a >= 10 ? 0 : a < 1 && a > 0 ? 2 : 1));
}

/** The svg of a chart, named by `labelledBy` (the figure's caption). */
function frame(labelledBy: string, height = H): SVGSVGElement {
  return s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': labelledBy, class: 'chart' });
}

/** `percent`: values are shares (0–1), ticks say %. */
export type Scale = 'count' | 'percent';
const tick = (v: number, scale: Scale) => (scale === 'percent' ? `${Math.round(v * 100)} %` : short(v));

/** `range` fixes the axis (NPS: [-100, 100]); else 0 to the largest value. */
export type Range = [number, number];

function yAxis(svg: SVGSVGElement, max: number, height = H, scale: Scale = 'count', range?: Range): (v: number) => number {
  const [bottom, top] = range ?? [0, scale === 'percent' ? 1 : max > 0 ? max : 1];
  const y = (v: number) => height - PAD.b - ((v - bottom) / (top - bottom)) * (height - PAD.t - PAD.b);
  for (const f of [0, 0.5, 1]) {
    const v = bottom + (top - bottom) * f;
    svg.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: PAD.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, tick(v, scale)));
  }
  return y;
}

/** At most `n` labels along the x axis, evenly spaced. */
function xLabels(svg: SVGSVGElement, labels: string[], x: (i: number) => number, n = 8, height = H): void {
  // Dates lose their year (the table has it) so that more fit.
  if (labels.every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l))) labels = labels.map((l) => l.slice(5));
  const step = Math.max(1, Math.ceil(labels.length / n));
  // As many characters as the space between two labels holds (about 6.5 units each at 11 px).
  const room = Math.max(3, Math.floor((labels.length > step ? x(step) - x(0) : W) / 6.5));
  labels.forEach((label, i) => {
    if (i % step) return;
    const text = label.length > room ? `${label.slice(0, room - 1)}…` : label;
    svg.append(s('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', class: 'tick' }, text));
  });
}

/** Bars per label, one per series side by side. */
export function bars(
  labelledBy: string,
  labels: string[],
  series: Series[],
  scale: Scale = 'count',
  range?: Range,
): SVGSVGElement {
  const svg = frame(labelledBy);
  const max = Math.max(0, ...series.flatMap((x) => x.values));
  const y = yAxis(svg, max, H, scale, range);
  const band = (W - PAD.l - PAD.r) / Math.max(1, labels.length);
  const bar = (band * 0.8) / Math.max(1, series.length);
  series.forEach((ser, k) => {
    ser.values.forEach((v, i) => {
      const x0 = PAD.l + i * band + band * 0.1 + k * bar;
      const r = s('rect', {
        x: x0,
        y: Math.min(y(v), y(0)),
        width: Math.max(1, bar - 1),
        height: Math.abs(y(0) - y(v)),
        class: `c${k % 8}`,
      });
      r.append(s('title', {}, `${labels[i]} · ${ser.name}: ${tick(v, scale)}`));
      svg.append(r);
    });
  });
  xLabels(svg, labels, (i) => PAD.l + (i + 0.5) * band);
  return svg;
}

/** One line per series over the labels (days, periods). */
export function lines(
  labelledBy: string,
  labels: string[],
  series: Series[],
  scale: Scale = 'count',
  range?: Range,
): SVGSVGElement {
  const svg = frame(labelledBy);
  const y = yAxis(svg, Math.max(0, ...series.flatMap((x) => x.values)), H, scale, range);
  const x = (i: number) =>
    PAD.l + (labels.length > 1 ? (i / (labels.length - 1)) * (W - PAD.l - PAD.r) : (W - PAD.l - PAD.r) / 2);
  series.forEach((ser, k) => {
    const d = ser.values.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
    svg.append(s('path', { d, class: `line s${k % 8}` }));
  });
  xLabels(svg, labels, x);
  return svg;
}

/** One horizontal bar per label, the label on the left (long category names: segments, products). */
export function hbars(labelledBy: string, labels: string[], values: number[], scale: Scale = 'count'): SVGSVGElement {
  const row = 22;
  const left = 150;
  const height = 8 + labels.length * row + 20;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': labelledBy, class: 'chart' });
  const max = scale === 'percent' ? 1 : Math.max(1e-9, ...values);
  const x = (v: number) => (v / max) * (W - left - 50);
  labels.forEach((label, i) => {
    const y0 = 8 + i * row;
    svg.append(s('text', { x: left - 6, y: y0 + 15, 'text-anchor': 'end', class: 'tick' }, label.slice(0, 24)));
    const r = s('rect', { x: left, y: y0 + 3, width: Math.max(1, x(values[i]!)), height: row - 6, class: 'c0' });
    r.append(s('title', {}, `${label}: ${tick(values[i]!, scale)}`));
    svg.append(r, s('text', { x: left + x(values[i]!) + 4, y: y0 + 15, class: 'tick' }, tick(values[i]!, scale)));
  });
  return svg;
}

/** A grid of cells shaded by value (0–1), with the value written in each cell. */
export function heatmap(labelledBy: string, rows: string[], cols: string[], values: (number | null)[][]): SVGSVGElement {
  const cell = 44;
  const left = 84;
  const height = 20 + rows.length * cell;
  const width = left + cols.length * cell;
  // Drawn at its own size (width and height in px), so that a few cohorts are not blown up to the panel's width.
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-labelledby': labelledBy,
    class: 'chart heat',
  });
  cols.forEach((c, j) => {
    svg.append(s('text', { x: left + j * cell + cell / 2, y: 14, 'text-anchor': 'middle', class: 'tick' }, c));
  });
  rows.forEach((r, i) => {
    svg.append(s('text', { x: left - 4, y: 20 + i * cell + cell / 2 + 4, 'text-anchor': 'end', class: 'tick' }, r));
    values[i]?.forEach((v, j) => {
      if (v === null) return;
      const level = Math.min(5, Math.floor(v * 6));
      const g = s('g');
      g.append(s('rect', { x: left + j * cell, y: 20 + i * cell, width: cell - 1, height: cell - 1, class: `h${level}` }));
      const label = s(
        'text',
        { x: left + j * cell + cell / 2, y: 20 + i * cell + cell / 2 + 3, 'text-anchor': 'middle' },
        `${Math.round(v * 100)}`,
      );
      label.setAttribute('class', level >= 3 ? 'cell dark' : 'cell');
      g.append(label, s('title', {}, `${r} · ${cols[j]}: ${Math.round(v * 100)} %`));
      svg.append(g);
    });
  });
  return svg;
}

/** Points (x, y); `yMax` fixes the y scale (probabilities: 1). */
export function scatter(labelledBy: string, points: [number, number][], scale: Scale = 'count'): SVGSVGElement {
  const svg = frame(labelledBy);
  const y = yAxis(svg, Math.max(0, ...points.map((p) => p[1])), H, scale);
  const xMax = Math.max(1, ...points.map((p) => p[0]));
  const x = (v: number) => PAD.l + (v / xMax) * (W - PAD.l - PAD.r - 6) + 3;
  for (const [px, py] of points.slice(0, 2000)) svg.append(s('circle', { cx: x(px), cy: y(py), r: 3, class: 'dot' }));
  for (const f of [0, 0.5, 1]) {
    svg.append(s('text', { x: x(xMax * f), y: H - 8, 'text-anchor': 'middle', class: 'tick' }, short(xMax * f)));
  }
  return svg;
}

/** A legend for series colours, as a list (its text is what a screen reader reads). */
export function legend(names: string[]): HTMLUListElement {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  names.forEach((name, k) => {
    const li = document.createElement('li');
    const sw = s('svg', { width: 12, height: 12, 'aria-hidden': 'true' });
    sw.append(s('rect', { width: 12, height: 12, class: `c${k % 8}` }));
    li.append(sw, name);
    ul.append(li);
  });
  return ul;
}
