export {
  type CollectorConfig,
  type CollectorConfigInput,
  type SiteConfig,
  ConfigError,
  loadConfig,
  parseConfig,
} from './config.js';
export { type Collector, type CollectorOptions, createCollector } from './server.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export type { ConsentRow, EventRow, Store } from './store.js';
