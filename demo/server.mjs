// Serves the demo shop at http://127.0.0.1:8080 and the built bundles at /tillit/.
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

const server = createStaticServer({
  root: fileURLToPath(new URL('.', import.meta.url)),
  headers: { 'Content-Security-Policy': csp },
});
server.listen(port, '127.0.0.1', () => console.log(`[demo] serving the demo shop on http://127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
