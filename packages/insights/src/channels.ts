import type { InsightEvent } from './types.js';

/**
 * How a `page` event's channel is found, in this order:
 * 1. `context.campaign.source` (utm_source), lower-cased; `medium` (utm_medium) is kept for grouping.
 * 2. else the referrer's host: a search engine → `organic search`, a social site → `social`, the
 *    site's own host (the page's host, or one of `ownHosts`) → no channel (a click inside the site),
 *    any other host → `referral`.
 * 3. else `direct`.
 * A name in `search`/`social` without a dot matches any label of the host (`google` matches
 * www.google.co.uk); with a dot it matches that host and its subdomains (`t.co`).
 */
export interface ChannelRules {
  search: readonly string[];
  social: readonly string[];
  ownHosts: readonly string[];
  /** What a campaign's channel is named by: its source (default), its medium, or both (`google / cpc`). */
  campaignKey: 'source' | 'medium' | 'source/medium';
}

export const DEFAULT_CHANNEL_RULES: ChannelRules = {
  search: ['google', 'bing', 'yahoo', 'duckduckgo', 'yandex', 'baidu', 'ecosia', 'qwant', 'startpage', 'search.brave.com'],
  social: [
    'facebook',
    'instagram',
    'linkedin',
    'lnkd.in',
    'twitter',
    't.co',
    'x.com',
    'pinterest',
    'reddit',
    'youtube',
    'tiktok',
    'threads.net',
    'mastodon.social',
    'bsky.app',
  ],
  ownHosts: [],
  campaignKey: 'source',
};

export interface Channel {
  channel: string;
  medium?: string;
}

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

export function hostMatches(host: string, names: readonly string[]): boolean {
  const labels = host.split('.').slice(0, -1);
  return names.some((name) => (name.includes('.') ? host === name || host.endsWith(`.${name}`) : labels.includes(name)));
}

function campaignChannel(campaign: Record<string, string>, key: ChannelRules['campaignKey']): Channel | null {
  const source = campaign.source?.trim().toLowerCase();
  if (!source) return null;
  const medium = campaign.medium?.trim().toLowerCase() || undefined;
  const channel = key === 'source' ? source : key === 'medium' ? (medium ?? source) : medium ? `${source} / ${medium}` : source;
  return medium ? { channel, medium } : { channel };
}

/** The channel a page event came from, or null when it is a click inside the site (own host). */
export function channelOf(event: InsightEvent, rules: ChannelRules = DEFAULT_CHANNEL_RULES): Channel | null {
  const campaign = event.context?.campaign && campaignChannel(event.context.campaign, rules.campaignKey);
  if (campaign) return campaign;
  const referrer = hostOf(event.context?.page?.referrer);
  if (!referrer) return { channel: 'direct' };
  const own = hostOf(event.context?.page?.url);
  if (referrer === own || hostMatches(referrer, rules.ownHosts) || rules.ownHosts.includes(referrer)) return null;
  if (hostMatches(referrer, rules.search)) return { channel: 'organic search' };
  if (hostMatches(referrer, rules.social)) return { channel: 'social' };
  return { channel: 'referral' };
}
