import { isConversion, type OrderOptions, readOrder } from './orders.js';
import { newCoverage, scanEvents } from './scan.js';
import type { Coverage, EventSource, ScanOptions } from './types.js';

export interface BasketOptions extends ScanOptions, OrderOptions {
  /** Least share of orders a pair must appear in to make a rule. Default 0.01. */
  minSupport?: number;
  /** Least confidence of a rule. Default 0. */
  minConfidence?: number;
  /** Rules listed per product (by lift, then confidence). Default 5. */
  rulesPerProduct?: number;
  /** Products of one order beyond this many are ignored (pairs grow with its square). Default 50. */
  maxProductsPerOrder?: number;
}

/** "Customers who bought `antecedent` also bought `consequent`". */
export interface AssociationRule {
  antecedent: string;
  consequent: string;
  /** Share of orders with both. */
  support: number;
  /** Share of orders with the antecedent that also have the consequent. */
  confidence: number;
  /** Confidence divided by the consequent's own share: above 1, bought together more than by chance. */
  lift: number;
  orders: number;
}

export interface BasketResult extends Coverage {
  orders: number;
  products: { product: string; orders: number; support: number }[];
  /** For each product with rules, its best rules. */
  rules: { product: string; rules: AssociationRule[] }[];
}

async function countBaskets(events: EventSource, options: BasketOptions, coverage: Coverage) {
  const single = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  const cap = options.maxProductsPerOrder ?? 50;
  let orders = 0;
  await scanEvents(events, options, coverage, (event) => {
    if (!isConversion(event, options)) return;
    const products = readOrder(event).products.slice(0, cap);
    if (!products.length) return;
    orders++;
    for (const a of products) {
      single.set(a, (single.get(a) ?? 0) + 1);
      const row = pairs.get(a) ?? new Map<string, number>();
      for (const b of products) if (b !== a) row.set(b, (row.get(b) ?? 0) + 1);
      pairs.set(a, row);
    }
  });
  return { single, pairs, orders };
}

/** Association rules over orders' products (pairs: one product → one other). Purpose: `analytics`. */
export async function basket(events: EventSource, options: BasketOptions = {}): Promise<BasketResult> {
  const coverage = newCoverage(options.purpose ?? 'analytics');
  const { single, pairs, orders } = await countBaskets(events, options, coverage);
  const minSupport = options.minSupport ?? 0.01;
  const minConfidence = options.minConfidence ?? 0;
  const rules: BasketResult['rules'] = [];
  for (const [antecedent, row] of pairs) {
    const found: AssociationRule[] = [];
    for (const [consequent, both] of row) {
      const support = both / orders;
      const confidence = both / single.get(antecedent)!;
      if (support < minSupport || confidence < minConfidence) continue;
      const lift = confidence / (single.get(consequent)! / orders);
      found.push({ antecedent, consequent, support, confidence, lift, orders: both });
    }
    found.sort((x, y) => y.lift - x.lift || y.confidence - x.confidence || (x.consequent < y.consequent ? -1 : 1));
    if (found.length) rules.push({ product: antecedent, rules: found.slice(0, options.rulesPerProduct ?? 5) });
  }
  rules.sort((x, y) => (x.product < y.product ? -1 : 1));
  const products = [...single]
    .map(([product, n]) => ({ product, orders: n, support: n / orders }))
    .sort((x, y) => y.orders - x.orders || (x.product < y.product ? -1 : 1));
  return { ...coverage, orders, products, rules };
}
