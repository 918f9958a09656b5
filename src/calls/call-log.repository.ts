// The call log's writes. Each is ONE statement (data-modifying CTEs where several tables change),
// so it is atomic without a transaction: one round trip instead of BEGIN, statements, COMMIT.
// On the call path round trips are most of the cost of a call.
import { sql, type Insertable, type Kysely, type UpdateObject } from 'kysely';
import type { CallsTable, DB } from '../db/schema.ts';
import { auditIfChanged, type Audited } from '../audit/audit.repository.ts';

/** Webhook deliveries announcing the change, one per receiver; null when no receiver is configured. */
export interface Announce {
  readonly event: 'call.offered' | 'call.answered' | 'call.ended';
  readonly urls: readonly string[];
  readonly data: unknown;
}

/** The outbox rows of `announce`, written only if the CTE `cte` changed a row. */
function outbox(announce: Announce | null, cte: string) {
  if (!announce?.urls.length) return sql``;
  const payload = JSON.stringify({ event: announce.event, at: new Date().toISOString(), data: announce.data });
  return sql`, w AS (INSERT INTO webhook_outbox (event, url, payload)
      SELECT ${announce.event}, u, ${payload}::jsonb FROM unnest(${[...announce.urls]}::text[]) AS u
      WHERE EXISTS (SELECT 1 FROM ${sql.table(cte)}))`;
}

// `audit`: who caused the write (an integrator's call event); its audit row lands only if the call row changed.

/** The call's row (a repeated offer of the same call adds nothing), with call.offered. */
export async function writeOffered(db: Kysely<DB>, values: Insertable<CallsTable>, announce: Announce | null, audit: Audited | null = null): Promise<void> {
  const insert = db
    .insertInto('calls')
    .values(values)
    .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
    .returning('id');
  await sql`WITH c AS (${insert}) ${outbox(announce, 'c')} ${auditIfChanged('c', audit)} SELECT 1`.execute(db);
}

/** An agent's phone rings: the call, the attempt, and the offers the pop shows. */
export async function writeRinging(
  db: Kysely<DB>,
  r: { callId: string; agentId: number; rangAt: Date; firstRingAt: Date; attempts: number; prompts: { customerId: number; ruleIds: number[] } | null },
): Promise<void> {
  const prompts = r.prompts?.ruleIds.length
    ? sql`, p AS (INSERT INTO cross_sell_prompts (rule_id, call_id, customer_id, agent_id)
          SELECT rule, c.id, ${r.prompts.customerId}, ${r.agentId} FROM c, unnest(${r.prompts.ruleIds}::bigint[]) AS rule
          ON CONFLICT (call_id, rule_id) DO NOTHING)`
    : sql``;
  await sql`WITH c AS (
      UPDATE calls SET status = 'ringing', agent_id = ${r.agentId}, first_ring_at = ${r.firstRingAt}, ring_attempts = ${r.attempts}, updated_at = now()
      WHERE id = ${r.callId} RETURNING id
    ), a AS (INSERT INTO call_attempts (call_id, agent_id, rang_at) SELECT id, ${r.agentId}, ${r.rangAt} FROM c)
    ${prompts} SELECT 1`.execute(db);
}

/** The agent answered: the call, the attempt, call.answered. */
export async function writeAnswered(
  db: Kysely<DB>,
  r: { callId: string; agentId: number; at: Date; waitSeconds: string; ringSeconds: string; popAckedAt: Date | null },
  announce: Announce | null,
  audit: Audited | null = null,
): Promise<void> {
  await sql`WITH c AS (
      UPDATE calls SET status = 'answered', answered_at = ${r.at}, wait_seconds = ${r.waitSeconds}, ring_seconds = ${r.ringSeconds},
        agent_id = ${r.agentId}, pop_acked_at = COALESCE(pop_acked_at, ${r.popAckedAt}::timestamptz), updated_at = now()
      WHERE id = ${r.callId} RETURNING id
    ), a AS (
      UPDATE call_attempts SET ended_at = ${r.at}, result = 'answered' WHERE call_id = ${r.callId} AND agent_id = ${r.agentId} AND ended_at IS NULL
    ) ${outbox(announce, 'c')} ${auditIfChanged('c', audit)} SELECT 1`.execute(db);
}

/** The call's end (any outcome), the customer's last contact, call.ended. */
export async function writeEnded(
  db: Kysely<DB>,
  r: { callId: string; values: UpdateObject<DB, 'calls'>; customerId: number | null; offeredAt: Date },
  announce: Announce | null,
  audit: Audited | null = null,
): Promise<void> {
  const update = db
    .updateTable('calls')
    .set({ ...r.values, updated_at: new Date() })
    .where('id', '=', r.callId)
    // Once: a retried write whose first try committed, or a call a lost-node sweep closed meanwhile.
    .where('ended_at', 'is', null)
    .returning('id');
  const contact =
    r.customerId === null
      ? sql``
      : sql`, l AS (UPDATE customers SET last_contact_at = ${r.offeredAt}
          WHERE id = ${r.customerId} AND (last_contact_at IS NULL OR last_contact_at < ${r.offeredAt}) AND EXISTS (SELECT 1 FROM c))`;
  await sql`WITH c AS (${update}) ${contact} ${outbox(announce, 'c')} ${auditIfChanged('c', audit)} SELECT 1`.execute(db);
}
