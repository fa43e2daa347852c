/**
 * For the UI packages' tests (Node only, not exported from the index): a file as it ships in a
 * package's dist/, measured as DESIGN.md's budgets are (minified as built, gzip level 9, as a site serves it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface ShippedFile {
  code: string;
  /** Bytes of `code` minified as built, then gzip level 9. */
  gzipped: number;
}

/** Reads `file` (a URL, e.g. `new URL('../dist/x.js', import.meta.url)`); throws naming the build when it is missing. */
export function shipped(file: URL): ShippedFile {
  const path = fileURLToPath(file);
  if (!existsSync(path)) {
    throw new Error(
      `[size] ${relative(process.cwd(), path)} is missing: the test measures the built file. Build first: npm run build`,
    );
  }
  const code = readFileSync(path, 'utf8');
  return { code, gzipped: gzipSync(code, { level: 9 }).length };
}

/**
 * The packages a built, unminified file imports (index.js, index.d.ts: one statement per line):
 * `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`; relative paths left out.
 */
function importedPackages(code: string): string[] {
  const statements =
    /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  const specifiers = Array.from(code.matchAll(statements), (m) => (m[1] ?? m[2] ?? m[3])!).filter((s) => !s.startsWith('.'));
  const names = specifiers.map((s) =>
    s
      .split('/')
      .slice(0, s.startsWith('@') ? 2 : 1)
      .join('/'),
  );
  return [...new Set(names)].sort();
}

/**
 * Per file of a package's npm entry (dist/index.js, dist/index.d.ts), the packages it imports that its
 * package.json does not list in `dependencies`: what a user's install would not resolve. Empty lists
 * when all is well. `packageDir`: e.g. `new URL('..', import.meta.url)` from a package's src/.
 */
export function undeclaredImports(packageDir: URL): Record<string, string[]> {
  const dir = fileURLToPath(packageDir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const declared = Object.keys(pkg.dependencies ?? {});
  return Object.fromEntries(
    ['index.js', 'index.d.ts'].map((file) => {
      const imported = importedPackages(shipped(new URL(`dist/${file}`, packageDir)).code);
      return [file, imported.filter((name) => !declared.includes(name))];
    }),
  );
}
