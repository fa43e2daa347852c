/**
 * For the UI packages' tests (Node only, not exported from the index): a file as it ships in a
 * package's dist/, measured as DESIGN.md's budgets are (minified as built, gzip level 9, without the
 * source-map comment, which a browser never downloads with the code).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
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
  const code = readFileSync(path, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '');
  return { code, gzipped: gzipSync(code, { level: 9 }).length };
}

/**
 * The packages a built, unminified file imports (index.js, index.d.ts: one statement per line):
 * `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`; relative paths left out.
 */
export function importedPackages(code: string): string[] {
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
