import type { ExportFormat, Tillit, TillitConsent } from '@tillit/sdk';
import type { AccessAnswer } from './access-answer.js';

/** What the portal needs: the SDK on the site's page, or a short-lived token on the collector's /privacy page. */
export interface PortalBackend {
  /** Everything held about the visitor, or null when there is no subject yet (nothing was ever granted). */
  access(): Promise<AccessAnswer | null>;
  download(format: ExportFormat): Promise<void>;
  erase(): Promise<{ receiptId: string; erasedAt?: string }>;
  /** Present on the site's own page: the visitor's choices can be changed there. */
  consent?: TillitConsent;
  /** True when erasing also wipes this browser's local data (the SDK does; a token on another origin cannot). */
  wipesLocal: boolean;
  /** What the collector concluded about the visitor (`GET /v1/subjects/:id/conclusions`). */
  conclusions?(): Promise<Conclusions>;
  /** Objects (Art. 21) or restricts (Art. 18), `on`, or lifts it. */
  limit?(right: Right, on: boolean): Promise<void>;
}

export type Right = 'objection' | 'restriction';

/** The collector's answer: results with how each was computed and what it is for, in English and Swedish. */
export interface Conclusions {
  objection: boolean;
  restriction: boolean;
  basis: { decidedAt: string } | null;
  none: 'objection' | 'restriction' | 'no_consent' | 'no_purchases' | null;
  results: { kind: string; value: string; label: Words; shown: Words; how: Words; use: Words }[];
  /** The section's words (the collector sends them, in English and Swedish). */
  texts: Record<string, Record<string, string>>;
}

type Words = Record<string, string>;

/** A failed request; `expired` when the collector no longer accepts the credential. */
export class PortalError extends Error {
  // `declare` + an assignment rather than a parameter property: a class field compiles (for es2020)
  // to a defineProperty helper in the script-tag bundle.
  declare readonly expired: boolean;
  constructor(message: string, expired = false) {
    super(message);
    this.expired = expired;
  }
}

/** The portal on the site's page, through the SDK's public API (`window.tillit`). */
export function sdkBackend(tillit: Tillit): PortalBackend {
  // The SDK's privacy client has no call for conclusions and switches: a short-lived portal token (what
  // the SDK gives for the collector's own page) is used for them, and renewed once when it expires.
  let via: Promise<PortalBackend> | undefined;
  const viaToken = async <T>(call: (b: PortalBackend) => Promise<T>, again = true): Promise<T> => {
    via ??= tillit.privacy.portalUrl().then((url) => {
      const at = url?.lastIndexOf('/privacy#token=') ?? -1;
      if (!url || at < 0) throw new PortalError('no subject');
      return tokenBackend(url.slice(0, at), url.slice(at + 15));
    });
    try {
      return await call(await via);
    } catch (error) {
      via = undefined;
      if (again && error instanceof PortalError && error.expired) return viaToken(call, false);
      throw error;
    }
  };
  return {
    conclusions: () => viaToken((b) => b.conclusions!()),
    limit: (right, on) => viaToken((b) => b.limit!(right, on)),
    async access() {
      if (!tillit.anonymousId()) return null;
      // Right after the first decision, the consent record that binds the secret may still be on its way.
      for (let attempt = 0; ; attempt++) {
        try {
          return (await tillit.privacy.access()) as AccessAnswer;
        } catch (error) {
          if (attempt >= 2 || !/\b404\b/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    },
    download: (format) => tillit.privacy.export(format),
    erase: () => tillit.privacy.erase(),
    consent: tillit.consent,
    wipesLocal: true,
  };
}

/** The subject a token is about: its claims are plain base64url JSON (the collector checks the signature). */
export function tokenSubject(token: string): string | null {
  try {
    const claims = JSON.parse(atob(token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}

/** The collector's standalone page: calls its data-subject API with a short-lived token. */
export function tokenBackend(collectorUrl: string, token: string, f: typeof fetch = (...a) => fetch(...a)): PortalBackend {
  const sub = tokenSubject(token);
  const request = async (method: string, path = '') => {
    if (!sub) throw new PortalError('the link holds no valid token', true);
    const res = await f(`${collectorUrl}/v1/subjects/${encodeURIComponent(sub)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      credentials: 'omit',
    });
    if (res.status === 404 || res.status === 401) throw new PortalError('the link has expired', true);
    if (!res.ok) throw new PortalError(`the collector answered ${res.status}`);
    return res;
  };
  return {
    access: async () => (await request('GET')).json(),
    async download(format) {
      const blob = await (await request('GET', `/export?format=${format}`)).blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `tillit-data.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
    erase: async () => (await request('DELETE')).json(),
    conclusions: async () => (await request('GET', '/conclusions')).json(),
    async limit(right, on) {
      await request(on ? 'POST' : 'DELETE', `/${right}`);
    },
    wipesLocal: false,
  };
}
