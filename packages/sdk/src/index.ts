export { createTillit } from './tillit.js';
export { DEFAULT_URL_DENYLIST } from './url.js';
export type * from './types.js';
