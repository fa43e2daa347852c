import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));
const alias = {
  '@tillit/schema': src('schema'),
  '@tillit/sdk': src('sdk'),
  '@tillit/banner': src('banner'),
  '@tillit/portal': src('portal'),
  '@tillit/collector': src('collector'),
};
const define = { __TILLIT_VERSION__: JSON.stringify('0.0.0-test') };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        define,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/{schema,collector}/src/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        define,
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['packages/{sdk,banner,portal}/src/**/*.test.ts'],
        },
      },
    ],
  },
});
