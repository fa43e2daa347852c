import { h } from '@tillit/ui-kit';
import { type BannerState, showPreferences } from './banner-state.js';

const SVG = 'http://www.w3.org/2000/svg';

/** The small button that reopens the preferences once the banner is gone: a shield (inline SVG, nothing to fetch). */
export function floatingButton(s: BannerState): HTMLButtonElement {
  const icon = document.createElementNS(SVG, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute(
    'd',
    'M12 2 4 5v6c0 5.2 3.4 9.9 8 11 4.6-1.1 8-5.8 8-11V5l-8-3Zm-1 14-4-4 1.4-1.4 2.6 2.6 5.6-5.6L18 9l-7 7Z',
  );
  icon.append(path);
  const { settings } = s.t;
  return h(
    'button',
    { class: 'f', 'aria-label': settings, title: settings, hidden: true, onclick: () => showPreferences(s) },
    icon,
  );
}
