import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { checkRecordTarget } from '../calls/record-target.ts';
import type { TicketInput } from '../realtime/events.ts';
import { AppError } from '../shared/errors.ts';
import { enqueueWebhook } from '../webhooks/webhook.repository.ts';

/** Tickets opened from calls (or on their own), each with its audit row and ticket.created webhook. */
export class TicketService {
  private readonly db: Kysely<DB>;
  private readonly webhookUrls: readonly string[];

  constructor(db: Kysely<DB>, webhookUrls: readonly string[]) {
    this.db = db;
    this.webhookUrls = webhookUrls;
  }

  /** `agentId`: the agent making it (an agent may only attach their own calls); null for supervisors and integrators. */
  async create(actor: Actor, agentId: string | null, input: TicketInput) {
    const subject = input.subject.trim();
    if (!subject) throw new AppError('VALIDATION_FAILED', 'subject must not be blank', { field: 'subject' });
    return this.db.transaction().execute(async (trx) => {
      await checkRecordTarget(trx, input, agentId);
      const ticket = await trx
        .insertInto('tickets')
        .values({
          customer_id: input.customerId,
          call_id: input.callId ?? null,
          subject,
          description: input.description?.trim() || null,
          category: input.category,
          priority: input.priority ?? 'normal',
          agent_id: agentId === null ? null : Number(agentId),
          created_by: actor.id,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'ticket.create', entity: 'ticket', entityId: ticket.id, after: ticket });
      await enqueueWebhook(trx, this.webhookUrls, 'ticket.created', {
        id: ticket.id,
        customerId: ticket.customer_id,
        callId: ticket.call_id,
        subject: ticket.subject,
        category: ticket.category,
        priority: ticket.priority,
        createdAt: ticket.created_at,
      });
      return { id: Number(ticket.id), customerId: Number(ticket.customer_id), callId: ticket.call_id, subject, category: ticket.category, priority: ticket.priority, status: ticket.status, createdAt: ticket.created_at };
    });
  }

  /** A customer's tickets, newest first (the pop shows the open ones; this is the rest). */
  list(customerId: number, opts: { status?: 'open' | 'pending' | 'closed'; limit: number; offset: number }) {
    let q = this.db.selectFrom('tickets').selectAll().where('customer_id', '=', customerId);
    if (opts.status) q = q.where('status', '=', opts.status);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute();
  }
}
