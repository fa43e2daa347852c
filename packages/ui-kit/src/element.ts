export type Child = Node | string | false | null | undefined;

/**
 * A tiny element factory: `on*` props become listeners, every other prop an attribute (`true` → "",
 * `null`/`undefined`/`false` → left out); falsy children are skipped. No innerHTML anywhere, so the
 * UI works under Trusted Types and never parses site or stored text as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Record<string, unknown>,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Record<string, unknown>, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Record<string, unknown> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}
