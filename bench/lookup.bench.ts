import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { CustomerService } from '../src/customers/customer.service.ts';
import { seedSynthetic } from '../src/customers/synthetic-seed.ts';
import { percentiles, progress } from './stats.ts';

/** The same number as people and trunks write it: as stored, E.164, tel: URI, 00-prefixed, spaced. */
const FORMATS: Array<(raw: string, e164: string) => string> = [
  (raw) => raw,
  (_, e164) => e164,
  (_, e164) => `tel:${e164.slice(0, 3)}-${e164.slice(3, 6)}-${e164.slice(6)}`,
  (_, e164) => `00${e164.slice(1)}`,
  (_, e164) => `+${e164.slice(1, 3)} ${e164.slice(3, 6)} ${e164.slice(6)}`,
];

/**
 * Lookup part of `npm run bench`: N synthetic customers in PostgreSQL (seeded once, reused on
 * later runs), then lookups of existing numbers in mixed formats and of numbers nobody has.
 */
export async function benchLookup(serverUrl: string, customers: number, samples: number): Promise<void> {
  const database = createDatabase({ url: await ensureBenchDatabase(serverUrl), poolSize: 4 });
  try {
    await migrate(database);
    const db = database.db;
    const have = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM customers`.execute(db)).rows[0]?.n ?? 0);
    if (have !== customers) {
      await sql`TRUNCATE customers, customer_phones, customer_emails, customer_relations, business_records, holdings, audit_log RESTART IDENTITY CASCADE`.execute(db);
      const t0 = performance.now();
      await seedSynthetic(db, customers, (done) => progress(`seeding ${done.toLocaleString('en')}/${customers.toLocaleString('en')}`));
      const phones = (await sql<{ n: string }>`SELECT count(*) AS n FROM customer_phones`.execute(db)).rows[0]?.n;
      console.log(`\nseed: ${customers.toLocaleString('en')} customers, ${Number(phones).toLocaleString('en')} phones in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      console.log(`seed: reusing ${customers.toLocaleString('en')} customers already in the bench database`);
    }

    // The sample numbers are read before timing starts, so only lookups are measured.
    const picks = (
      await sql<{ raw: string; e164: string | null }>`SELECT raw, e164 FROM customer_phones WHERE id IN (
        SELECT 1 + floor(random() * (SELECT max(id) FROM customer_phones))::bigint FROM generate_series(1, ${samples}))`.execute(db)
    ).rows;
    const service = new CustomerService(db, { defaultCountry: 'US' });
    const hits: number[] = [];
    const misses: number[] = [];
    let notFound = 0;
    for (const [i, p] of picks.entries()) {
      let t = performance.now();
      // A number stored without a valid E.164 is asked for as it was stored.
      const r = await service.lookupByPhone(p.e164 ? FORMATS[i % FORMATS.length]!(p.raw, p.e164) : p.raw);
      hits.push(performance.now() - t);
      if (r.outcome === 'none' || r.outcome === 'invalid') notFound++;
      t = performance.now();
      await service.lookupByPhone(`+1 907 555 ${String(i % 10_000).padStart(4, '0')}`); // Alaska: never seeded
      misses.push(performance.now() - t);
    }
    console.log(`lookup hits   (${picks.length}, 5 formats): ${percentiles(hits)}; not found: ${notFound}`);
    console.log(`lookup misses (${misses.length}):           ${percentiles(misses)}`);
  } finally {
    await database.close();
  }
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
