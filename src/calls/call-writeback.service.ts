import type { Kysely } from 'kysely';
import type { DB, PromptOutcome } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { CrossSellService } from '../cross-sell/cross-sell.service.ts';
import { loadPopCustomer } from '../pop/pop.builder.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { QueueService } from '../routing/queue.service.ts';
import type { WrapUpInput } from '../realtime/events.ts';
import { AppError } from '../shared/errors.ts';
import type { CallLog } from './call-log.ts';
import { findCallRow, wrapUpCall } from './call.repository.ts';
import type { CallNotifier } from './call.types.ts';
import type { CallService } from './call.service.ts';

export const NOTES_MAX = 5000;

/**
 * What an agent writes back about a call: the customer on it, the wrap-up, cross-sell outcomes.
 * Each write is one transaction with its audit row; the caller hears success or a coded error.
 */
export class CallWritebackService {
  private readonly db: Kysely<DB>;
  private readonly d: {
    calls: CallService;
    callLog: CallLog;
    agents: AgentService;
    queues: QueueService;
    crossSell: CrossSellService;
    notifier: CallNotifier;
    dispositions: readonly string[];
  };

  constructor(db: Kysely<DB>, deps: CallWritebackService['d']) {
    this.db = db;
    this.d = deps;
  }

  /** The call's row, once its queued log writes landed; an agent may only touch their own calls. */
  private async ownCall(callId: string, agentId: string | null) {
    await this.d.callLog.idle(callId);
    const row = await findCallRow(this.db, callId);
    if (!row) throw new AppError('CALL_NOT_FOUND', `No call ${callId}`);
    if (agentId !== null && String(row.agent_id) !== agentId) throw new AppError('FORBIDDEN', `Call ${callId} is not one of your calls`);
    return row;
  }

  /** Disposition and notes after the call; the agent is ready again once it is stored. */
  async wrapUp(actor: Actor, agentId: string | null, input: WrapUpInput) {
    if (!this.d.dispositions.includes(input.disposition)) {
      throw new AppError('VALIDATION_FAILED', `Unknown disposition "${input.disposition}"; choose one of: ${this.d.dispositions.join(', ')}`, {
        field: 'disposition',
        dispositions: this.d.dispositions,
      });
    }
    const notes = input.notes?.trim() ?? '';
    if (notes.length > NOTES_MAX) throw new AppError('VALIDATION_FAILED', `Notes are limited to ${NOTES_MAX} characters (got ${notes.length}); nothing was saved`, { field: 'notes', max: NOTES_MAX });
    await this.d.callLog.idle(input.callId);
    const row =
      (await wrapUpCall(this.db, {
        callId: input.callId,
        agentId: agentId === null ? null : Number(agentId),
        disposition: input.disposition,
        notes: notes || null,
        actorId: actor.id,
        actorRole: actor.role,
      })) ?? (await this.whyNotWrappedUp(input.callId, agentId));
    const agent = row.agent_id === null ? null : String(row.agent_id);
    if (agent !== null) {
      const { state } = await this.d.agents.state(agent);
      if (state.status === 'wrap_up' && state.callId === input.callId) {
        this.d.calls.cancelWrapUpTimer(agent);
        await this.d.agents.apply(agent, { type: 'wrap_up_done', callId: input.callId }, { actor });
      }
    }
    return { callId: input.callId, disposition: input.disposition };
  }

  /** Nothing was wrapped up: the error that says why (read only on this unhappy path). */
  private async whyNotWrappedUp(callId: string, agentId: string | null): Promise<never> {
    const call = await this.ownCall(callId, agentId);
    if (call.wrapped_up_at) throw new AppError('CONFLICT', `Call ${callId} is wrapped up already`);
    if (call.status !== 'ended') {
      throw new AppError('INVALID_STATE', call.ended_at ? `Call ${callId} was not answered (${call.status}); there is nothing to wrap up` : `Call ${callId} is still in progress`);
    }
    throw new AppError('CONFLICT', `Call ${callId} changed while it was being wrapped up; try again`);
  }

  /** The agent picked the customer on the call (one of several matches, or found by search). */
  async linkCustomer(actor: Actor, agentId: string | null, input: { callId: string; customerId: number }) {
    const call = await this.ownCall(input.callId, agentId);
    const customer = await loadPopCustomer(this.db, input.customerId);
    if (!customer) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${input.customerId}`);
    const prompts = this.d.crossSell.promptsFor(customer);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('calls').set({ customer_id: input.customerId, updated_at: new Date() }).where('id', '=', input.callId).execute();
      if (prompts.length) await this.d.crossSell.recordShown(trx, input.callId, input.customerId, agentId, prompts);
      await recordAudit(trx, actor, {
        action: 'call.link_customer',
        entity: 'call',
        entityId: input.callId,
        before: { customerId: call.customer_id === null ? null : Number(call.customer_id) },
        after: { customerId: input.customerId },
      });
    });
    await this.d.calls.customerChanged(input.callId, customer, prompts);
    if (call.agent_id !== null) this.d.notifier.customerLinked(String(call.agent_id), input.callId, customer, prompts);
    return { customer, prompts };
  }

  /** What the customer said to an offer shown on the call. */
  async promptOutcome(actor: Actor, agentId: string | null, input: { callId: string; ruleId: number; outcome: PromptOutcome }) {
    const call = await this.ownCall(input.callId, agentId);
    if (call.customer_id === null) throw new AppError('INVALID_STATE', `Call ${input.callId} has no customer to make an offer to`);
    const rule = (await this.d.crossSell.list()).find((r) => r.id === input.ruleId);
    if (!rule) throw new AppError('NOT_FOUND', `No cross-sell rule ${input.ruleId}`);
    await this.d.crossSell.recordOutcome(actor, {
      callId: input.callId,
      ruleId: input.ruleId,
      customerId: Number(call.customer_id),
      agentId: call.agent_id === null ? null : String(call.agent_id),
      outcome: input.outcome,
    });
    return { ruleId: input.ruleId, outcome: input.outcome };
  }
}
