import { loadConfig, ConfigError, type Config } from '../config.ts';
import { createDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrator.ts';

/** Config and a migrated database for a command-line tool, with the same rules as the service. */
export async function openForCli(): Promise<{ config: Config; database: Database }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const database = createDatabase({ url: config.database.url, poolSize: 2, dataDir: config.database.dataDir });
  const applied = await migrate(database);
  if (applied.length) console.error(`migrations applied: ${applied.join(', ')}`);
  return { config, database };
}
