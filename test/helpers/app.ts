import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createContainer, type Container, type ContainerOptions } from '../../src/container.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { TestRedis, testRedisUrl } from './redis.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  database: TestDatabase;
  /** Headers that authenticate as the bootstrap admin. */
  admin: { authorization: string };
  close(): Promise<void>;
}

/** Where live state lives: in-process, or on the test Redis under a prefix of its own (removed at close). */
export type LiveStateKind = 'memory' | 'redis';

/** The live-state kinds this machine can test: Redis only when one is reachable. */
export function liveStateKinds(): LiveStateKind[] {
  return testRedisUrl() ? ['memory', 'redis'] : ['memory'];
}

export interface TestAppOptions extends Omit<ContainerOptions, 'database' | 'live' | 'bus'> {
  /** A store made by the test (e.g. behind a proxy it can cut); otherwise a fresh one of `kind`. */
  store?: TestDatabase;
  /** Live state: in-process (default) or the test Redis. */
  state?: LiveStateKind;
  /** Where the service logs go (tests that read them); stdout otherwise. */
  logTo?: DestinationStream;
}

/** The whole HTTP app on a fresh store (or `opts.store`), as main.ts builds it, with extra env for the config and container options (e.g. webhook timing). */
export async function createTestApp(kind: DatabaseKind, env: Record<string, string> = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  const { store, state, logTo, ...containerOptions } = opts;
  const database = store ?? (await createTestDatabase(kind));
  const redisUrl = testRedisUrl();
  if (state === 'redis' && !redisUrl) throw new Error('no Redis for this test (REDIS_URL unset)');
  const redis = state === 'redis' ? new TestRedis(redisUrl!) : null;
  const redisEnv: Record<string, string> = redis ? { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: redis.prefix } : {};
  const config: Config = loadConfig({ SCREENPOP_ADMIN_KEY: ADMIN_KEY, SEED_DEMO: 'false', LOG_LEVEL: 'silent', ...redisEnv, ...env });
  const container = await createContainer(config, createLogger(config.logLevel, logTo), { ...containerOptions, database });
  const app = await buildApp(container);
  await app.ready();
  await container.start();
  return {
    app,
    container,
    database,
    admin: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await app.close();
      await container.close();
      await database.close();
      await redis?.close();
    },
  };
}
