#!/usr/bin/env node
// The `tillit-collector` command. This file is committed (dist/ is not) so that `npm ci` in a fresh
// clone links the command before anything is built; it runs the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('[tillit-collector] the collector is not built (no packages/collector/dist/cli.js): run `npm run build` first.');
  process.exit(1);
}
await import(cli.href);
