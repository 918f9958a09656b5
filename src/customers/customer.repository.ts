import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { CustomersTable, DB, RelationKind } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export interface PhoneMatchRow {
  id: number;
  customerNumber: string;
  displayName: string;
  companyName: string | null;
  valueSegment: string;
  isPrimary: boolean;
  label: string;
  raw: string;
  lastContactAt: Date | null;
}

/** Live customers (not deleted, not merged) with a phone whose `column` equals `value`. */
export async function findByPhoneKey(db: Q, column: 'e164' | 'tail', value: string, limit: number): Promise<PhoneMatchRow[]> {
  return db
    .selectFrom('customer_phones as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .where(`p.${column}`, '=', value)
    .where('c.deleted_at', 'is', null)
    .where('c.merged_into_id', 'is', null)
    .select([
      'c.id as id',
      'c.customer_number as customerNumber',
      'c.display_name as displayName',
      'c.company_name as companyName',
      'c.value_segment as valueSegment',
      'c.last_contact_at as lastContactAt',
      'p.is_primary as isPrimary',
      'p.label as label',
      'p.raw as raw',
    ])
    .orderBy('p.is_primary', 'desc')
    .orderBy(sql`c.last_contact_at desc nulls last`)
    .orderBy('c.id', 'asc')
    .orderBy('p.id', 'asc')
    // Several phones of one customer may match: fetch more rows than the limit before deduping.
    .limit(limit * 5)
    .execute();
}

export interface DuplicateCandidate {
  id: number;
  customerNumber: string;
  displayName: string;
  companyName: string | null;
  reason: 'phone' | 'email' | 'name';
}

export async function findDuplicateCandidates(
  db: Q,
  keys: { e164s: string[]; tails: string[]; emails: string[]; displayName: string; companyName: string | null },
): Promise<DuplicateCandidate[]> {
  const base = () =>
    db
      .selectFrom('customers as c')
      .where('c.deleted_at', 'is', null)
      .where('c.merged_into_id', 'is', null)
      .select(['c.id as id', 'c.customer_number as customerNumber', 'c.display_name as displayName', 'c.company_name as companyName']);
  const out = new Map<number, DuplicateCandidate>();
  const add = (rows: Omit<DuplicateCandidate, 'reason'>[], reason: DuplicateCandidate['reason']) => {
    for (const r of rows) if (!out.has(r.id)) out.set(r.id, { ...r, reason });
  };
  if (keys.e164s.length || keys.tails.length) {
    const rows = await base()
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('customer_phones as p')
            .select('p.id')
            .whereRef('p.customer_id', '=', 'c.id')
            .where((e) => {
              const ors = [];
              if (keys.e164s.length) ors.push(e('p.e164', 'in', keys.e164s));
              if (keys.tails.length) ors.push(e('p.tail', 'in', keys.tails));
              return e.or(ors);
            }),
        ),
      )
      .limit(20)
      .execute();
    add(rows, 'phone');
  }
  if (keys.emails.length) {
    const rows = await base()
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('customer_emails as e')
            .select('e.id')
            .whereRef('e.customer_id', '=', 'c.id')
            .where(sql<string>`lower(e.email)`, 'in', keys.emails),
        ),
      )
      .limit(20)
      .execute();
    add(rows, 'email');
  }
  if (keys.companyName) {
    const rows = await base()
      .where(sql<string>`lower(c.display_name)`, '=', keys.displayName.toLowerCase())
      .where(sql<string>`lower(c.company_name)`, '=', keys.companyName.toLowerCase())
      .limit(20)
      .execute();
    add(rows, 'name');
  }
  return [...out.values()];
}

export async function insertCustomer(db: Q, values: Insertable<CustomersTable>) {
  return db.insertInto('customers').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertPhones(
  db: Q,
  rows: { customer_id: number; label: string; raw: string; e164: string | null; tail: string; extension: string | null; is_primary: boolean }[],
) {
  if (!rows.length) return [];
  return db.insertInto('customer_phones').values(rows).returningAll().execute();
}

export async function insertEmails(db: Q, rows: { customer_id: number; label: string; email: string }[]) {
  if (!rows.length) return [];
  return db.insertInto('customer_emails').values(rows).returningAll().execute();
}

export async function insertRelation(db: Q, row: { from_customer_id: number; to_customer_id: number; kind: RelationKind }) {
  await db.insertInto('customer_relations').values(row).execute();
}

export async function findCustomer(db: Q, id: number) {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCustomerDetails(db: Q, id: number) {
  const [phones, emails, outgoing, incoming, businessRecords, holdings] = await Promise.all([
    db.selectFrom('customer_phones').selectAll().where('customer_id', '=', id).orderBy('is_primary', 'desc').orderBy('id').execute(),
    db.selectFrom('customer_emails').selectAll().where('customer_id', '=', id).orderBy('id').execute(),
    db
      .selectFrom('customer_relations as r')
      .innerJoin('customers as o', 'o.id', 'r.to_customer_id')
      .select(['r.id as id', 'r.kind as kind', 'o.id as customerId', 'o.display_name as displayName', 'o.customer_number as customerNumber'])
      .where('r.from_customer_id', '=', id)
      .orderBy('r.id')
      .execute(),
    db
      .selectFrom('customer_relations as r')
      .innerJoin('customers as o', 'o.id', 'r.from_customer_id')
      .select(['r.id as id', 'r.kind as kind', 'o.id as customerId', 'o.display_name as displayName', 'o.customer_number as customerNumber'])
      .where('r.to_customer_id', '=', id)
      .orderBy('r.id')
      .execute(),
    db.selectFrom('business_records').selectAll().where('customer_id', '=', id).orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(20).execute(),
    db.selectFrom('holdings').selectAll().where('customer_id', '=', id).orderBy('id').execute(),
  ]);
  return { phones, emails, outgoing, incoming, businessRecords, holdings };
}

export async function countCustomers(db: Q): Promise<number> {
  const row = await db.selectFrom('customers').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
