import { h } from './element.js';

/**
 * Styles a shadow root: a constructable stylesheet needs no 'unsafe-inline' under a strict CSP; where
 * one is missing (or throws), a `<style>` with the page's nonce is appended instead. A sheet per root,
 * not one cached per CSS text: a page has a handful of roots, and parsing a few KB of CSS is cheap.
 */
export function adoptStyles(root: ShadowRoot, css: string, nonce?: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', { nonce }, css));
  }
}
