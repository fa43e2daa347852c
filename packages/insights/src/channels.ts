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

function campaignChannel(utmSource: string, utmMedium: string | undefined, key: ChannelRules['campaignKey']): Channel | null {
  const source = utmSource.trim().toLowerCase();
  if (!source) return null;
  const medium = utmMedium?.trim().toLowerCase() || undefined;
  const channel = key === 'source' ? source : key === 'medium' ? (medium ?? source) : medium ? `${source} / ${medium}` : source;
  return medium ? { channel, medium } : { channel };
}

/** Answers remembered per URL and per referrer host before the memo starts over: bounded, however varied the URLs. */
const MEMO_LIMIT = 10_000;

function memo<V extends string | object | null>(compute: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      if (known.size >= MEMO_LIMIT) known.clear();
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}

/**
 * `channelOf` under fixed rules, for reading many events: the host of each URL (a WHATWG URL parse)
 * and the class of each referrer host are worked out once, not per page (in the bench's profile they
 * were most of a page's cost). The answers are shared objects: read them, do not change them.
 */
export function channelReader(rules: ChannelRules = DEFAULT_CHANNEL_RULES): (event: InsightEvent) => Channel | null {
  const direct: Channel = { channel: 'direct' };
  const host = memo(hostOf);
  // A referrer's class unless it is the page's own host, which is checked per event.
  const referrerClass = memo((referrer: string): Channel | null => {
    if (hostMatches(referrer, rules.ownHosts) || rules.ownHosts.includes(referrer)) return null;
    if (hostMatches(referrer, rules.search)) return { channel: 'organic search' };
    if (hostMatches(referrer, rules.social)) return { channel: 'social' };
    return { channel: 'referral' };
  });
  const campaigns = new Map<string, Map<string | undefined, Channel | null>>();
  const campaign = (source: string, medium: string | undefined): Channel | null => {
    let byMedium = campaigns.get(source);
    if (!byMedium) {
      if (campaigns.size >= MEMO_LIMIT) campaigns.clear();
      byMedium = new Map();
      campaigns.set(source, byMedium);
    }
    let channel = byMedium.get(medium);
    if (channel === undefined) {
      channel = campaignChannel(source, medium, rules.campaignKey);
      if (byMedium.size < MEMO_LIMIT) byMedium.set(medium, channel);
    }
    return channel;
  };
  return (event) => {
    const context = event.context;
    const source = context?.campaign?.source;
    if (source) {
      const found = campaign(source, context.campaign!.medium);
      if (found) return found;
    }
    const referrerUrl = context?.page?.referrer;
    const referrer = referrerUrl ? host(referrerUrl) : null;
    if (!referrer) return direct;
    const pageUrl = context?.page?.url;
    if (referrer === (pageUrl ? host(pageUrl) : null)) return null;
    return referrerClass(referrer);
  };
}

/** The channel a page event came from, or null when it is a click inside the site (own host). */
export function channelOf(event: InsightEvent, rules: ChannelRules = DEFAULT_CHANNEL_RULES): Channel | null {
  return channelReader(rules)(event);
}
