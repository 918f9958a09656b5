import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Synthetic customers for demos and benchmarks, generated set-based in SQL so a million rows
 * take seconds, not hours. Phones come in four countries' formats (US, GB, DE, CN) with their
 * E.164 and fallback tail; every 10th pair of customers shares a household number; every third
 * customer has an order and a holding. Deterministic: customer n always gets the same data.
 */
export async function seedSynthetic(
  db: Kysely<DB>,
  count: number,
  onProgress: (done: number) => void = () => {},
  chunk = 100_000,
): Promise<{ firstId: number; lastId: number }> {
  const base = Number((await sql<{ m: string }>`SELECT coalesce(max(id), 0) AS m FROM customers`.execute(db)).rows[0]?.m ?? 0);
  for (let from = base + 1; from <= base + count; from += chunk) {
    const to = Math.min(base + count, from + chunk - 1);
    await db.transaction().execute(async (trx) => {
      for (const statement of chunkStatements(from, to)) await sql.raw(statement).execute(trx);
    });
    onProgress(to - base);
  }
  // Explicit ids were used; move the sequence past them so later inserts get fresh ones.
  await sql`SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers))`.execute(db);
  // Every table filled, not only the lookup's: without statistics (autovacuum off, or not yet run) the
  // planner walks a primary key through a million emails or holdings for one customer's pop (≈1 s, not 1 ms).
  await sql`ANALYZE customers, customer_phones, customer_emails, customer_relations, business_records, holdings`.execute(db);
  return { firstId: base + 1, lastId: base + count };
}

const FIRST = `ARRAY['Ada','Grace','Alan','Linus','Mei','Wei','Hannah','Lukas','Olivia','James','Sofia','Mateo','Aisha','Omar','Yuki','Chloé','Björn','Priya','Li','Fatima']`;
const LAST = `ARRAY['Lovelace','Hopper','Turing','Schmidt','Müller','Wang','Zhang','Smith','Johnson','García','Rossi','Dubois','Khan','Tanaka','O''Brien','Nguyen','Kowalski','Silva','陈','李']`;
const COMPANY = `ARRAY['Acme Logistics','Globex','Initech','Umbrella Health','北京星辰科技','Müller & Söhne GmbH','Stark Freight','Wayne Insurance']`;

/**
 * The national number of customer n's main phone per country; formats and E.164 derive from it.
 * Country by n % 4: 0 US (+1 NPA NXX XXXX), 1 GB (+44 20 7xxx xxxx), 2 DE (+49 30 xxxxxxxx), 3 CN (+86 10 xxxxxxxx).
 */
function chunkStatements(from: number, to: number): string[] {
  const nums = `
    SELECT n, n % 4 AS c,
      CASE n % 4
        WHEN 0 THEN (ARRAY['212','312','415','512','617','646','702','718','801','206'])[1 + n % 10] || (200 + (n / 10) % 700)::text || lpad(((n / 7000) % 10000)::text, 4, '0')
        WHEN 1 THEN '207' || lpad((n % 10000000)::text, 7, '0')
        WHEN 2 THEN '30' || lpad((n % 100000000)::text, 8, '0')
        ELSE '10' || lpad((n % 100000000)::text, 8, '0')
      END AS nat
    FROM generate_series(${from}, ${to}) AS n`;
  return [
    `INSERT INTO customers (id, kind, display_name, first_name, last_name, company_name, roles, value_segment, lifetime_value, language, customer_since, last_contact_at)
     SELECT n, CASE WHEN n % 25 = 0 THEN 'company' ELSE 'person' END,
       CASE WHEN n % 25 = 0 THEN (${COMPANY})[1 + n % 8] || ' #' || n ELSE (${FIRST})[1 + n % 20] || ' ' || (${LAST})[1 + (n / 20) % 20] END,
       CASE WHEN n % 25 = 0 THEN NULL ELSE (${FIRST})[1 + n % 20] END,
       CASE WHEN n % 25 = 0 THEN NULL ELSE (${LAST})[1 + (n / 20) % 20] END,
       CASE WHEN n % 7 = 0 THEN (${COMPANY})[1 + n % 8] END,
       CASE WHEN n % 11 = 0 THEN ARRAY['prospect'] WHEN n % 13 = 0 THEN ARRAY['customer','debtor'] ELSE ARRAY['customer'] END,
       (ARRAY['standard','standard','standard','standard','gold','gold','platinum'])[1 + n % 7],
       ((n * 37) % 250000)::numeric / 10,
       (ARRAY['en','en','de','zh'])[1 + n % 4],
       CURRENT_DATE - ((n % 3650) || ' days')::interval,
       now() - ((n % 900) || ' days')::interval
     FROM generate_series(${from}, ${to}) AS n`,
    `WITH p AS (${nums})
     INSERT INTO customer_phones (customer_id, label, raw, e164, tail, is_primary)
     SELECT n, 'main',
       CASE c WHEN 0 THEN '(' || substr(nat,1,3) || ') ' || substr(nat,4,3) || '-' || substr(nat,7)
              WHEN 1 THEN '0' || substr(nat,1,2) || ' ' || substr(nat,3,4) || ' ' || substr(nat,7)
              WHEN 2 THEN '0' || substr(nat,1,2) || ' ' || substr(nat,3)
              ELSE '0' || substr(nat,1,2) || ' ' || substr(nat,3,4) || ' ' || substr(nat,7) END,
       (ARRAY['+1','+44','+49','+86'])[1 + c] || nat, right(nat, 9), true
     FROM p
     UNION ALL
     -- A mobile in international format for everyone: +1 NPA 9xx, +44 7, +49 151, +86 13.
     SELECT n, 'mobile', (ARRAY['+1 ','+44 ','+49 ','+86 '])[1 + c] || mob, (ARRAY['+1','+44','+49','+86'])[1 + c] || mob, right(mob, 9), false
     FROM (SELECT n, c, CASE c
             WHEN 0 THEN substr(nat,1,3) || '9' || lpad((n % 100)::text, 2, '0') || right(nat, 4)
             WHEN 1 THEN '7' || lpad((n % 1000000000)::text, 9, '0')
             WHEN 2 THEN '151' || lpad((n % 100000000)::text, 8, '0')
             ELSE '13' || lpad((n % 1000000000)::text, 9, '0') END AS mob FROM p) AS m`,
    `INSERT INTO customer_emails (customer_id, email)
     SELECT n, 'customer' || n || '@example.' || (ARRAY['com','co.uk','de','cn'])[1 + n % 4] FROM generate_series(${from}, ${to}) AS n`,
    // Households: customer n (n % 10 = 1) and n + 1 share n's main number and are related.
    `INSERT INTO customer_phones (customer_id, label, raw, e164, tail)
     SELECT customer_id + 1, 'household', raw, e164, tail FROM customer_phones
     WHERE customer_id BETWEEN ${from} AND ${to - 1} AND customer_id % 10 = 1 AND label = 'main'`,
    `INSERT INTO customer_relations (from_customer_id, to_customer_id, kind)
     SELECT n, n + 1, 'household_member' FROM generate_series(${from}, ${to - 1}) AS n WHERE n % 10 = 1`,
    `INSERT INTO business_records (customer_id, kind, reference, title, amount, currency, status, occurred_at)
     SELECT n, (ARRAY['quote','contract','order','payment'])[1 + n % 4], 'R-' || n, 'Synthetic record ' || n,
       ((n * 13) % 500000)::numeric / 100, 'USD', (ARRAY['open','won','closed'])[1 + n % 3], now() - ((n % 400) || ' days')::interval
     FROM generate_series(${from}, ${to}) AS n WHERE n % 3 = 0`,
    `INSERT INTO holdings (customer_id, product_code, product_name)
     SELECT n, (ARRAY['HOME','AUTO','LIFE','TRAVEL'])[1 + n % 4], (ARRAY['Home insurance','Car insurance','Life cover','Travel cover'])[1 + n % 4]
     FROM generate_series(${from}, ${to}) AS n WHERE n % 3 = 1`,
  ];
}
