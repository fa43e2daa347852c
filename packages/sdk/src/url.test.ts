import { expect, it } from 'vitest';
import { campaignOf } from './url.js';

it('reads utm parameters with Segment field names', () => {
  expect(campaignOf('https://shop.test/?utm_source=news&utm_campaign=spring&utm_medium=email&x=1')).toEqual({
    source: 'news',
    name: 'spring',
    medium: 'email',
  });
  expect(campaignOf('https://shop.test/?source=news')).toBeNull();
});
