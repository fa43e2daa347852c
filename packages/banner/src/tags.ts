export interface TagGateOptions {
  /** Is this purpose granted now? */
  granted: (purpose: string) => boolean;
  /**
   * When set, only tags carrying this CSP nonce are activated: under `'strict-dynamic'` a script we
   * insert is trusted, so an injected `<script type="text/plain" data-tillit-purpose>` must not be.
   */
  nonce?: string;
  /** Builds the placeholder shown instead of a blocked embed. */
  placeholder?: (frame: HTMLIFrameElement, purposes: string[]) => Element;
}

export interface TagGate {
  /** Activates what is granted now, blocks what is not. Called on every decision. */
  scan(): void;
  stop(): void;
}

const SELECTOR = '[data-tillit-purpose]';

/**
 * Gated tags: `<script type="text/plain" data-tillit-purpose="marketing" [src]>` runs once its
 * purposes (space- or comma-separated; all needed) are granted, once, in document order, with its
 * own nonce. `<iframe data-src data-tillit-purpose>` loads when granted and shows a placeholder
 * otherwise (and again after a withdrawal). Tags added later are picked up by a MutationObserver.
 */
export function gateTags(options: TagGateOptions): TagGate {
  const queue: HTMLScriptElement[] = [];
  const seen = new WeakSet<Element>();
  const placeholders = new Map<Element, Element>();
  let waiting = false;

  const missing = (el: Element) =>
    el
      .getAttribute('data-tillit-purpose')!
      .split(/[\s,]+/)
      .filter((p) => p && !options.granted(p));

  // External scripts are awaited one by one so that a later inline tag never runs before an earlier
  // external one it may depend on (dynamically inserted scripts would otherwise run as they arrive).
  const run = () => {
    while (!waiting && queue.length) {
      const old = queue.shift()!;
      if (!old.isConnected) continue;
      const s = document.createElement('script');
      for (const a of old.attributes) if (a.name !== 'type') s.setAttribute(a.name, a.value);
      const type = old.getAttribute('data-tillit-type');
      if (type) s.type = type;
      // The nonce attribute reads empty once parsed; the property keeps the value.
      s.nonce = old.nonce;
      s.text = old.text;
      if (s.src) {
        waiting = true;
        s.onload = s.onerror = () => {
          waiting = false;
          run();
        };
      }
      old.replaceWith(s);
    }
  };

  const scan = () => {
    for (const el of document.querySelectorAll(SELECTOR)) {
      if (el instanceof HTMLScriptElement) {
        if (el.type !== 'text/plain' || seen.has(el) || missing(el).length) continue;
        if (options.nonce && el.nonce !== options.nonce) continue;
        seen.add(el);
        queue.push(el);
      } else if (el instanceof HTMLIFrameElement && el.dataset.src) {
        const src = el.dataset.src;
        const blocked = missing(el);
        const ph = placeholders.get(el);
        if (!blocked.length) {
          ph?.remove();
          placeholders.delete(el);
          el.hidden = false;
          if (el.getAttribute('src') !== src) el.src = src;
        } else if (!ph) {
          if (el.getAttribute('src') === src) el.src = 'about:blank';
          el.hidden = true;
          const p = options.placeholder?.(el, blocked);
          if (p) {
            el.before(p);
            placeholders.set(el, p);
          }
        }
      }
    }
    run();
  };

  const observer = new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n instanceof Element && (n.matches(SELECTOR) || n.querySelector(SELECTOR))) return scan();
      }
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  scan();
  return { scan, stop: () => observer.disconnect() };
}
