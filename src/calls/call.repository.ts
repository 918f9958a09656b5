import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { AttemptResult, CallsTable, DB } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

/** The first write of a call; a second offer of the same call finds the row there and adds nothing. */
export function insertCall(trx: Q, values: Insertable<CallsTable>) {
  return trx.insertInto('calls').values(values).onConflict((oc) => oc.columns(['source', 'external_id']).doNothing()).execute();
}

export function updateCall(trx: Q, id: string, values: Updateable<CallsTable>) {
  return trx.updateTable('calls').set({ ...values, updated_at: new Date() }).where('id', '=', id).execute();
}

export function findCallRow(db: Q, id: string) {
  return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findCallRowByExternal(db: Q, source: string, externalId: string) {
  return db.selectFrom('calls').selectAll().where('source', '=', source as CallsTable['source']).where('external_id', '=', externalId).executeTakeFirst();
}

export function lockCallRow(trx: Transaction<DB>, id: string) {
  return trx.selectFrom('calls').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function insertAttempt(trx: Q, row: { call_id: string; agent_id: number; rang_at: Date }) {
  return trx.insertInto('call_attempts').values(row).execute();
}

export function finishAttempt(trx: Q, callId: string, agentId: number, result: AttemptResult, at: Date) {
  return trx
    .updateTable('call_attempts')
    .set({ ended_at: at, result })
    .where('call_id', '=', callId)
    .where('agent_id', '=', agentId)
    .where('ended_at', 'is', null)
    .execute();
}

export function markLastContact(trx: Q, customerId: number, at: Date) {
  return trx
    .updateTable('customers')
    .set({ last_contact_at: at })
    .where('id', '=', customerId)
    .where((eb) => eb.or([eb('last_contact_at', 'is', null), eb('last_contact_at', '<', at)]))
    .execute();
}

/** Calls still open in the log whose node is not among `liveNodes` (that node stopped or was lost). */
export function findOrphanedCalls(db: Q, liveNodes: readonly string[]) {
  let q = db.selectFrom('calls').select(['id', 'status', 'agent_id', 'answered_at', 'queued_at', 'offered_at', 'node_id', 'source', 'external_id']).where('ended_at', 'is', null);
  if (liveNodes.length) q = q.where('node_id', 'not in', liveNodes);
  return q.limit(500).execute();
}

/** Closes an orphaned call if it is still open (another node may have closed it meanwhile). */
export function closeOrphanedCall(trx: Q, id: string, values: Updateable<CallsTable>) {
  return trx
    .updateTable('calls')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .returning(['id', 'customer_id', 'agent_id', 'queue_id', 'status'])
    .executeTakeFirst();
}

/** Seconds between two instants, with millisecond precision, for the numeric(10,3) columns. */
export const secondsBetween = (from: number, to: number) => Math.max(0, (to - from) / 1000).toFixed(3);

export const nowSql = sql<Date>`now()`;

/** A customer's calls, newest first, before a point in time (the pop shows the latest 20; this pages the rest). */
export function findCustomerCalls(db: Q, customerId: number, opts: { before?: Date; limit: number }) {
  let q = db
    .selectFrom('calls as k')
    .leftJoin('agents as a', 'a.id', 'k.agent_id')
    .select(['k.id', 'k.offered_at', 'k.direction', 'k.queue_id', 'a.name as agent_name', 'k.status', 'k.disposition', 'k.notes', 'k.talk_seconds', 'k.wait_seconds'])
    .where('k.customer_id', '=', customerId)
    .where('k.ended_at', 'is not', null);
  if (opts.before) q = q.where('k.offered_at', '<', opts.before);
  return q.orderBy('k.offered_at', 'desc').limit(opts.limit).execute();
}

/** The call log for integrators: a time window, optionally one queue or status, oldest first. */
export function listCalls(db: Q, f: { since: Date; until: Date; queueId?: string; status?: CallsTable['status']; limit: number; offset: number }) {
  let q = db.selectFrom('calls').selectAll().where('offered_at', '>=', f.since).where('offered_at', '<', f.until);
  if (f.queueId) q = q.where('queue_id', '=', f.queueId);
  if (f.status) q = q.where('status', '=', f.status);
  return q.orderBy('offered_at').orderBy('id').limit(f.limit).offset(f.offset).execute();
}

/**
 * Stores a wrap-up with its audit row in one statement, if the call is ended, not wrapped up yet
 * and (when `agentId` is given) that agent's. After-call work ends now, or when the queue's
 * automatic wrap-up ran out before. Returns the call's agent, or undefined when nothing matched.
 */
export async function wrapUpCall(
  db: Q,
  w: { callId: string; agentId: number | null; disposition: string; notes: string | null; actorId: string; actorRole: string },
): Promise<{ agent_id: number | null } | undefined> {
  const after = JSON.stringify({ disposition: w.disposition, notes: w.notes });
  const res = await sql<{ agent_id: number | null }>`WITH old AS (
      SELECT k.id, k.disposition, k.notes, k.ended_at, k.wrap_seconds, COALESCE(q.wrap_up_seconds, 0) AS auto
      FROM calls k LEFT JOIN queues q ON q.id = k.queue_id
      WHERE k.id = ${w.callId} AND k.status = 'ended' AND k.wrapped_up_at IS NULL AND (${w.agentId}::bigint IS NULL OR k.agent_id = ${w.agentId}::bigint)
      FOR UPDATE OF k
    ), u AS (
      UPDATE calls k SET disposition = ${w.disposition}, notes = ${w.notes}, wrapped_up_at = now(), wrapped_up_by = ${w.actorId}, updated_at = now(),
        wrap_seconds = COALESCE(old.wrap_seconds, round(extract(epoch FROM
          (CASE WHEN old.auto > 0 THEN LEAST(now(), old.ended_at + make_interval(secs => old.auto)) ELSE now() END) - old.ended_at)::numeric, 3))
      FROM old WHERE k.id = old.id
      RETURNING k.id, k.agent_id, old.disposition AS before_disposition, old.notes AS before_notes
    ), a AS (
      INSERT INTO audit_log (actor, actor_role, action, entity, entity_id, before, after)
      SELECT ${w.actorId}, ${w.actorRole}, 'call.wrap_up', 'call', ${w.callId}, jsonb_build_object('disposition', before_disposition, 'notes', before_notes), ${after}::jsonb FROM u
    ) SELECT agent_id FROM u`.execute(db);
  return res.rows[0];
}
