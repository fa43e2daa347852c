import { hbars } from '../charts.js';
import { type Dash, num, panel, percent, periodParams } from '../panel.js';

interface Basket {
  products: { product: string; orders: number; support: number }[];
  rules: {
    product: string;
    rules: { antecedent: string; consequent: string; support: number; confidence: number; lift: number; orders: number }[];
  }[];
}

/** Products by orders, and the bought-together rules. */
export async function products(d: Dash): Promise<void> {
  const { t, lang } = d;
  const params = periodParams(d.period);
  const b = await d.api.get<Basket>('/v1/insights/basket', params);
  const top = [...b.products].sort((x, y) => y.orders - x.orders).slice(0, 12);
  const rules = b.rules.flatMap((p) => p.rules).sort((x, y) => y.lift - x.lift);
  d.main.append(
    panel(d, {
      id: 'top-products',
      title: t.topProducts,
      chart: (id) =>
        hbars(
          id,
          top.map((p) => p.product),
          top.map((p) => p.orders),
        ),
      data: { header: [t.product, t.orders, t.support], rows: top.map((p) => [p.product, p.orders, percent(p.support, 1)]) },
    }),
    panel(d, {
      id: 'basket',
      title: t.basket,
      data: {
        header: [t.antecedent, t.consequent, t.support, t.confidence, t.lift, t.orders],
        rows: rules.map((r) => [
          r.antecedent,
          r.consequent,
          percent(r.support, 1),
          percent(r.confidence),
          num(r.lift, lang, 2),
          r.orders,
        ]),
      },
      csv: { path: '/v1/insights/basket', params },
    }),
  );
}
