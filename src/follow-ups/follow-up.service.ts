import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { checkRecordTarget } from '../calls/record-target.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { FollowUpInput } from '../realtime/events.ts';
import { AppError } from '../shared/errors.ts';

/** YYYY-MM-DD of `now` in a time zone. */
export function localDate(now: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function validDate(d: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return false;
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
}

/** Follow-ups: promised calls back and tasks, per agent, delegable when an agent is away. */
export class FollowUpService {
  private readonly db: Kysely<DB>;
  private readonly agents: AgentService;

  constructor(db: Kysely<DB>, agents: AgentService) {
    this.db = db;
    this.agents = agents;
  }

  async create(actor: Actor, agentId: string | null, input: FollowUpInput) {
    if (!validDate(input.dueDate)) throw new AppError('VALIDATION_FAILED', `dueDate "${input.dueDate}" is not a date (YYYY-MM-DD)`, { field: 'dueDate' });
    const note = input.note.trim();
    if (!note) throw new AppError('VALIDATION_FAILED', 'note must not be blank', { field: 'note' });
    const assignee = input.assigneeAgentId ?? agentId;
    if (assignee === null) throw new AppError('VALIDATION_FAILED', 'assigneeAgentId is needed when the key is not an agent\'s', { field: 'assigneeAgentId' });
    if (!this.agents.get(assignee)) throw new AppError('AGENT_NOT_FOUND', `No agent ${assignee}`);
    return this.db.transaction().execute(async (trx) => {
      await checkRecordTarget(trx, input, agentId);
      const row = await trx
        .insertInto('follow_ups')
        .values({ customer_id: input.customerId, call_id: input.callId ?? null, assignee_agent_id: Number(assignee), due_date: input.dueDate, note, created_by: actor.id })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'follow_up.create', entity: 'follow_up', entityId: row.id, after: row });
      return { id: Number(row.id), customerId: Number(row.customer_id), assigneeAgentId: String(row.assignee_agent_id), dueDate: input.dueDate, note, status: row.status };
    });
  }

  /** An agent's pending follow-ups due on `date` or earlier (overdue ones stay on the list). */
  async dueBy(agentId: string, date: string) {
    if (!validDate(date)) throw new AppError('VALIDATION_FAILED', `date "${date}" is not a date (YYYY-MM-DD)`, { field: 'date' });
    const rows = await this.db
      .selectFrom('follow_ups as f')
      .innerJoin('customers as c', 'c.id', 'f.customer_id')
      .select(['f.id', 'f.customer_id', 'c.display_name', 'c.customer_number', 'f.call_id', 'f.note', 'f.status', 'f.delegated_from_agent_id'])
      .select((eb) => eb.cast<string>('f.due_date', 'text').as('due_date'))
      .where('f.assignee_agent_id', '=', Number(agentId))
      .where('f.status', '=', 'pending')
      .where('f.due_date', '<=', date)
      .orderBy('f.due_date')
      .orderBy('f.id')
      .limit(200)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      customerId: Number(r.customer_id),
      customerName: r.display_name,
      customerNumber: r.customer_number,
      callId: r.call_id,
      dueDate: r.due_date,
      note: r.note,
      overdue: r.due_date < date,
      delegatedFromAgentId: r.delegated_from_agent_id === null ? null : String(r.delegated_from_agent_id),
    }));
  }

  /** Marks a follow-up done (its assignee, or a supervisor). */
  async complete(actor: Actor, agentId: string | null, id: number) {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('follow_ups').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw new AppError('NOT_FOUND', `No follow-up ${id}`);
      if (agentId !== null && String(before.assignee_agent_id) !== agentId) throw new AppError('FORBIDDEN', `Follow-up ${id} is not assigned to you`);
      if (before.status !== 'pending') throw new AppError('INVALID_STATE', `Follow-up ${id} is ${before.status} already`);
      const after = await trx.updateTable('follow_ups').set({ status: 'done', done_at: new Date(), updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'follow_up.complete', entity: 'follow_up', entityId: id, before, after });
      return { id, status: after.status };
    });
  }

  /** Hands an absent agent's pending follow-ups to another agent; returns how many moved. */
  async delegate(actor: Actor, fromAgentId: string, toAgentId: string) {
    if (fromAgentId === toAgentId) throw new AppError('VALIDATION_FAILED', 'Delegate to a different agent');
    for (const id of [fromAgentId, toAgentId]) if (!this.agents.get(id)) throw new AppError('AGENT_NOT_FOUND', `No agent ${id}`);
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('follow_ups')
        .set({ assignee_agent_id: Number(toAgentId), delegated_from_agent_id: Number(fromAgentId), updated_at: new Date() })
        .where('assignee_agent_id', '=', Number(fromAgentId))
        .where('status', '=', 'pending')
        .returning('id')
        .execute();
      await recordAudit(trx, actor, {
        action: 'follow_up.delegate',
        entity: 'agent',
        entityId: fromAgentId,
        after: { to: toAgentId, followUps: moved.map((r) => Number(r.id)) },
      });
      return { moved: moved.length, to: toAgentId };
    });
  }
}
