/**
 * The mounted banner as one object (its inputs, its state, its elements), and what changes it. Every
 * view gets this object instead of closing over variables, so the whole state is visible here.
 */
import type { DecisionOptions, TillitConsent } from '@tillit/sdk';
import type { BannerOptions } from './banner.js';
import type { Texts } from './texts.js';

export interface BannerState {
  consent_: TillitConsent;
  options_: BannerOptions;
  t: Texts;
  /** The configured purposes, in order, without `necessary`. */
  purposes_: string[];
  root_: ShadowRoot;
  /** Put away for this page view (Escape, or a decision taken here): the first layer stays hidden. */
  dismissed_?: boolean;
  /** Where the focus was before the banner or the dialog took it; it goes back there. */
  opener_?: Element | null;
  /** The views (first layer, preferences dialog and its switches, floating button), set once made. */
  layer_: HTMLElement;
  dialog_: HTMLDialogElement;
  toggles_: Record<string, HTMLInputElement>;
  fab_: HTMLElement;
}

/** Shows what the state calls for: the first layer only while undecided and not put away. */
export function sync(s: BannerState): void {
  s.layer_.hidden = !s.consent_.needsDecision() || s.dismissed_ || s.dialog_.open;
  s.fab_.hidden = s.options_.floatingButton === false || !s.layer_.hidden || s.dialog_.open;
}

/** Puts the first layer away for this page view (`dismiss`) and closes the dialog; focus goes back where it was. */
export function putAway(s: BannerState, dismiss: boolean): void {
  if (dismiss) s.dismissed_ = true;
  if (s.dialog_.open) s.dialog_.close();
  sync(s);
  const el = s.opener_ as HTMLElement | null | undefined;
  s.opener_ = null;
  if (el?.isConnected && !el.closest('[hidden]')) el.focus();
  else if (!s.fab_.hidden) s.fab_.focus();
}

/** The switches show the current decision. */
export function showChoices(s: BannerState): void {
  for (const p of s.purposes_) s.toggles_[p]!.checked = s.consent_.isGranted(p);
}

export function showPreferences(s: BannerState): void {
  if (s.dialog_.open) return;
  s.opener_ = s.root_.activeElement ?? document.activeElement;
  showChoices(s);
  s.dialog_.showModal();
  sync(s);
  s.dialog_.focus();
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
