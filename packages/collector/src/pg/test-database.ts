import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from './migrations.js';

/** The PostgreSQL that `npm test` uses: every dev and CI machine of the project runs one here. */
export const TEST_DATABASE_URL = process.env.TILLIT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** Runs `sql` on a short connection to the test database; a clear error says what to start when it is unreachable. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  url = TEST_DATABASE_URL,
) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `[tillit] PostgreSQL is not reachable at ${url} (${(error as Error).message}). The PostgreSQL tests need it: ` +
        'start it (Debian: pg_ctlcluster --skip-systemctl-redirect 15 main start) or point TILLIT_TEST_DATABASE_URL at one.',
    );
  }
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh schema of its own for one test file or test (tests run in parallel), dropped by `drop()`. */
export async function createTestSchema(): Promise<TestSchema> {
  const schema = `tillit_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${quoteIdent(schema)}`);
  return {
    url: TEST_DATABASE_URL,
    schema,
    drop: async () => {
      await adminQuery(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    },
  };
}
