// Serves the demo shop at http://127.0.0.1:8080 (DEMO_PORT) and the built bundles at /tillit/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../scripts/static.mjs';

const port = Number(process.env.DEMO_PORT ?? 8080);
const collector = process.env.TILLIT_COLLECTOR_URL ?? 'http://127.0.0.1:8787';
// A strict Content-Security-Policy, as a careful site would send: no inline scripts or styles.
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  `connect-src 'self' ${collector}`,
  "frame-src 'self' https://www.youtube-nocookie.com",
].join('; ');

// The pages name the collector at its default address: serve them naming the one in use.
const root = fileURLToPath(new URL('.', import.meta.url));
const pages = new Map();
for (const file of readdirSync(root).filter((f) => f.endsWith('.html'))) {
  const html = readFileSync(join(root, file), 'utf8').replaceAll('127.0.0.1:8787', new URL(collector).host);
  pages.set(`/${file}`, html);
  if (file === 'index.html') pages.set('/', html);
}

const server = createStaticServer({ root, pages, headers: { 'Content-Security-Policy': csp } });
server.listen(port, '127.0.0.1', () => console.log(`[demo] serving the demo shop on http://127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
