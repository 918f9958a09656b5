// Some history for Ada Lovelace, so the first pop a newcomer sees shows what a pop is for: past
// calls with their wrap-up notes, an open ticket, a recent complaint and a follow-up due today.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { finishAttempt, insertAttempt, insertCall, markLastContact, secondsBetween } from '../calls/call.repository.ts';
import type { CustomerService } from '../customers/customer.service.ts';
import { localDate, type FollowUpService } from '../follow-ups/follow-up.service.ts';
import { priorityForSegment } from '../routing/agent-selection.ts';
import type { QueueService } from '../routing/queue.service.ts';
import type { TicketService } from '../tickets/ticket.service.ts';

export interface DemoHistoryDeps {
  readonly db: Kysely<DB>;
  readonly customers: CustomerService;
  readonly queues: QueueService;
  readonly tickets: TicketService;
  readonly followUps: FollowUpService;
}

export const ADA_NUMBER = '+1 415 555 0123';
const DAY = 86_400_000;

interface PastCall {
  daysAgo: number;
  waitSeconds: number;
  talkSeconds: number;
  wrapSeconds: number;
  disposition: string;
  notes: string;
}

const PAST_CALLS: PastCall[] = [
  {
    daysAgo: 21,
    waitSeconds: 34,
    talkSeconds: 412,
    wrapSeconds: 55,
    disposition: 'complaint',
    notes: 'Charged a foreign transaction fee on a trip to Paris although her Premier account waives it. Very unhappy; opened a complaint, refund to be confirmed by the back office.',
  },
  {
    daysAgo: 6,
    waitSeconds: 12,
    talkSeconds: 318,
    wrapSeconds: 41,
    disposition: 'callback-requested',
    notes: 'Asked about the mortgage refinancing quote Q-2025-1187. Prefers a fixed rate over 10 years; promised a call back with the fixed-rate figures.',
  },
];

/** A past answered and wrapped-up call, written as the call log would have it, with its audit row. */
async function insertPastCall(d: DemoHistoryDeps, actor: Actor, c: PastCall, ctx: { customerId: number; segment: string; agentId: string; queueId: string }) {
  const id = randomUUID();
  const offered = Date.now() - c.daysAgo * DAY - 3 * 3_600_000;
  const answered = offered + c.waitSeconds * 1000;
  const ended = answered + c.talkSeconds * 1000;
  const wrapped = ended + c.wrapSeconds * 1000;
  await d.db.transaction().execute(async (trx) => {
    await insertCall(trx, {
      id,
      source: 'api',
      external_id: `demo-history-${id}`,
      from_raw: ADA_NUMBER,
      from_e164: ADA_NUMBER.replace(/\s/g, ''),
      dialled_number: '8000',
      queue_id: ctx.queueId,
      priority: priorityForSegment(ctx.segment),
      match_outcome: 'single',
      customer_id: ctx.customerId,
      agent_id: Number(ctx.agentId),
      status: 'ended',
      queued: true,
      hangup_by: 'caller',
      end_reason: 'caller_hangup',
      ring_attempts: 1,
      offered_at: new Date(offered),
      queued_at: new Date(offered),
      first_ring_at: new Date(answered - 4000),
      answered_at: new Date(answered),
      ended_at: new Date(ended),
      pop_acked_at: new Date(answered - 3990),
      wait_seconds: secondsBetween(offered, answered),
      ring_seconds: '4.000',
      talk_seconds: secondsBetween(answered, ended),
      wrap_seconds: secondsBetween(ended, wrapped),
      disposition: c.disposition,
      notes: c.notes,
      wrapped_up_at: new Date(wrapped),
      wrapped_up_by: actor.id,
      node_id: 'demo-seed',
    });
    await insertAttempt(trx, { call_id: id, agent_id: Number(ctx.agentId), rang_at: new Date(answered - 4000) });
    await finishAttempt(trx, id, Number(ctx.agentId), 'answered', new Date(answered));
    await markLastContact(trx, ctx.customerId, new Date(offered));
    await recordAudit(trx, actor, { action: 'call.demo_history', entity: 'call', entityId: id, after: { customerId: ctx.customerId, disposition: c.disposition } });
  });
  return id;
}

/** Ada's history; false when Ada is not in the store as the demo seed made her (another default country). */
export async function seedAdaHistory(d: DemoHistoryDeps, actor: Actor, agentId: string): Promise<boolean> {
  const found = await d.customers.lookupByPhone(ADA_NUMBER);
  const ada = found.outcome === 'single' ? found.matches[0] : undefined;
  const queue = d.queues.get('support');
  if (!ada || ada.displayName !== 'Ada Lovelace' || !queue) return false;
  const ctx = { customerId: ada.id, segment: ada.valueSegment, agentId, queueId: queue.id };
  const [complaintCall, refinancingCall] = [await insertPastCall(d, actor, PAST_CALLS[0]!, ctx), await insertPastCall(d, actor, PAST_CALLS[1]!, ctx)];

  await d.tickets.create(actor, null, {
    customerId: ada.id,
    callId: complaintCall,
    subject: 'Refund the foreign transaction fee charged on a Premier account',
    description: 'Premier accounts carry no foreign transaction fees; the fee of 3 % on the Paris trip was charged in error.',
    category: 'complaint',
    priority: 'high',
  });
  await d.tickets.create(actor, null, {
    customerId: ada.id,
    callId: refinancingCall,
    subject: 'Fixed-rate figures for refinancing quote Q-2025-1187',
    category: 'request',
    priority: 'normal',
  });
  await d.followUps.create(actor, null, {
    customerId: ada.id,
    callId: refinancingCall,
    dueDate: localDate(Date.now(), queue.timeZone),
    note: 'Call Ada back with the 10-year fixed-rate figures for Q-2025-1187.',
    assigneeAgentId: agentId,
  });
  return true;
}
