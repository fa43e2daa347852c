/**
 * One build for every package (as Vue core does): each package.json says what it ships in a
 * `"build"` field, this file turns that into rollup outputs.
 *
 *   "build": {
 *     "platform": "browser" | "node",
 *     "entries": { "index": "src/index.ts" },          ESM (+ .d.ts for "index")
 *     "iife": { "input": "src/global.ts", "file": "tillit.js" }   minified script-tag bundle(s):
 *                                                                one entry or a list
 *   }
 *
 * Workspace packages are resolved to their sources, so a bundle never depends on another
 * package having been built first. `TILLIT_PACKAGES=sdk,banner` builds a subset.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import type { Plugin, RollupOptions } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

interface BuildField {
  platform: 'browser' | 'node';
  entries?: Record<string, string>;
  iife?: IifeEntry | IifeEntry[];
}
interface IifeEntry {
  input: string;
  file: string;
}
interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
  build?: BuildField;
}

const root = process.cwd();
const only = process.env.TILLIT_PACKAGES?.split(',').filter(Boolean);
const packagesDir = join(root, 'packages');

const workspaceSources = new Map<string, string>();
for (const dir of readdirSync(packagesDir)) {
  const pkgFile = join(packagesDir, dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as PackageJson;
  workspaceSources.set(pkg.name, join(packagesDir, dir, 'src/index.ts'));
}

/** `@tillit/x/sub` → `packages/x/src/sub.ts` (e.g. @tillit/schema/scrub, zod-free for the script tag), if it exists. */
function workspaceSubpath(id: string): string | null {
  const match = /^(@tillit\/[\w-]+)\/([\w-]+)$/.exec(id);
  const index = match && workspaceSources.get(match[1]!);
  const file = index ? join(index, '..', `${match![2]}.ts`) : null;
  return file && existsSync(file) ? file : null;
}

/** `@tillit/x` → packages/x/src/index.ts, so bundles use sources, never stale dist files. */
function workspaceSource(): Plugin {
  return {
    name: 'tillit-workspace-source',
    resolveId(id) {
      return workspaceSources.get(id) ?? workspaceSubpath(id);
    },
  };
}

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function configs(dir: string): RollupOptions[] {
  const pkgDir = join(packagesDir, dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
  const build = pkg.build;
  if (!build) return [];
  const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => !workspaceSources.has(d));
  const isExternal = (id: string) => nodeBuiltins.has(id) || deps.some((d) => id === d || id.startsWith(`${d}/`));
  const define = { __TILLIT_VERSION__: JSON.stringify(pkg.version) };
  const target = build.platform === 'node' ? 'node20' : 'es2020';
  const out: RollupOptions[] = [];
  const entries = Object.fromEntries(Object.entries(build.entries ?? {}).map(([name, file]) => [name, resolve(pkgDir, file)]));

  if (Object.keys(entries).length) {
    out.push({
      input: entries,
      external: isExternal,
      plugins: [
        workspaceSource(),
        nodeResolve({ browser: build.platform === 'browser', preferBuiltins: build.platform === 'node' }),
        esbuild({ target, define, tsconfig: join(root, 'tsconfig.json') }),
      ],
      output: { dir: join(pkgDir, 'dist'), format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name].js' },
    });
    // .d.ts for "index", and for each other entry whose subpath export declares types (@tillit/schema/scrub).
    const typed = (name: string) => name === 'index' || JSON.stringify(pkg.exports?.[`./${name}`] ?? {}).includes('"types"');
    for (const name of Object.keys(entries).filter(typed)) {
      out.push({
        input: entries[name],
        external: (id) => isExternal(id) || workspaceSources.has(id) || workspaceSubpath(id) !== null,
        plugins: [dts({ tsconfig: join(root, 'tsconfig.json'), compilerOptions: { paths: {} } })],
        output: { file: join(pkgDir, `dist/${name}.d.ts`), format: 'esm' },
      });
    }
  }
  // One cache of mangled names for all of a package's script-tag bundles: an internal property gets the
  // same short name in each, so a lazily loaded chunk (tillit-privacy.js) can use the core's state object.
  const nameCache = {};
  for (const iife of [build.iife ?? []].flat()) {
    out.push({
      input: resolve(pkgDir, iife.input),
      plugins: [
        workspaceSource(),
        nodeResolve({ browser: true }),
        esbuild({ target: 'es2020', define, minify: true, legalComments: 'none', tsconfig: join(root, 'tsconfig.json') }),
        // After esbuild's minify: terser compresses further (~4% smaller gzipped script-tag bundles).
        // Property names ending in `_` (letters before it, the first lower-case, so never `__proto__`) are
        // internal-only by convention and get short names. Wire-format, public-API and stored names never
        // end in `_`, nor does anything that crosses bundles (window globals, the tag mount tillit-tags.js
        // shares with tillit-banner.js, what tillit.js hands the privacy chunk): each bundle is mangled apart.
        terser({
          ecma: 2020,
          // unsafe: template literals of strings to `+`, String(x) to ''+x, no `new` on builtins; no code of
          // ours interpolates objects with their own valueOf or passes Symbols there. unsafe_arrows: function
          // expressions that use neither `this` nor `arguments` become arrows; none of ours is called with new.
          // unsafe_methods: arrow properties become methods (neither uses `this`, none is called with new);
          // unsafe_math: here it only makes Number(x) +x (no BigInt here). Together 7 B off tillit.js (6,021 -> 6,014 B).
          compress: { passes: 4, unsafe: true, unsafe_arrows: true, unsafe_methods: true, unsafe_math: true },
          mangle: { properties: { regex: /^[a-z][a-zA-Z]*_$/, keep_quoted: true } },
          nameCache,
          format: { comments: false },
        }),
      ],
      // 'hidden': the map is written beside the file, but the file names it in no comment: every visitor would
      // download that comment (~28 B gzip) for a map only a developer opens (load it in devtools by hand).
      output: { file: join(pkgDir, 'dist', iife.file), format: 'iife', sourcemap: 'hidden' },
    });
  }
  return out;
}

export default readdirSync(packagesDir)
  .filter((dir) => !only || only.includes(dir))
  .flatMap(configs);
