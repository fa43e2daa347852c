/**
 * What every view is made of: the dashboard's state object (passed to each view, never captured), and
 * a panel: a heading, a chart in a figure named by its caption, the table beside it (the chart's text
 * alternative) and a CSV download of the same rows.
 */
import { h } from '@tillit/ui-kit';
import { type Api, type Params, save } from './api.js';
import type { Lang, Texts } from './texts.js';

export interface Period {
  /** YYYY-MM-DD, inclusive; empty for open. */
  from: string;
  /** YYYY-MM-DD, inclusive; empty for open. */
  to: string;
}

export interface Dash {
  lang: Lang;
  t: Texts;
  api: Api;
  period: Period;
  /** Where the current view renders. */
  main: HTMLElement;
  /** Stops what the current view left running (the live view's polling). */
  stop?: () => void;
}

/** The period as the API's `from` and `to` (to is exclusive there: the day after). */
export function periodParams(p: Period): Params {
  const next = p.to ? new Date(Date.parse(`${p.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : undefined;
  return { from: p.from || undefined, to: next };
}

export type Cell = string | number;
export interface TableData {
  header: string[];
  rows: Cell[][];
  /** Per row, a class for the row (e.g. `overdue`). */
  rowClass?: (string | undefined)[];
}

const csvCell = (v: Cell) => {
  let text = String(v);
  // A spreadsheet runs a cell that starts with = + - @ as a formula.
  if (/^[=+\-@\t\r]/.test(text) && typeof v !== 'number') text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const toCsv = ({ header, rows }: TableData): string => [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n');

export const percent = (v: number, digits = 0): string => `${(v * 100).toFixed(digits)} %`;
export const num = (v: number, lang: Lang, digits = 0): string =>
  v.toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// Numbers, amounts and percentages are right-aligned, so their digits line up.
const NUMERIC = /^-?[\d\s\u00a0.,]+(\s?%)?$/;

export function table(labelledBy: string, data: TableData): HTMLElement {
  return h(
    'div',
    { class: 'scroll', tabindex: 0, role: 'region', 'aria-labelledby': labelledBy },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...data.header.map((text) => h('th', { scope: 'col' }, text)))),
      h(
        'tbody',
        {},
        ...data.rows.map((cells, i) =>
          h(
            'tr',
            { class: data.rowClass?.[i] },
            ...cells.map((c) => h('td', { class: NUMERIC.test(String(c)) ? 'n' : undefined }, String(c))),
          ),
        ),
      ),
    ),
  );
}

export interface PanelOptions {
  id: string;
  title: string;
  /** Drawn from the same rows as the table; named by the panel's caption. */
  chart?: (labelledBy: string) => Element;
  /** Under the chart (a legend). */
  after?: Element;
  note?: string;
  /** Rows the period picker does not filter (requests, audit log): empty means none at all. */
  timeless?: boolean;
  data: TableData;
  /** The API's own CSV of these rows; else the table is saved as it is shown. */
  csv?: { path: string; params: Params };
}

export function panel(d: Dash, o: PanelOptions): HTMLElement {
  const caption = `${o.id}-t`;
  const download = h('button', { type: 'button', class: 'secondary' }, d.t.csv);
  download.onclick = async () => {
    download.disabled = true;
    try {
      if (o.csv) await d.api.download(o.csv.path, o.csv.params, `tillit-${o.id}.csv`);
      else save(new Blob([toCsv(o.data)], { type: 'text/csv' }), `tillit-${o.id}.csv`);
    } finally {
      download.disabled = false;
    }
  };
  const empty = o.data.rows.length === 0;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': caption, id: o.id },
    h('h2', { id: caption }, o.title),
    o.note ? h('p', { class: 'note' }, o.note) : null,
    empty ? h('p', {}, o.timeless ? d.t.noneYet : d.t.none) : null,
    !empty
      ? h(
          'div',
          { class: o.chart ? 'body two' : 'body' },
          o.chart ? h('figure', {}, o.chart(caption), o.after ?? null) : null,
          h('div', {}, table(caption, o.data), download),
        )
      : null,
  );
}

export const fillN = (text: string, n: string | number): string => text.replace('{n}', String(n));
