import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { createDatabase, type Database, type DatabaseKind } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrator.ts';

/** The stores the integration tests run on: PGlite always, PostgreSQL when one is reachable. */
export function databaseKinds(): DatabaseKind[] {
  return inject('databaseUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends Database {
  /** The URL of this test's own PostgreSQL database (undefined on PGlite). */
  readonly url?: string;
}

/**
 * A fresh, migrated store for one test file: an in-memory PGlite, or a new PostgreSQL database
 * (created on the server from DATABASE_URL and dropped by close()).
 */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const database = createDatabase({ dataDir: 'memory://' });
    await migrate(database);
    return database;
  }
  const serverUrl = inject('databaseUrl');
  if (!serverUrl) throw new Error('no PostgreSQL for this test (DATABASE_URL unset)');
  const name = `screenpop_test_${randomBytes(5).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = createDatabase({ url: url.toString(), poolSize: 5 });
  await migrate(database);
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
