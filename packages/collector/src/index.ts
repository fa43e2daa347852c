export {
  type CollectorConfig,
  type CollectorConfigInput,
  type SiteConfig,
  ConfigError,
  loadConfig,
  parseConfig,
} from './config.js';
export { MAX_TOKEN_MINUTES, type MintTokenOptions, mintToken } from './auth.js';
export { type Collector, type CollectorOptions, createCollector } from './server.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { PgStore, type PgStoreOptions } from './pg/pg-store.js';
export type {
  AuditRow,
  ConsentRow,
  ErasureCounts,
  EventRow,
  IdentityLinkRow,
  RequestRow,
  Store,
  SubjectRef,
  SubjectRows,
  Suppression,
} from './store.js';
