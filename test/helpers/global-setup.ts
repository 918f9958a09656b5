import type { TestProject } from 'vitest/node';
import { dockerAvailable } from './docker-available.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server URL tests may create databases on; null when none is reachable. */
    databaseUrl: string | null;
    /** A Redis URL; null when none is reachable. */
    redisUrl: string | null;
  }
}

/**
 * Finds real services for the integration and system tiers: DATABASE_URL / REDIS_URL when set,
 * otherwise containers when a Docker engine runs, otherwise none (PGlite still runs; Redis tests skip).
 */
export default async function setup(project: TestProject) {
  let databaseUrl = process.env.DATABASE_URL ?? null;
  let redisUrl = process.env.REDIS_URL ?? null;
  const stops: Array<() => Promise<unknown>> = [];

  if ((!databaseUrl || !redisUrl) && (await dockerAvailable())) {
    if (!databaseUrl) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const pg = await new PostgreSqlContainer('postgres:17-alpine').start();
      stops.push(() => pg.stop());
      databaseUrl = pg.getConnectionUri();
    }
    if (!redisUrl) {
      const { RedisContainer } = await import('@testcontainers/redis');
      const redis = await new RedisContainer('redis:7-alpine').start();
      stops.push(() => redis.stop());
      redisUrl = redis.getConnectionUrl();
    }
  } else if (!databaseUrl || !redisUrl) {
    console.log(
      `[${project.name}] no Docker engine for testcontainers:${databaseUrl ? '' : ' PostgreSQL tests skip (set DATABASE_URL),'}${redisUrl ? '' : ' Redis tests skip (set REDIS_URL)'}`,
    );
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const stop of stops) await stop();
  };
}
