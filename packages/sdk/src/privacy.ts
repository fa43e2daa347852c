/**
 * The visitor's data-subject requests (GDPR Art. 15, 17, 20), authenticated with the subject's
 * secret made at first consent (`Authorization: Bearer <secret>`; the collector keeps its hash).
 */
import type { ExportFormat, TillitPrivacy } from './types.js';

interface Subject {
  id: string;
  secret: string;
}

export function createPrivacy(
  base: string,
  f: typeof fetch,
  subject: () => Subject | null,
  forget: () => Promise<void>,
): TillitPrivacy {
  const request = async (method: string, path = '') => {
    const s = subject();
    if (!s) throw new Error('[tillit] no identifier: nothing was granted');
    const res = await f(`${base}/v1/subjects/${s.id}${path}`, {
      method,
      headers: { Authorization: `Bearer ${s.secret}` },
      credentials: 'omit',
    });
    if (!res.ok) throw new Error(`[tillit] collector answered ${res.status}`);
    return res;
  };
  return {
    access: async () => (await request('GET')).json(),
    async export(format: ExportFormat) {
      const blob = await (await request('GET', `/export?format=${format}`)).blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `tillit-data.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
    async erase() {
      const receipt = (await (await request('DELETE')).json()) as { receiptId: string };
      await forget();
      return receipt;
    },
    // The secret never goes into a URL: the collector swaps it for a token that lives minutes, and the
    // token travels in the fragment, which browsers send to no server and in no Referer.
    portalUrl: async () => subject() && `${base}/privacy#token=${(await (await request('POST', '/token')).json()).token}`,
  };
}
