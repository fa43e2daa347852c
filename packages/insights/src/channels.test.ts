import { describe, expect, it } from 'vitest';
import { channelOf, DEFAULT_CHANNEL_RULES, hostMatches } from './channels.js';
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
});
