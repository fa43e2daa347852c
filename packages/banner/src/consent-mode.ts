/** Google Consent Mode v2 bridge: purposes → consent types, pushed through `gtag('consent', …)`. */
export interface ConsentModeOptions {
  /**
   * Which consent types each purpose grants. A type is granted when any purpose mapped to it is.
   * `functionality_storage` and `security_storage` are always granted (necessary).
   * @defaultValue analytics → analytics_storage; marketing → ad_storage, ad_user_data, ad_personalization;
   * personalization → personalization_storage
   */
  map?: Record<string, string[]>;
  /** Milliseconds Google tags wait for the update after the default. @defaultValue 500 */
  waitForUpdate?: number;
}

export const DEFAULT_CONSENT_MAP: Record<string, string[]> = {
  analytics: ['analytics_storage'],
  marketing: ['ad_storage', 'ad_user_data', 'ad_personalization'],
  personalization: ['personalization_storage'],
};

type State = Record<string, 'granted' | 'denied'>;

/** The consent state for Google's tags given which purposes are granted. */
export function consentState(granted: (purpose: string) => boolean, map = DEFAULT_CONSENT_MAP): State {
  const state: State = { functionality_storage: 'granted', security_storage: 'granted' };
  for (const [purpose, types] of Object.entries(map)) {
    for (const type of types) state[type] = state[type] === 'granted' || granted(purpose) ? 'granted' : 'denied';
  }
  return state;
}

/** Calls the page's `gtag`, defining `dataLayer` and `gtag` as Google's snippet does when they are missing. */
export function gtag(...args: unknown[]): void {
  const w = window as unknown as { dataLayer?: unknown[]; gtag?: (...a: unknown[]) => void };
  w.dataLayer = w.dataLayer || [];
  // gtag.js reads Arguments objects from the dataLayer, not arrays: keep Google's exact shape.
  w.gtag =
    w.gtag ||
    function () {
      // biome-ignore lint/complexity/noArguments: Google's tags require the Arguments object
      w.dataLayer!.push(arguments);
    };
  w.gtag(...args);
}

/**
 * Pushes the default (everything but necessary denied, `wait_for_update`) at once, and returns the
 * function that pushes an update for the current decision.
 */
export function consentMode(granted: (purpose: string) => boolean, options: ConsentModeOptions = {}): () => void {
  const map = options.map ?? DEFAULT_CONSENT_MAP;
  gtag('consent', 'default', { ...consentState(() => false, map), wait_for_update: options.waitForUpdate ?? 500 });
  return () => gtag('consent', 'update', consentState(granted, map));
}
