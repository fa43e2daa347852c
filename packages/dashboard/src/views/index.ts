/** The views, in the navigation's order; the URL fragment names one (`#customers`). */
import type { Dash } from '../panel.js';
import { attribution } from './attribution.js';
import { customers } from './customers.js';
import { feedback } from './feedback.js';
import { live } from './live.js';
import { overview } from './overview.js';
import { privacy } from './privacy.js';
import { products } from './products.js';
import { retention } from './retention.js';

export const VIEWS = { overview, attribution, customers, products, retention, feedback, privacy, live } satisfies Record<
  string,
  (d: Dash) => Promise<void>
>;
export type ViewName = keyof typeof VIEWS;
