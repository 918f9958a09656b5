import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/database.ts';
import { migrate, readMigrations } from './db/migrator.ts';
import { ApiKeyService } from './auth/api-key.service.ts';
import { CustomerService } from './customers/customer.service.ts';
import { seedDemoIfEmpty } from './customers/demo-seed.ts';
import { databaseCheck, type ReadinessCheck } from './health/health.routes.ts';
import type { Logger } from './shared/logger.ts';

/**
 * Every infrastructure client and service, made in one place. `close()` shuts them down in
 * reverse order of creation. Tests build one with their own database and config.
 */
export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly apiKeys: ApiKeyService;
  readonly customers: CustomerService;
  readonly readiness: ReadinessCheck[];
  close(): Promise<void>;
}

export interface ContainerOptions {
  /** An already-open database (tests); otherwise one is opened from config. */
  database?: Database;
}

export async function createContainer(config: Config, logger: Logger, opts: ContainerOptions = {}): Promise<Container> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err) => logger.error({ err }, 'close failed'));
  };
  try {
    const database = opts.database ?? createDatabase({ url: config.database.url, poolSize: config.database.poolSize, dataDir: config.database.dataDir });
    if (!opts.database) closers.push(() => database.close());
    const applied = await migrate(database);
    if (applied.length) logger.info({ applied, store: database.kind }, 'migrations applied');
    const migrations = (await readMigrations()).map((m) => m.name);

    const apiKeys = new ApiKeyService(database.db, config.adminKey);
    const customers = new CustomerService(database.db, { defaultCountry: config.defaultCountry });
    if (config.seedDemo) {
      const seeded = await seedDemoIfEmpty(database.db, config.defaultCountry);
      if (seeded) logger.info({ customers: seeded }, 'empty store: demo customers seeded');
    }

    return {
      config,
      logger,
      database,
      apiKeys,
      customers,
      readiness: [databaseCheck(database, migrations)],
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
