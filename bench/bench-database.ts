import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import pg from 'pg';
import { createDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { seedSynthetic } from '../src/customers/synthetic-seed.ts';
import { progress } from './stats.ts';

/**
 * The bench's own database, screenpop_bench, on the given server: migrated, N synthetic customers
 * (seeded once, reused by later runs), and nothing left of an earlier pop run (calls, agents, keys,
 * queues, the provisional customers its unknown callers made), so runs are comparable. Returns its URL.
 */
export async function prepareBenchDatabase(serverUrl: string, customers: number): Promise<string> {
  const url = await ensureBenchDatabase(serverUrl);
  const database = createDatabase({ url, poolSize: 2 });
  try {
    await migrate(database);
    const db = database.db;
    await clearPopRun(db);
    const have = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM customers`.execute(db)).rows[0]?.n ?? 0);
    if (have !== customers) {
      await sql`TRUNCATE customers, customer_phones, customer_emails, customer_relations, business_records, holdings RESTART IDENTITY CASCADE`.execute(db);
      const t0 = performance.now();
      await seedSynthetic(db, customers, (done) => progress(`seeding ${done.toLocaleString('en')}/${customers.toLocaleString('en')}`));
      const phones = (await sql<{ n: string }>`SELECT count(*) AS n FROM customer_phones`.execute(db)).rows[0]?.n;
      console.log(`\nseed: ${customers.toLocaleString('en')} customers, ${Number(phones).toLocaleString('en')} phones in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      console.log(`seed: reusing ${customers.toLocaleString('en')} customers already in the bench database`);
      // Seeded by an older seed that analyzed only some tables (autovacuum may be off): a pop would take a second.
      const unanalyzed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_user_tables
        WHERE relname IN ('customer_emails', 'customer_relations', 'business_records', 'holdings') AND last_analyze IS NULL AND last_autoanalyze IS NULL`.execute(db);
      if (unanalyzed.rows[0]!.n > 0) await sql`ANALYZE customer_emails, customer_relations, business_records, holdings`.execute(db);
    }
  } finally {
    await database.close();
  }
  return url;
}

/**
 * Removes what a pop run made, keeping the seeded customers: run at the start (a run that was cut
 * short) and at the end (so the customer count that decides reseeding is the seeded one again).
 */
export async function clearPopRun(db: Kysely<DB>): Promise<void> {
  await sql`TRUNCATE calls, call_attempts, cross_sell_prompts, cross_sell_rules, tickets, follow_ups, webhook_outbox, audit_log, agent_state_history, agents, api_keys RESTART IDENTITY CASCADE`.execute(db);
  await sql`DELETE FROM queues WHERE id <> 'general'`.execute(db);
  await sql`DELETE FROM customers WHERE provisional`.execute(db);
}

async function ensureBenchDatabase(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'screenpop_bench'`);
    if (!exists.rowCount) await client.query('CREATE DATABASE screenpop_bench');
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = '/screenpop_bench';
  return url.toString();
}
