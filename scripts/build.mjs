// `npm run build`: every package's bundles (rollup.config.ts), as `npm start` and `npm test` build them.
import { build } from './setup.mjs';

build();
