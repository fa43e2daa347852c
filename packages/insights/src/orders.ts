import type { InsightEvent } from './types.js';

/** Segment e-commerce spec: the event that marks a purchase. */
export const DEFAULT_CONVERSION_EVENTS: readonly string[] = ['Order Completed'];
export const FEEDBACK_EVENT = 'Survey Responded';

export interface OrderOptions {
  /** Track event names that count as a conversion. Default `Order Completed`. */
  conversionEvents?: readonly string[];
}

export interface Order {
  orderId?: string;
  /** `properties.revenue`, else `properties.total`, else the sum of price × quantity; 0 when none. */
  revenue: number;
  /** Product keys: `product_id`, else `sku`, else `name`. */
  products: string[];
}

function finite(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function productKey(product: Record<string, unknown>): string | undefined {
  for (const field of ['product_id', 'sku', 'name']) {
    const value = product[field];
    if ((typeof value === 'string' && value) || typeof value === 'number') return String(value);
  }
  return undefined;
}

export function isConversion(event: InsightEvent, options: OrderOptions = {}): boolean {
  return event.type === 'track' && !!event.event && (options.conversionEvents ?? DEFAULT_CONVERSION_EVENTS).includes(event.event);
}

/** The order a conversion event describes. */
export function readOrder(event: InsightEvent): Order {
  const properties = event.properties ?? {};
  const products: string[] = [];
  for (const item of orderItems(properties)) {
    const key = productKey(item);
    if (key !== undefined && !products.includes(key)) products.push(key);
  }
  const orderId = properties.order_id;
  return {
    ...(typeof orderId === 'string' || typeof orderId === 'number' ? { orderId: String(orderId) } : {}),
    revenue: orderRevenue(event),
    products,
  };
}

function orderItems(properties: Record<string, unknown>): Record<string, unknown>[] {
  const list = Array.isArray(properties.products) ? properties.products : [];
  return list.filter((item): item is Record<string, unknown> => !!item && typeof item === 'object');
}

/**
 * `readOrder(event).revenue` without the product list, for the analyses that need only the revenue:
 * the items are read only when neither `revenue` nor `total` is a number.
 */
export function orderRevenue(event: InsightEvent): number {
  const properties = event.properties ?? {};
  const stated = finite(properties.revenue) ?? finite(properties.total);
  if (stated !== undefined) return stated;
  let itemsTotal = 0;
  for (const item of orderItems(properties)) itemsTotal += (finite(item.price) ?? 0) * (finite(item.quantity) ?? 1);
  return itemsTotal;
}

/** A `Survey Responded` score 0–10, or undefined when the event is not one or the score is out of range. */
export function readScore(event: InsightEvent): number | undefined {
  if (event.type !== 'track' || event.event !== FEEDBACK_EVENT) return undefined;
  const score = finite(event.properties?.score);
  return score !== undefined && Number.isInteger(score) && score >= 0 && score <= 10 ? score : undefined;
}
