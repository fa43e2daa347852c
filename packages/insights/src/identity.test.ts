import { describe, expect, it } from 'vitest';
import { personOf, stitchIdentities } from './identity.js';
import { consentReason } from './scan.js';
import { at, identify, page } from './test-events.js';

describe('stitchIdentities', () => {
  it('links every anonymousId an identify tied to a user, only from events that may be used', async () => {
    const events = [
      identify('anon-1', 'u1', at(0)),
      identify('anon-2', 'u1', at(1)),
      identify('anon-3', 'u2', at(2), { purposes: [] }),
    ];
    const links = await stitchIdentities(events, (event) => consentReason(event, 'analytics') === null);
    expect([...links]).toEqual([
      ['anon-1', 'u1'],
      ['anon-2', 'u1'],
    ]);
    expect(personOf(page('anon-2', at(3)), links)).toBe('u1');
    expect(personOf(page('anon-3', at(3)), links)).toBe('anon-3');
    expect(personOf({ type: 'page', timestamp: 0 }, links)).toBeUndefined();
  });
});
