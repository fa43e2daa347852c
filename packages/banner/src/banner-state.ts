/**
 * The mounted banner as one object (its inputs, its state, its elements), and what changes it. Every
 * view gets this object instead of closing over variables, so the whole state is visible here.
 */
import type { DecisionOptions, TillitConsent } from '@tillit/sdk';
import type { BannerOptions } from './banner.js';
import type { Texts } from './texts.js';

export interface BannerState {
  consent: TillitConsent;
  options: BannerOptions;
  t: Texts;
  /** The configured purposes, in order, without `necessary`. */
  purposes: string[];
  root: ShadowRoot;
  /** Put away for this page view (Escape, or a decision taken here): the first layer stays hidden. */
  dismissed?: boolean;
  /** Where the focus was before the banner or the dialog took it; it goes back there. */
  opener?: Element | null;
  /** The views (first layer, preferences dialog and its switches, floating button), set once made. */
  layer: HTMLElement;
  dialog: HTMLDialogElement;
  toggles: Record<string, HTMLInputElement>;
  fab: HTMLElement;
}

/** Shows what the state calls for: the first layer only while undecided and not put away. */
export function sync(s: BannerState): void {
  s.layer.hidden = !s.consent.needsDecision() || s.dismissed || s.dialog.open;
  s.fab.hidden = s.options.floatingButton === false || !s.layer.hidden || s.dialog.open;
}

/** Puts the first layer away for this page view (`dismiss`) and closes the dialog; focus goes back where it was. */
export function putAway(s: BannerState, dismiss: boolean): void {
  if (dismiss) s.dismissed = true;
  if (s.dialog.open) s.dialog.close();
  sync(s);
  const el = s.opener as HTMLElement | null | undefined;
  s.opener = null;
  if (el?.isConnected && !el.closest('[hidden]')) el.focus();
  else if (!s.fab.hidden) s.fab.focus();
}

/** The switches show the current decision. */
export function showChoices(s: BannerState): void {
  for (const p of s.purposes) s.toggles[p]!.checked = s.consent.isGranted(p);
}

export function showPreferences(s: BannerState): void {
  if (s.dialog.open) return;
  s.opener = s.root.activeElement ?? document.activeElement;
  showChoices(s);
  s.dialog.showModal();
  sync(s);
  s.dialog.focus();
}

/** Decision options with the SHA-256 of the exact text shown (none where crypto.subtle is missing: plain http). */
export async function proof(text: string): Promise<DecisionOptions> {
  try {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    const textHash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    return { source: 'banner', textHash };
  } catch {
    return { source: 'banner' };
  }
}

/** Records a decision taken on `layer` with the proof of its text, after putting the UI away. */
export async function decide(s: BannerState, layer: Element, act: (o: DecisionOptions) => Promise<void>): Promise<void> {
  const text = layer.textContent!;
  putAway(s, true);
  await act(await proof(text));
}
