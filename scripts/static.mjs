// A small static file server for the demo and the browser tests. Serves a directory at "/" and the
// built browser bundles (packages/*/dist) at "/tillit/<file>", as a site would host them.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const repoRoot = resolve(new URL('..', import.meta.url).pathname);

/** Every file in packages/<pkg>/dist, by its file name. */
function bundleFiles() {
  const files = new Map();
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    const dist = join(repoRoot, 'packages', pkg, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist)) files.set(file, join(dist, file));
  }
  return files;
}

function safeJoin(root, urlPath) {
  const path = normalize(join(root, decodeURIComponent(urlPath)));
  return path.startsWith(root) ? path : null;
}

/**
 * @param {{ root?: string, pages?: Map<string, string>, headers?: Record<string,string>, mounts?: Record<string,string> }} options
 *   root: directory served at "/"; pages: in-memory HTML by path (tests), or JSON when the path ends in .json;
 *   headers: added to HTML answers (CSP); mounts: URL prefix ending in "/" → directory served under it.
 */
export function createStaticServer({ root, pages = new Map(), headers = {}, mounts = {} } = {}) {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let file = null;
    if (pages.has(path)) {
      const type = TYPES[extname(path)] ?? TYPES['.html'];
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...(type === TYPES['.html'] ? headers : {}) });
      res.end(pages.get(path));
      return;
    }
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    if (path.startsWith('/tillit/')) file = bundleFiles().get(path.slice('/tillit/'.length)) ?? null;
    else if (mount) file = safeJoin(mounts[mount], path.slice(mount.length));
    else if (root) {
      file = safeJoin(root, path.endsWith('/') ? `${path}index.html` : path);
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...(type.startsWith('text/html') ? headers : {}) });
    createReadStream(file).pipe(res);
  });
}
