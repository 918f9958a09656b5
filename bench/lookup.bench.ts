import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { CustomerService } from '../src/customers/customer.service.ts';
import { percentiles } from './stats.ts';

/** The same number as people and trunks write it: as stored, E.164, tel: URI, 00-prefixed, spaced. */
export const FORMATS: Array<(raw: string, e164: string) => string> = [
  (raw) => raw,
  (_, e164) => e164,
  (_, e164) => `tel:${e164.slice(0, 3)}-${e164.slice(3, 6)}-${e164.slice(6)}`,
  (_, e164) => `00${e164.slice(1)}`,
  (_, e164) => `+${e164.slice(1, 3)} ${e164.slice(3, 6)} ${e164.slice(6)}`,
];

/**
 * Lookup part of `npm run bench`: on the bench database (N synthetic customers, see
 * bench-database.ts), lookups of existing numbers in mixed formats and of numbers nobody has.
 */
export async function benchLookup(url: string, samples: number): Promise<void> {
  const database = createDatabase({ url, poolSize: 4 });
  try {
    const db = database.db;
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
