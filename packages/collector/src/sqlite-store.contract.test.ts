import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { type StoreFixture, storeContract } from './store-contract.js';

function sqliteFixture(options: Partial<SqliteStoreOptions> = {}) {
  return async (): Promise<StoreFixture> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tillit-contract-'));
    const open = () => new SqliteStore({ dataDir, durability: 'normal', ...options });
    let store = open();
    return {
      store,
      reopen: async () => {
        await store.close();
        store = open();
        return store;
      },
      destroy: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

storeContract('SqliteStore', sqliteFixture());
storeContract('SqliteStore without a writer thread', sqliteFixture({ writerThread: false }));
