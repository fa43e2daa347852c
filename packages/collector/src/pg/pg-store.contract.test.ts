import { type StoreFixture, storeContract } from '../store-contract.js';
import { PgStore } from './pg-store.js';
import { createTestSchema } from './test-database.js';

/** Each test in a schema of its own in the test database, dropped after. */
async function pgFixture(): Promise<StoreFixture> {
  const { url, schema, drop } = await createTestSchema();
  const open = () => new PgStore({ url, schema, poolMax: 4 });
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
      await drop();
    },
  };
}

storeContract('PgStore', pgFixture);
