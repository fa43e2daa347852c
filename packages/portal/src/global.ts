/**
 * The script-tag entry, the portal's only module with side effects: registers
 * `<tillit-privacy-portal>` and, unless the page already has one, puts one where the script tag is
 * (or into the element named by `data-mount`).
 *
 *   <script src="/tillit/tillit-portal.js" data-lang="sv"></script>
 */
import { defineElement, ELEMENT_NAME } from './element.js';

const script = document.currentScript as HTMLScriptElement | null;
defineElement();
if (script && !document.querySelector(ELEMENT_NAME)) {
  const el = document.createElement(ELEMENT_NAME);
  if (script.dataset.lang) el.setAttribute('lang', script.dataset.lang);
  if (script.dataset.headingLevel) el.setAttribute('heading-level', script.dataset.headingLevel);
  // The nonce property, not the attribute: browsers hide the attribute's value from scripts.
  if (script.nonce) el.nonce = script.nonce;
  const mount = script.dataset.mount;
  const place = () => {
    const target = mount ? document.querySelector(mount) : null;
    if (target) target.append(el);
    else if (script.parentElement && script.parentElement !== document.head) script.after(el);
    else document.body.append(el);
  };
  if (document.readyState === 'loading' && (mount || !script.parentElement || script.parentElement === document.head)) {
    document.addEventListener('DOMContentLoaded', place, { once: true });
  } else place();
}
