import { describe, expect, it } from 'vitest';
import { channelOf, channelReader, DEFAULT_CHANNEL_RULES, hostMatches } from './channels.js';
import { page, T0 } from './test-events.js';

describe('channelOf', () => {
  it('names a campaign by its lower-cased source and keeps the medium', async () => {
    expect(channelOf(page('u', T0, { source: 'Newsletter', medium: 'Email' }))).toEqual({
      channel: 'newsletter',
      medium: 'email',
    });
  });

  it('names a campaign by source and medium when the rules say so', async () => {
    const rules = { ...DEFAULT_CHANNEL_RULES, campaignKey: 'source/medium' as const };
    expect(channelOf(page('u', T0, { source: 'google', medium: 'cpc' }), rules)).toEqual({
      channel: 'google / cpc',
      medium: 'cpc',
    });
  });

  it('classifies referrers as organic search, social or referral', async () => {
    expect(channelOf(page('u', T0, { referrer: 'https://www.google.co.uk/search?q=x' }))).toEqual({ channel: 'organic search' });
    expect(channelOf(page('u', T0, { referrer: 'https://t.co/abc' }))).toEqual({ channel: 'social' });
    expect(channelOf(page('u', T0, { referrer: 'https://m.facebook.com/' }))).toEqual({ channel: 'social' });
    expect(channelOf(page('u', T0, { referrer: 'https://blog.example.org/post' }))).toEqual({ channel: 'referral' });
  });

  it('gives no channel to a click inside the site, and direct to a page without referrer', async () => {
    expect(channelOf(page('u', T0, { referrer: 'https://shop.example/cart' }))).toBeNull();
    expect(
      channelOf(page('u', T0, { referrer: 'https://pay.example/' }), { ...DEFAULT_CHANNEL_RULES, ownHosts: ['pay.example'] }),
    ).toBeNull();
    expect(channelOf(page('u', T0))).toEqual({ channel: 'direct' });
  });

  it('matches a name without a dot against any label but the top-level domain', async () => {
    expect(hostMatches('google.de', ['google'])).toBe(true);
    expect(hostMatches('notgoogle.com', ['google'])).toBe(false);
    expect(hostMatches('shop.co', ['co'])).toBe(false);
    expect(hostMatches('x.t.co', ['t.co'])).toBe(true);
  });

  it('answers as channelOf through a reader that remembers hosts, also past the limit of its memo', async () => {
    const read = channelReader();
    const onBlog = (referrer: string) => ({
      ...page('u', T0, { referrer }),
      context: { page: { url: 'https://blog.example/x', referrer } },
    });
    const events = [
      page('u', T0, { referrer: 'https://blog.example/post' }),
      onBlog('https://blog.example/post'), // the same referrer on its own site: a click inside it
      page('u', T0, { referrer: 'https://blog.example/post' }),
      page('u', T0, { source: ' Mail ', medium: 'Email' }),
      page('u', T0, { source: ' Mail ' }),
      page('u', T0, { source: ' ', referrer: 'https://www.bing.com/' }),
      // More distinct URLs than the memo keeps, then the first ones again.
      ...Array.from({ length: 10_050 }, (_, i) => page('u', T0, { referrer: `https://s${i}.example/` })),
      page('u', T0, { referrer: 'https://s0.example/' }),
      onBlog('https://blog.example/'),
      page('u', T0, { referrer: 'https://www.google.com/' }),
    ];
    for (const event of events) expect(read(event)).toEqual(channelOf(event));
    expect(events.slice(0, 6).map((event) => read(event)?.channel ?? null)).toEqual([
      'referral',
      null,
      'referral',
      'mail',
      'mail',
      'organic search',
    ]);
  });
});
