import { createHash } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Transaction, type UpdateObject } from 'kysely';
import type { CustomersTable, DB, RelationKind } from '../db/schema.ts';
import { preparedMarker } from '../db/database.ts';

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
  /** True when the phone matched on E.164, false for a last-digits match. */
  exact: boolean;
}

/**
 * Live customers (not deleted, not merged) with a phone matching a caller's number, in one query:
 * by E.164 when the caller's number has one, plus stored numbers that never became valid E.164 but
 * share its last digits (the fallback for "the stored format differs"); by those digits alone
 * otherwise. E.164 matches rank first, then primary phones, then the most recent contact.
 */
export async function findByPhone(db: Q, key: { e164: string | null; tail: string }, limit: number): Promise<PhoneMatchRow[]> {
  const { e164, tail } = key;
  return db
    .selectFrom('customer_phones as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .where((eb) =>
      e164 ? eb.or([eb('p.e164', '=', e164), eb.and([eb('p.e164', 'is', null), eb('p.tail', '=', tail)])]) : eb('p.tail', '=', tail),
    )
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
      sql<boolean>`${sql.raw(preparedMarker(e164 ? 'customer-lookup-e164' : 'customer-lookup-tail'))} (p.e164 IS NOT NULL AND p.e164 = ${e164 ?? ''})`.as('exact'),
    ])
    .orderBy('exact', 'desc')
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

/**
 * Holds an advisory lock on each key until the transaction ends, so creates that share a key take
 * turns and each one's duplicate check sees the rows of those before it. The locks are taken in
 * numeric order, so two creates with overlapping keys cannot deadlock; a hash collision only makes
 * two unrelated creates wait for each other. Both PostgreSQL and PGlite have advisory locks.
 */
export async function lockDuplicateKeys(trx: Transaction<DB>, keys: string[]): Promise<void> {
  const ids = [...new Set(keys.map((k) => createHash('sha256').update(k).digest().readBigInt64BE(0)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) await sql`SELECT pg_advisory_xact_lock(${id.toString()}::bigint)`.execute(trx);
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

/** The customer row, locked for the rest of the transaction. */
export async function lockCustomer(trx: Transaction<DB>, id: number) {
  return trx.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Locks several customers in id order (a fixed order so two merges cannot deadlock). */
export async function lockCustomers(trx: Transaction<DB>, ids: number[]) {
  return trx.selectFrom('customers').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

export async function updateCustomer(trx: Q, id: number, values: UpdateObject<DB, 'customers'>) {
  return trx
    .updateTable('customers')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function softDeleteCustomer(trx: Q, id: number) {
  return trx
    .updateTable('customers')
    .set({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface CustomerSummary {
  id: number;
  customerNumber: string;
  kind: 'person' | 'company';
  displayName: string;
  companyName: string | null;
  valueSegment: string;
  provisional: boolean;
  lastContactAt: Date | null;
}

export interface SearchFilters {
  /** Lower-cased, LIKE-escaped name text. */
  name?: { text: string; match: 'prefix' | 'contains' };
  phone?: { e164: string | null; tail: string };
  email?: string;
  number?: string;
}

/** Escapes LIKE wildcards (backslash is PostgreSQL's default LIKE escape). */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/** Live customers (not deleted, not merged) matching every given filter; fetches limit+1 rows to tell if there is more. */
export async function searchCustomers(db: Q, f: SearchFilters, limit: number, offset: number): Promise<CustomerSummary[]> {
  let q = db
    .selectFrom('customers as c')
    .where('c.deleted_at', 'is', null)
    .where('c.merged_into_id', 'is', null)
    .select([
      'c.id as id',
      'c.customer_number as customerNumber',
      'c.kind as kind',
      'c.display_name as displayName',
      'c.company_name as companyName',
      'c.value_segment as valueSegment',
      'c.provisional as provisional',
      'c.last_contact_at as lastContactAt',
    ]);
  if (f.name) {
    const text = escapeLike(f.name.text.toLowerCase());
    // Prefix: `lower(display_name) like 'x%'` can use the text_pattern_ops index customers_name_idx.
    q =
      f.name.match === 'prefix'
        ? q.where(sql<boolean>`lower(c.display_name) like ${text + '%'}`)
        : q.where(sql<boolean>`lower(c.display_name) like ${'%' + text + '%'}`);
  }
  if (f.number) q = q.where('c.customer_number', '=', f.number);
  if (f.email) {
    const email = f.email;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('customer_emails as e')
          .select('e.id')
          .whereRef('e.customer_id', '=', 'c.id')
          .where(sql<string>`lower(e.email)`, '=', email.toLowerCase()),
      ),
    );
  }
  if (f.phone) {
    const { e164, tail } = f.phone;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('customer_phones as p')
          .select('p.id')
          .whereRef('p.customer_id', '=', 'c.id')
          .where((e) =>
            e164
              ? // Valid number: its E.164, or a stored number that never was valid E.164 with the same tail.
                e.or([e('p.e164', '=', e164), e.and([e('p.e164', 'is', null), e('p.tail', '=', tail)])])
              : e('p.tail', '=', tail),
          ),
      ),
    );
  }
  return q
    .orderBy(sql`lower(c.display_name)`)
    .orderBy('c.id')
    .limit(limit + 1)
    .offset(offset)
    .execute();
}

export interface MergeCounts {
  phones: number;
  emails: number;
  relations: number;
  businessRecords: number;
  holdings: number;
  calls: number;
  tickets: number;
  followUps: number;
}

const n = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined) => Number(r?.numUpdatedRows ?? r?.numDeletedRows ?? 0n);

/**
 * Moves everything that belongs to `sourceId` onto `targetId`. Call inside the merge transaction,
 * with both customer rows locked.
 */
export async function moveCustomerData(trx: Transaction<DB>, sourceId: number, targetId: number): Promise<MergeCounts> {
  // Phones: skip those whose E.164 the target already has; moved ones are never primary if the target has one.
  const targetHasPrimary = await trx
    .selectFrom('customer_phones')
    .select('id')
    .where('customer_id', '=', targetId)
    .where('is_primary', '=', true)
    .executeTakeFirst();
  const phones = await trx
    .updateTable('customer_phones')
    .set(targetHasPrimary ? { customer_id: targetId, is_primary: false } : { customer_id: targetId })
    .where('customer_id', '=', sourceId)
    .where((eb) =>
      eb.or([
        eb('e164', 'is', null),
        eb.not(
          eb.exists(
            eb
              .selectFrom('customer_phones as t')
              .select('t.id')
              .where('t.customer_id', '=', targetId)
              .whereRef('t.e164', '=', 'customer_phones.e164'),
          ),
        ),
      ]),
    )
    .executeTakeFirst();

  // Emails: skip those the target already has (case-insensitive).
  const emails = await trx
    .updateTable('customer_emails')
    .set({ customer_id: targetId })
    .where('customer_id', '=', sourceId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('customer_emails as t')
            .select('t.id')
            .where('t.customer_id', '=', targetId)
            .where(sql<boolean>`lower(t.email) = lower(customer_emails.email)`),
        ),
      ),
    )
    .executeTakeFirst();

  // Relations: drop the ones between source and target (they would become self-relations),
  // and the ones that would duplicate a relation the target already has; then repoint the rest.
  await trx
    .deleteFrom('customer_relations')
    .where((eb) =>
      eb.or([
        eb.and([eb('from_customer_id', '=', sourceId), eb('to_customer_id', '=', targetId)]),
        eb.and([eb('from_customer_id', '=', targetId), eb('to_customer_id', '=', sourceId)]),
      ]),
    )
    .execute();
  // The same rule on each side: the source's end of a relation moves to the target unless the
  // target already has that relation with the same other customer.
  const sides = [
    ['from_customer_id', 'to_customer_id'],
    ['to_customer_id', 'from_customer_id'],
  ] as const;
  for (const [end, other] of sides) {
    await trx
      .deleteFrom('customer_relations as r')
      .where(`r.${end}`, '=', sourceId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('customer_relations as t')
            .select('t.id')
            .where(`t.${end}`, '=', targetId)
            .whereRef(`t.${other}`, '=', `r.${other}`)
            .whereRef('t.kind', '=', 'r.kind'),
        ),
      )
      .execute();
  }
  const relOut = await trx.updateTable('customer_relations').set({ from_customer_id: targetId }).where('from_customer_id', '=', sourceId).executeTakeFirst();
  const relIn = await trx.updateTable('customer_relations').set({ to_customer_id: targetId }).where('to_customer_id', '=', sourceId).executeTakeFirst();

  const businessRecords = await trx.updateTable('business_records').set({ customer_id: targetId }).where('customer_id', '=', sourceId).executeTakeFirst();
  const holdings = await trx.updateTable('holdings').set({ customer_id: targetId }).where('customer_id', '=', sourceId).executeTakeFirst();

  // The source's history (calls, tickets, follow-ups, offers shown) becomes the target's.
  const calls = await trx.updateTable('calls').set({ customer_id: targetId }).where('customer_id', '=', sourceId).executeTakeFirst();
  const tickets = await trx.updateTable('tickets').set({ customer_id: targetId }).where('customer_id', '=', sourceId).executeTakeFirst();
  const followUps = await trx.updateTable('follow_ups').set({ customer_id: targetId }).where('customer_id', '=', sourceId).executeTakeFirst();
  await trx.updateTable('cross_sell_prompts').set({ customer_id: targetId }).where('customer_id', '=', sourceId).execute();

  return {
    phones: n(phones),
    emails: n(emails),
    relations: n(relOut) + n(relIn),
    businessRecords: n(businessRecords),
    holdings: n(holdings),
    calls: n(calls),
    tickets: n(tickets),
    followUps: n(followUps),
  };
}
