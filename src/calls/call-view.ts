import type { Selectable } from 'kysely';
import type { CallsTable } from '../db/schema.ts';
import type { CallView } from './call.types.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A call-log row as the API shows a call. */
export function rowToView(r: Selectable<CallsTable>): CallView {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    status: r.status,
    queueId: r.queue_id,
    agentId: r.agent_id === null ? null : String(r.agent_id),
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    matchOutcome: r.match_outcome,
    offeredAt: r.offered_at.toISOString(),
    answeredAt: iso(r.answered_at),
    endedAt: iso(r.ended_at),
    hangupBy: r.hangup_by,
  };
}
