// One implementation with the collector's: @tillit/schema's zod-free scrub module.
export { DEFAULT_URL_DENYLIST, sanitizeUrl, scrubEmails } from '@tillit/schema/scrub';

/** Segment-style campaign fields from a landing URL's `utm_*` parameters, or null when there are none. */
export function campaignOf(href: string): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  try {
    new URL(href).searchParams.forEach((v, k) => {
      const m = /^utm_(source|medium|campaign|term|content|id)$/i.exec(k)?.[1]?.toLowerCase();
      if (m) {
        out ??= {};
        out[m === 'campaign' ? 'name' : m] = v.slice(0, 512);
      }
    });
  } catch {}
  return out;
}
