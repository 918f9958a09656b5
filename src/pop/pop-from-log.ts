import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { QueueService } from '../routing/queue.service.ts';
import { loadPopCustomer } from './pop.builder.ts';
import type { Pop } from './pop.types.ts';

/**
 * The pop of a call that is no longer live (a desktop reconnecting during wrap-up), rebuilt from
 * the call log: the same customer, candidates and the prompts that were shown.
 */
export async function popFromLog(db: Kysely<DB>, queues: QueueService, callId: string): Promise<Pop | null> {
  const row = await db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
  if (!row) return null;
  const [customer, candidates, prompts] = await Promise.all([
    row.customer_id === null ? null : loadPopCustomer(db, Number(row.customer_id)),
    row.candidate_ids.length
      ? db
          .selectFrom('customers')
          .select(['id', 'customer_number', 'display_name', 'company_name', 'value_segment'])
          .where('id', 'in', row.candidate_ids.map(Number))
          .execute()
      : [],
    db
      .selectFrom('cross_sell_prompts as p')
      .innerJoin('cross_sell_rules as r', 'r.id', 'p.rule_id')
      .select(['r.id', 'r.product_code', 'r.product_name', 'r.script', 'r.priority'])
      .where('p.call_id', '=', callId)
      .orderBy('r.priority', 'desc')
      .execute(),
  ]);
  const queue = queues.get(row.queue_id ?? '');
  const queuedAt = (row.queued_at ?? row.offered_at).getTime();
  return {
    call: {
      id: row.id,
      source: row.source,
      externalId: row.external_id,
      from: { raw: row.from_raw, e164: row.from_e164 },
      callerName: row.caller_name,
      withheld: row.withheld,
      dialledNumber: row.dialled_number,
      redirectingNumber: row.redirecting_number,
      queue: { id: row.queue_id ?? '', name: queue?.name ?? row.queue_id ?? '' },
      priority: row.priority,
      offeredAt: row.offered_at.toISOString(),
      waitSeconds: row.wait_seconds === null ? (Date.now() - queuedAt) / 1000 : Number(row.wait_seconds),
      attempt: row.ring_attempts,
      ringTimeoutSeconds: queue?.ringTimeoutSeconds ?? 0,
    },
    match: {
      outcome: row.match_outcome,
      matchedOn: null,
      candidates: candidates.map((c) => ({
        id: Number(c.id),
        customerNumber: c.customer_number,
        displayName: c.display_name,
        companyName: c.company_name,
        valueSegment: c.value_segment,
        phoneLabel: '',
        matchedOn: 'e164' as const,
      })),
    },
    customer,
    historyAvailable: true,
    prompts: prompts.map((p) => ({ ruleId: Number(p.id), productCode: p.product_code, productName: p.product_name, script: p.script, priority: p.priority })),
  };
}
