import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createContainer, type Container } from '../../src/container.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  database: TestDatabase;
  /** Headers that authenticate as the bootstrap admin. */
  admin: { authorization: string };
  close(): Promise<void>;
}

/** The whole HTTP app on a fresh store, as main.ts builds it, with extra env for the config. */
export async function createTestApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const config: Config = loadConfig({ SCREENPOP_ADMIN_KEY: ADMIN_KEY, SEED_DEMO: 'false', LOG_LEVEL: 'silent', ...env });
  const container = await createContainer(config, createLogger(config.logLevel), { database });
  const app = await buildApp(container);
  await app.ready();
  return {
    app,
    container,
    database,
    admin: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await app.close();
      await container.close();
      await database.close();
    },
  };
}
