/**
 * What the SDK removes from URLs and titles before it sends them, removed again at the collector from
 * what any client sends (Segment's, RudderStack's, a hand-written one): one implementation, in
 * @tillit/schema. With the default denylist: the collector does not know a site's own SDK setting.
 */
import { DEFAULT_URL_DENYLIST, sanitizeUrl, scrubEmails } from '@tillit/schema';

type Fields = Record<string, unknown>;

/** A URL as the SDK would send it: '' when it is not one (the SDK sends no unparsable URL either). */
export const scrubUrl = (url: string): string => sanitizeUrl(url, DEFAULT_URL_DENYLIST);

/** A query string (`?a=1`) cleaned as the query of a URL. */
function scrubSearch(search: string): string {
  const cleaned = scrubUrl(`http://h/${search.startsWith('?') ? '' : '?'}${search}`);
  return cleaned ? new URL(cleaned).search : '';
}

/**
 * Cleans, in place, the page fields of an event's `context.page` (or a page event's `properties`, where
 * Segment's page() puts them too): url and referrer as URLs, path, title and search of e-mail addresses
 * and denylisted parameters. Linear in their length.
 */
export function scrubPageFields(fields: Fields | undefined): void {
  if (!fields) return;
  const text = (key: string, clean: (value: string) => string) => {
    const value = fields[key];
    if (typeof value === 'string' && value) fields[key] = clean(value);
  };
  text('url', scrubUrl);
  text('referrer', scrubUrl);
  text('search', scrubSearch);
  text('path', scrubEmails);
  text('title', scrubEmails);
}

/** Every place of a stored event where a client puts page fields (`context`: the event's, as ingest holds it). */
export function scrubEvent(event: { type: string; properties?: Fields }, context: { page?: Fields }): void {
  scrubPageFields(context.page);
  if (event.type === 'page' || event.type === 'screen') scrubPageFields(event.properties);
}
