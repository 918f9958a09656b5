import { sql, type Kysely, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.ts';
import { preparedMarker } from '../db/database.ts';
import { POP_LIMITS, RECENT_COMPLAINT_DAYS } from './pop.types.ts';

type Q = Kysely<DB> | Transaction<DB>;
const L = POP_LIMITS;

/**
 * Everything a pop shows about one customer, in one statement (one round trip): the profile and
 * each list as a JSON array capped one past its limit, so the caller can tell there is more.
 */
export function findPopCustomer(db: Q, customerId: number) {
  return db
    .selectFrom('customers as c')
    .where('c.id', '=', customerId)
    .where('c.deleted_at', 'is', null)
    .select((eb) => [
      sql<boolean>`${sql.raw(preparedMarker('pop-customer'))} true`.as('prepared'),
      'c.id',
      'c.customer_number',
      'c.kind',
      'c.display_name',
      'c.first_name',
      'c.last_name',
      'c.company_name',
      'c.value_segment',
      'c.lifetime_value',
      'c.language',
      'c.tags',
      sql<string | null>`left(c.notes, ${L.notes})`.as('notes'),
      sql<string | null>`c.customer_since::text`.as('customer_since'),
      'c.provisional',
      jsonArrayFrom(
        eb
          .selectFrom('customer_phones as p')
          .select(['p.label', 'p.raw', 'p.e164', 'p.is_primary'])
          .whereRef('p.customer_id', '=', 'c.id')
          .orderBy('p.is_primary', 'desc')
          .orderBy('p.id')
          .limit(L.phones),
      ).as('phones'),
      jsonArrayFrom(
        eb.selectFrom('customer_emails as e').select(['e.label', 'e.email']).whereRef('e.customer_id', '=', 'c.id').orderBy('e.id').limit(L.emails),
      ).as('emails'),
      jsonArrayFrom(
        eb
          .selectFrom('customer_relations as r')
          .innerJoin('customers as o', 'o.id', 'r.to_customer_id')
          .select(['r.kind', 'o.id as customer_id', 'o.display_name', 'o.customer_number'])
          .whereRef('r.from_customer_id', '=', 'c.id')
          .orderBy('r.id')
          .limit(L.relations),
      ).as('relations_out'),
      jsonArrayFrom(
        eb
          .selectFrom('customer_relations as r')
          .innerJoin('customers as o', 'o.id', 'r.from_customer_id')
          .select(['r.kind', 'o.id as customer_id', 'o.display_name', 'o.customer_number'])
          .whereRef('r.to_customer_id', '=', 'c.id')
          .orderBy('r.id')
          .limit(L.relations),
      ).as('relations_in'),
      jsonArrayFrom(
        eb
          .selectFrom('holdings as h')
          .select(['h.product_code', 'h.product_name', 'h.status', sql<string>`h.since::text`.as('since')])
          .whereRef('h.customer_id', '=', 'c.id')
          .orderBy('h.id')
          .limit(L.holdings),
      ).as('holdings'),
      jsonArrayFrom(
        eb
          .selectFrom('calls as k')
          .leftJoin('agents as a', 'a.id', 'k.agent_id')
          .select([
            'k.id',
            'k.offered_at',
            'k.direction',
            'k.queue_id',
            'a.name as agent_name',
            'k.status',
            'k.disposition',
            sql<string | null>`left(k.notes, ${L.interactionNotes})`.as('notes'),
            'k.talk_seconds',
          ])
          .whereRef('k.customer_id', '=', 'c.id')
          .where('k.ended_at', 'is not', null)
          .orderBy('k.offered_at', 'desc')
          .limit(L.interactions + 1),
      ).as('interactions'),
      jsonArrayFrom(
        eb
          .selectFrom('tickets as t')
          .select(['t.id', 't.subject', 't.category', 't.priority', 't.status', 't.created_at'])
          .whereRef('t.customer_id', '=', 'c.id')
          .where('t.status', '<>', 'closed')
          .orderBy('t.created_at', 'desc')
          .limit(L.openTickets + 1),
      ).as('open_tickets'),
      jsonArrayFrom(
        eb
          .selectFrom('tickets as t')
          .select(['t.id', 't.subject', 't.category', 't.priority', 't.status', 't.created_at'])
          .whereRef('t.customer_id', '=', 'c.id')
          .where('t.category', '=', 'complaint')
          .where('t.created_at', '>', sql<Date>`now() - make_interval(days => ${RECENT_COMPLAINT_DAYS})`)
          .orderBy('t.created_at', 'desc')
          .limit(L.recentComplaints),
      ).as('recent_complaints'),
      jsonArrayFrom(
        eb
          .selectFrom('business_records as b')
          .select(['b.kind', 'b.reference', 'b.title', 'b.amount', 'b.currency', 'b.status', 'b.occurred_at'])
          .whereRef('b.customer_id', '=', 'c.id')
          .orderBy('b.occurred_at', 'desc')
          .orderBy('b.id', 'desc')
          .limit(L.businessRecords + 1),
      ).as('business_records'),
      jsonArrayFrom(
        eb
          .selectFrom('follow_ups as f')
          .select(['f.id', sql<string>`f.due_date::text`.as('due_date'), sql<string>`left(f.note, ${L.followUpNote})`.as('note'), 'f.assignee_agent_id', 'f.status'])
          .whereRef('f.customer_id', '=', 'c.id')
          .where('f.status', '=', 'pending')
          .orderBy('f.due_date')
          .orderBy('f.id')
          .limit(L.followUps + 1),
      ).as('follow_ups'),
    ])
    .executeTakeFirst();
}

export type PopCustomerRow = NonNullable<Awaited<ReturnType<typeof findPopCustomer>>>;
