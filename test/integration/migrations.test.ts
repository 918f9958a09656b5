import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { createDatabase } from '../../src/db/database.ts';
import { migrate, pendingMigrations, readMigrations } from '../../src/db/migrator.ts';

const serverUrl = inject('databaseUrl');

describe('migrations', () => {
  it('apply once on PGlite and leave nothing pending', async () => {
    const database = createDatabase({ dataDir: 'memory://' });
    try {
      const all = (await readMigrations()).map((m) => m.name);
      expect(await migrate(database)).toEqual(all);
      expect(await migrate(database)).toEqual([]);
      expect(await pendingMigrations(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it.skipIf(!serverUrl)('are applied exactly once when several nodes start at the same time (PostgreSQL)', async () => {
    const name = `screenpop_mig_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl! });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const nodes = Array.from({ length: 4 }, () => createDatabase({ url: url.toString(), poolSize: 2 }));
    try {
      const results = await Promise.all(nodes.map((n) => migrate(n)));
      const all = (await readMigrations()).map((m) => m.name);
      // One node applied everything; the others waited on the lock and found nothing to do.
      expect(results.filter((r) => r.length > 0)).toEqual([all]);
      const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM schema_migrations`.execute(nodes[0]!.db);
      expect(Number(rows.rows[0]?.n)).toBe(all.length);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('roll back whole when one fails, leaving the schema as it was', async () => {
    const { mkdtempSync, writeFileSync, copyFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mig-')) + '/';
    for (const m of await readMigrations()) copyFileSync(join(new URL('../../migrations/', import.meta.url).pathname, m.name), dir + m.name);
    writeFileSync(dir + '998_ok.sql', 'CREATE TABLE half_written (id int);');
    writeFileSync(dir + '999_broken.sql', 'CREATE TABLE broken (id int); SELECT no_such_function();');
    const database = createDatabase({ dataDir: 'memory://' });
    try {
      await expect(migrate(database, dir)).rejects.toThrow(/no_such_function/);
      const tables = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('half_written', 'customers')`.execute(database.db);
      expect(Number(tables.rows[0]?.n)).toBe(0);
    } finally {
      await database.close();
    }
  });
});
