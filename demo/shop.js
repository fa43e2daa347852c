// The demo shop: a small single-page app (history API with ?product= and ?view=cart, so the SDK's
// automatic page views follow it and a reload still finds index.html) that tracks Segment e-commerce events through window.tillit.
const products = [
  { sku: 'MUG-01', name: 'Stoneware mug', price: 18, swatch: 's1' },
  { sku: 'TEA-02', name: 'Smoked black tea', price: 9.5, swatch: 's2' },
  { sku: 'BAG-03', name: 'Linen tote bag', price: 24, swatch: 's3' },
  { sku: 'CUP-04', name: 'Espresso cups (2)', price: 21, swatch: 's4' },
];
const cart = new Map(); // sku → quantity
const view = document.getElementById('view');
const money = (n) => `€${n.toFixed(2)}`;
const bySku = (sku) => products.find((p) => p.sku === sku);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function link(href, text) {
  return el('a', { href, 'data-nav': '' }, text);
}

function cartTotal() {
  let total = 0;
  for (const [sku, qty] of cart) total += bySku(sku).price * qty;
  return Math.round(total * 100) / 100;
}

function renderList() {
  document.title = 'Tillit demo shop';
  window.tillit.track('Product List Viewed', { list_id: 'all', products: products.map((p) => ({ sku: p.sku, price: p.price })) });
  view.replaceChildren(
    el('h1', {}, 'Products'),
    el(
      'ul',
      { class: 'grid' },
      ...products.map((p) =>
        el(
          'li',
          { class: 'card' },
          el('div', { class: `swatch ${p.swatch}` }),
          link(`/?product=${encodeURIComponent(p.sku)}`, p.name),
          el('p', { class: 'price' }, money(p.price)),
        ),
      ),
    ),
  );
}

function renderProduct(sku) {
  const p = bySku(sku);
  if (!p) return renderList();
  document.title = `${p.name} · Tillit demo shop`;
  window.tillit.track('Product Viewed', { sku: p.sku, name: p.name, price: p.price, currency: 'EUR' });
  view.replaceChildren(
    link('/', '← All products'),
    el('h1', {}, p.name),
    el('div', { class: `swatch ${p.swatch} card` }),
    el('p', { class: 'price' }, money(p.price)),
    el('button', { type: 'button', onclick: () => addToCart(p) }, 'Add to cart'),
  );
}

function addToCart(p) {
  cart.set(p.sku, (cart.get(p.sku) ?? 0) + 1);
  document.getElementById('cart-count').textContent = String([...cart.values()].reduce((a, b) => a + b, 0));
  window.tillit.track('Product Added', { sku: p.sku, name: p.name, price: p.price, quantity: 1, currency: 'EUR' });
}

function renderCart() {
  document.title = 'Cart · Tillit demo shop';
  const rows = [...cart].map(([sku, qty]) =>
    el('tr', {}, el('td', {}, bySku(sku).name), el('td', {}, String(qty)), el('td', {}, money(bySku(sku).price * qty))),
  );
  view.replaceChildren(
    el('h1', {}, 'Cart'),
    cart.size
      ? el('table', {}, el('tr', {}, el('th', {}, 'Product'), el('th', {}, 'Qty'), el('th', {}, 'Total')), ...rows)
      : el('p', {}, 'Your cart is empty. ', link('/', 'See the products')),
    el('p', { class: 'price' }, `Order value: ${money(cartTotal())}`),
    cart.size ? el('button', { type: 'button', onclick: purchase }, 'Buy now') : '',
  );
}

function purchase() {
  const orderId = `order-${Date.now().toString(36)}`;
  const products = [...cart].map(([sku, quantity]) => ({ sku, quantity, price: bySku(sku).price }));
  window.tillit.track('Order Completed', {
    order_id: orderId,
    value: cartTotal(),
    revenue: cartTotal(),
    currency: 'EUR',
    products,
  });
  cart.clear();
  document.getElementById('cart-count').textContent = '0';
  view.replaceChildren(el('h1', {}, 'Thank you!'), el('p', {}, `Order ${orderId} is on its way.`), link('/', 'Keep shopping'));
}

function route() {
  const params = new URLSearchParams(location.search);
  if (params.has('product')) renderProduct(params.get('product'));
  else if (params.get('view') === 'cart') renderCart();
  else renderList();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-nav]');
  if (!a || e.metaKey || e.ctrlKey) return;
  e.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  route();
});
addEventListener('popstate', route);

// The consent state, and a way back to the banner's preferences (tillit.js loads the banner for both).
function showConsent() {
  const t = window.tillit;
  if (!t.consent.get) return; // the stub: tillit.js has not loaded yet
  const d = t.consent.get();
  document.getElementById('consent-state').textContent = t.consent.needsDecision()
    ? 'not decided'
    : Object.entries(d.purposes)
        .map(([p, on]) => `${p} ${on ? 'on' : 'off'}`)
        .join(', ');
  document.getElementById('anon-id').textContent = t.anonymousId() ?? 'none';
}
document.getElementById('prefs').addEventListener('click', () => window.tillit.showPreferences());

// Queued on the stub until tillit.js has loaded; then called on every change, in this tab or another.
window.tillit.consent.onChange(showConsent);
// tillit.js loads async: show the state once it has replaced the stub.
(function waitForSdk() {
  if (!window.tillit.consent.get) return setTimeout(waitForSdk, 50);
  showConsent();
})();
route();
