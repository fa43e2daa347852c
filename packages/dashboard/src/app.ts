/**
 * The dashboard's shell: sign-in with the operator token (kept in memory only), the navigation between
 * views (the URL fragment names the view, never the token), the period picker shared by all views, the
 * language switch and sign-out. A refused token anywhere brings the sign-in back.
 */
import { h } from '@tillit/ui-kit';
import { type Api, createApi, type Session, SignedOut } from './api.js';
import type { Dash, Period } from './panel.js';
import { fill, type Lang, TEXTS } from './texts.js';
import { VIEWS, type ViewName } from './views/index.js';

interface Shell {
  session: Session;
  api: Api;
  lang: Lang;
  period: Period;
  root: HTMLElement;
  dash?: Dash;
}

const viewOf = (): ViewName => {
  const name = location.hash.slice(1) as ViewName;
  return name in VIEWS ? name : 'overview';
};

function signIn(shell: Shell, message = ''): void {
  shell.dash?.stop?.();
  shell.dash = undefined;
  const t = TEXTS[shell.lang];
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('p', { role: 'alert', class: 'error' }, message);
  const form = h(
    'form',
    { class: 'signin', 'aria-labelledby': 'signin-t' },
    h('h1', { id: 'signin-t' }, t.title),
    h('p', {}, t.signInHelp),
    h('label', { for: 'token' }, t.token),
    input,
    status,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, t.signIn),
      languageButton(shell, () => signIn(shell, message)),
    ),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    shell.session.token = input.value.trim();
    input.value = '';
    try {
      await shell.api.get('/v1/admin/register');
      renderShell(shell);
    } catch (error) {
      shell.session.token = null;
      status.textContent = error instanceof SignedOut ? t.refused : fill(t.failed, { reason: (error as Error).message });
      input.focus();
    }
  };
  shell.root.replaceChildren(h('main', { class: 'center' }, form));
  document.documentElement.lang = shell.lang;
  document.title = t.title;
  input.focus();
}

function languageButton(shell: Shell, rerender: () => void): HTMLElement {
  const other: Lang = shell.lang === 'en' ? 'sv' : 'en';
  const b = h('button', { type: 'button', class: 'secondary', lang: other }, TEXTS[shell.lang].language);
  b.onclick = () => {
    shell.lang = other;
    rerender();
  };
  return b;
}

function periodPicker(shell: Shell, t: (typeof TEXTS)['en']): HTMLElement {
  const from = h('input', { id: 'from', type: 'date', value: shell.period.from });
  const to = h('input', { id: 'to', type: 'date', value: shell.period.to });
  const preset = (label: string, days: number | null) => {
    const b = h('button', { type: 'button', class: 'secondary' }, label);
    b.onclick = () => {
      const today = new Date().toISOString().slice(0, 10);
      shell.period =
        days === null
          ? { from: '', to: '' }
          : { from: new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10), to: today };
      renderShell(shell);
    };
    return b;
  };
  const form = h(
    'form',
    { class: 'period', 'aria-label': t.period },
    h('label', { for: 'from' }, t.from),
    from,
    h('label', { for: 'to' }, t.to),
    to,
    h('button', { type: 'submit' }, t.apply),
    preset(t.all, null),
    preset(t.last30, 30),
    preset(t.last90, 90),
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    shell.period = { from: from.value, to: to.value };
    renderShell(shell);
  };
  return form;
}

/** The signed-in page: header, navigation, period, and the current view. */
function renderShell(shell: Shell): void {
  shell.dash?.stop?.();
  const t = TEXTS[shell.lang];
  const current = viewOf();
  const main = h('main', { id: 'main', tabindex: -1 });
  const signOut = h('button', { type: 'button', class: 'secondary' }, t.signOut);
  signOut.onclick = () => {
    shell.session.token = null;
    signIn(shell);
  };
  const nav = h(
    'nav',
    { 'aria-label': t.views },
    h(
      'ul',
      {},
      ...Object.keys(VIEWS).map((name) =>
        h('li', {}, h('a', { href: `#${name}`, 'aria-current': name === current ? 'page' : undefined }, t[name as ViewName])),
      ),
    ),
  );
  shell.root.replaceChildren(
    h(
      'a',
      {
        href: '#main',
        class: 'skip',
        // Focus moves without touching the fragment, which names the view.
        onclick: (event: Event) => {
          event.preventDefault();
          main.focus();
        },
      },
      t.skip,
    ),
    h(
      'header',
      {},
      h('p', { class: 'brand' }, t.title),
      h(
        'div',
        { class: 'row' },
        languageButton(shell, () => renderShell(shell)),
        signOut,
      ),
    ),
    nav,
    periodPicker(shell, t),
    main,
  );
  document.documentElement.lang = shell.lang;
  document.title = `${t[current]} · ${t.title}`;
  const dash: Dash = { lang: shell.lang, t, api: shell.api, period: shell.period, main };
  shell.dash = dash;
  main.append(h('h1', {}, t[current]), h('p', { role: 'status', class: 'status' }, t.loading));
  VIEWS[current](dash).then(
    () => main.querySelector('.status')?.replaceChildren(),
    (error: unknown) => {
      if (error instanceof SignedOut) return;
      main.querySelector('.status')!.textContent = fill(t.failed, { reason: (error as Error).message });
    },
  );
}

/** Starts the dashboard in `root`: the sign-in first. */
export function startDashboard(root: HTMLElement): void {
  const session: Session = { token: null };
  const shell: Shell = {
    session,
    lang: navigator.language.toLowerCase().startsWith('sv') ? 'sv' : 'en',
    period: { from: '', to: '' },
    root,
    // A refusal while signed in ends the session; at sign-in the form says so itself.
    api: createApi(session, () => shell.dash && signIn(shell, TEXTS[shell.lang].ended)),
  };
  addEventListener('hashchange', () => {
    if (session.token) renderShell(shell);
  });
  signIn(shell);
}
