/** Replaced at build time with the package version (rollup.config.ts, vitest.config.ts). */
declare const __TILLIT_VERSION__: string;
