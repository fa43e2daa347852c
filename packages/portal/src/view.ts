/**
 * The mounted portal as one object (its inputs, its state, its elements) and the small helpers every
 * section uses. Sections get this object instead of closing over variables.
 */
import { type Child, h } from '@tillit/ui-kit';
import type { AccessAnswer } from './access-answer.js';
import { type PortalBackend, PortalError } from './backend.js';
import { fill, type Lang, type Texts } from './texts.js';

export interface PortalView {
  backend: PortalBackend;
  lang: Lang;
  t: Texts;
  /** Level of the portal's main heading; sections use the next level. */
  level: number;
  pageSize: number;
  /** The live region that says what happened (saved, failed, loading). */
  status: HTMLElement;
  /** Where the sections go. */
  body: HTMLElement;
  /** The last access answer; null before the first, when there is no subject, and after erasure. */
  answer: AccessAnswer | null;
  /** The page of the data table shown (from 0). */
  page: number;
  unsubscribe?: () => void;
}

export const say = (v: PortalView, text: string): void => {
  v.status.textContent = text;
};

/** Says why a request failed; an expired link gets its own words. */
export const failed = (v: PortalView, error: unknown): void =>
  say(v, error instanceof PortalError && error.expired ? v.t.expired : fill(v.t.failed, { reason: (error as Error).message }));

export const dateTime = (v: PortalView, iso: string): string => new Date(iso).toLocaleString(v.lang === 'sv' ? 'sv-SE' : 'en-GB');

/** A section heading, focusable so that focus can be moved to it. */
export const heading = (v: PortalView, text: string, id: string): HTMLElement => h(`h${v.level + 1}`, { id, tabindex: -1 }, text);

export const section = (v: PortalView, id: string, title: string, ...children: Child[]): HTMLElement =>
  h('section', { 'aria-labelledby': id }, heading(v, title, id), ...children);

/** A scrollable table, named by the heading `labelledBy`; cells are text. */
export const table = (labelledBy: string, header: string[], rows: string[][]): HTMLElement =>
  h(
    'div',
    { class: 'scroll', tabindex: 0, role: 'group', 'aria-labelledby': labelledBy },
    h(
      'table',
      { 'aria-labelledby': labelledBy },
      h('thead', {}, h('tr', {}, ...header.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((text) => h('td', {}, text))))),
    ),
  );
