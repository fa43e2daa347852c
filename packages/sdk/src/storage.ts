import { quietly } from './safe.js';
import type { KeyValueStorage } from './types.js';

/** Web Storage that never throws: reads answer null and writes do nothing where storage is blocked. */
export const webStorage = (area: () => Storage): KeyValueStorage => ({
  getItem: (k) => quietly(() => area().getItem(k)) as string | null, // undefined where blocked: every reader takes it as null
  setItem: (k, v) => quietly(() => area().setItem(k, v)),
  removeItem: (k) => quietly(() => area().removeItem(k)),
});
