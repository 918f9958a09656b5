import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// Arbitrary constant: every screenpop node takes the same lock, so nodes starting together
// apply the migrations once, one after another, instead of racing.
const MIGRATION_LOCK_ID = 74_611_209;

export interface MigrationFile {
  name: string;
  sql: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{3}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(dir + name, 'utf8') })));
}

/**
 * Applies every migration not yet applied, all in one transaction under an advisory lock,
 * so a failing migration leaves nothing half-applied. Returns the names it applied.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  return database.withScriptSession(async (exec) => {
    await exec(`BEGIN; SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID});
      CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`);
    try {
      const done = new Set((await exec('SELECT name FROM schema_migrations')).map((r) => String(r.name)));
      const applied: string[] = [];
      for (const file of files) {
        if (done.has(file.name)) continue;
        await exec(file.sql);
        await exec(`INSERT INTO schema_migrations (name) VALUES ('${file.name}')`); // name matched /^\d{3}_[\w-]+/
        applied.push(file.name);
      }
      await exec('COMMIT');
      return applied;
    } catch (err) {
      await exec('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}

/** Migration files that exist but are not applied (empty = the schema is current). */
export async function pendingMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  const rows = await database
    .withScriptSession((exec) => exec('SELECT name FROM schema_migrations'))
    .catch(() => []);
  const done = new Set(rows.map((r) => String(r.name)));
  return files.map((f) => f.name).filter((n) => !done.has(n));
}
