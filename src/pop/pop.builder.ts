import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { inverseRelation } from '../customers/customer.service.ts';
import { findPopCustomer, type PopCustomerRow } from './pop.repository.ts';
import { POP_LIMITS, type PopCustomer, type PopInteraction, type PopTicket } from './pop.types.ts';

const cut = <T>(list: T[], limit: number) => ({ items: list.slice(0, limit), more: list.length > limit });
const seconds = (v: string | number | null) => (v === null ? null : Number(v));

function toTicket(t: { id: number; subject: string; category: string; priority: string; status: string; created_at: string }): PopTicket {
  return { id: Number(t.id), subject: t.subject, category: t.category, priority: t.priority, status: t.status, createdAt: t.created_at };
}

/** A call in a customer's history, from the pop's JSON row or a REST page's row. */
export function toInteraction(k: {
  id: string;
  offered_at: string | Date;
  direction: 'inbound' | 'outbound';
  queue_id: string | null;
  agent_name: string | null;
  status: string;
  disposition: string | null;
  notes: string | null;
  talk_seconds: string | number | null;
}): PopInteraction {
  return {
    callId: k.id,
    at: typeof k.offered_at === 'string' ? k.offered_at : k.offered_at.toISOString(),
    direction: k.direction,
    queueId: k.queue_id,
    agentName: k.agent_name,
    status: k.status,
    disposition: k.disposition,
    notes: k.notes,
    talkSeconds: seconds(k.talk_seconds),
  };
}

export function toPopCustomer(r: PopCustomerRow): PopCustomer {
  const interactions = cut(r.interactions, POP_LIMITS.interactions);
  const openTickets = cut(r.open_tickets, POP_LIMITS.openTickets);
  const records = cut(r.business_records, POP_LIMITS.businessRecords);
  const followUps = cut(r.follow_ups, POP_LIMITS.followUps);
  const relations = [
    ...r.relations_out.map((x) => ({ ...x, kind: x.kind as string })),
    ...r.relations_in.map((x) => ({ ...x, kind: inverseRelation(x.kind) })),
  ].slice(0, POP_LIMITS.relations);
  return {
    id: Number(r.id),
    customerNumber: r.customer_number,
    kind: r.kind,
    displayName: r.display_name,
    firstName: r.first_name,
    lastName: r.last_name,
    companyName: r.company_name,
    valueSegment: r.value_segment,
    lifetimeValue: String(r.lifetime_value),
    language: r.language,
    tags: r.tags,
    notes: r.notes,
    customerSince: r.customer_since,
    provisional: r.provisional,
    phones: r.phones.map((p) => ({ label: p.label, raw: p.raw, e164: p.e164, isPrimary: p.is_primary })),
    emails: r.emails.map((e) => ({ label: e.label, email: e.email })),
    relations: relations.map((x) => ({ kind: x.kind, customerId: Number(x.customer_id), displayName: x.display_name, customerNumber: x.customer_number })),
    holdings: r.holdings.map((h) => ({ productCode: h.product_code, productName: h.product_name, status: h.status, since: h.since })),
    interactions: interactions.items.map(toInteraction),
    openTickets: openTickets.items.map(toTicket),
    recentComplaints: r.recent_complaints.map(toTicket),
    businessRecords: records.items.map((b) => ({
      kind: b.kind,
      reference: b.reference,
      title: b.title,
      amount: b.amount === null ? null : String(b.amount),
      currency: b.currency,
      status: b.status,
      occurredAt: b.occurred_at,
    })),
    followUps: followUps.items.map((f) => ({ id: Number(f.id), dueDate: f.due_date, note: f.note, assigneeAgentId: String(f.assignee_agent_id), status: f.status })),
    more: { interactions: interactions.more, openTickets: openTickets.more, businessRecords: records.more, followUps: followUps.more },
  };
}

/** Reads the customer part of a pop; null when the customer does not exist (or was deleted). */
export async function loadPopCustomer(db: Kysely<DB>, customerId: number): Promise<PopCustomer | null> {
  const row = await findPopCustomer(db, customerId);
  return row ? toPopCustomer(row) : null;
}
