/**
 * The collector's operator API, same-origin, with the operator token as a Bearer credential. The token
 * lives in this object only (memory): never in a URL, a cookie or storage. Any 401 ends the session,
 * so every refused call brings the sign-in back.
 */

export class SignedOut extends Error {}

export interface Session {
  token: string | null;
}

export type Params = Record<string, string | number | undefined>;

export interface Api {
  /** GET `path` with `params` as JSON. */
  get<T>(path: string, params?: Params): Promise<T>;
  /** GET `path` as a file the browser saves (the API's `?format=csv`). */
  download(path: string, params: Params, filename: string): Promise<void>;
}

export function query(params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Saves `blob` as `filename` through a temporary object URL. */
export function save(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function createApi(session: Session, onSignedOut: () => void, f: typeof fetch = (...a) => fetch(...a)): Api {
  const request = async (path: string, params?: Params): Promise<Response> => {
    if (!session.token) throw new SignedOut('not signed in');
    const res = await f(path + query(params), {
      headers: { Authorization: `Bearer ${session.token}` },
      credentials: 'omit',
      cache: 'no-store',
    });
    if (res.status === 401) {
      session.token = null;
      onSignedOut();
      throw new SignedOut('the operator token was refused');
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { reason?: string } | null;
      throw new Error(body?.reason ?? `the collector answered ${res.status}`);
    }
    return res;
  };
  return {
    get: async <T>(path: string, params?: Params) => (await (await request(path, params)).json()) as T,
    async download(path, params, filename) {
      save(await (await request(path, { ...params, format: 'csv' })).blob(), filename);
    },
  };
}
