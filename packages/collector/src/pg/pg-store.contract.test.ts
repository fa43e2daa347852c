import { type StoreFixture, storeContract } from '../store-contract.js';
import { PgStore } from './pg-store.js';
import { createTestSchema } from './test-database.js';

storeContract('PgStore', async (): Promise<StoreFixture> => {
  const schema = await createTestSchema();
  const open = () => new PgStore({ url: schema.url, schema: schema.schema, poolMax: 4 });
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
      await schema.drop();
    },
  };
});
