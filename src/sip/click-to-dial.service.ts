import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { CallLog } from '../calls/call-log.ts';
import { rowToView } from '../calls/call-view.ts';
import { findCallRow, insertCall } from '../calls/call.repository.ts';
import type { CallView } from '../calls/call.types.ts';
import type { CustomerService } from '../customers/customer.service.ts';
import { maskPhone, normalisePhone } from '../customers/phone-number.ts';
import type { DB } from '../db/schema.ts';
import type { AgentRecord, AgentService } from '../routing/agent.service.ts';
import type { QueueService } from '../routing/queue.service.ts';
import { AppError } from '../shared/errors.ts';
import type { LiveState } from '../routing/live/live-state.ts';
import type { Logger } from '../shared/logger.ts';
import { DialledCall, type DialTarget } from './dialled-call.ts';
import type { SipGateway } from './sip-gateway.ts';
import type { TrunkService } from './trunk.service.ts';

export interface ClickToDialDeps {
  db: Kysely<DB>;
  /** Null when SIP is not configured. */
  sip: SipGateway | null;
  agents: AgentService;
  trunks: TrunkService;
  customers: CustomerService;
  queues: QueueService;
  callLog: CallLog;
  log: Logger;
  nodeId: string;
  /** Where the call is registered as this node's, so the lost-call sweep leaves its agent alone. */
  live: Pick<LiveState, 'registerCall' | 'unregisterCall'>;
}

export interface DialInput {
  customerId?: number;
  number?: string;
  /** Supervisors and admins dial for an agent; an agent always dials from their own phone. */
  agentId?: string;
  trunk?: string;
}

/**
 * Click-to-dial: the agent's phone is called first, then the customer through an outbound trunk,
 * and the two are connected (third-party call control through drachtio-server). Logged in the
 * call log like inbound calls (source click-to-dial, direction outbound).
 */
export class ClickToDialService {
  private readonly d: ClickToDialDeps;
  private readonly live = new Map<string, DialledCall>();

  constructor(deps: ClickToDialDeps) {
    this.d = deps;
  }

  async dial(actor: Actor, input: DialInput): Promise<CallView> {
    const sip = this.d.sip;
    if (!sip) throw new AppError('UNAVAILABLE', 'Click-to-dial needs SIP: set DRACHTIO_HOST and DRACHTIO_SECRET so screenpop can reach drachtio-server');
    if (!sip.isConnected) throw new AppError('UNAVAILABLE', 'Not connected to drachtio-server right now; try again shortly');
    const agent = this.agentFor(actor, input.agentId);
    if (!agent.sipUri) throw new AppError('INVALID_STATE', `Agent ${agent.id} has no SIP address to ring; set sipUri on the agent`);
    const trunk = this.d.trunks.outbound(input.trunk);
    if (!trunk?.outboundUri) throw new AppError('UNAVAILABLE', 'No trunk takes outbound calls: set outboundUri on a trunk');
    const target = await this.target(input, trunk.defaultCountry);

    const { state } = await this.d.agents.state(agent.id);
    if (state.status !== 'ready' && state.status !== 'not_ready') {
      throw new AppError('INVALID_STATE', `Agent ${agent.id} is ${state.status.replace('_', ' ')}; dial when ready or not ready`, { status: state.status });
    }
    const id = randomUUID();
    await this.d.live.registerCall(`id:${id}`, { callId: id, ownerNode: this.d.nodeId });
    // A ready agent is "ringing" for their own call, so no inbound call is offered to them meanwhile.
    const holdsAgent = state.status === 'ready';
    if (holdsAgent) await this.d.agents.apply(agent.id, { type: 'offer', callId: id }, { actor });
    const now = new Date();
    let row;
    try {
      row = await this.d.db.transaction().execute(async (trx) => {
        await insertCall(trx, {
          id,
          source: 'click-to-dial',
          external_id: id,
          direction: 'outbound',
          trunk: trunk.name,
          dialled_number: target.number.slice(0, 64),
          from_e164: target.e164,
          match_outcome: target.customerId === null ? 'none' : 'single',
          customer_id: target.customerId,
          agent_id: Number(agent.id),
          status: 'offered',
          offered_at: now,
          node_id: this.d.nodeId,
        });
        await recordAudit(trx, actor, { action: 'call.dial', entity: 'call', entityId: id, after: { agentId: agent.id, customerId: target.customerId, trunk: trunk.name } });
        return findCallRow(trx, id);
      });
    } catch (err) {
      if (holdsAgent) await this.d.agents.apply(agent.id, { type: 'caller_gone', callId: id }, { actor }).catch(() => {});
      await this.forget(id);
      throw err;
    }
    const call = new DialledCall(
      { srf: sip.srf, agents: this.d.agents, callLog: this.d.callLog, log: this.d.log.child({ callId: id }), wrapUpSeconds: this.d.queues.forDialled(null)?.wrapUpSeconds ?? 0 },
      { id, agent: { id: agent.id, sipUri: agent.sipUri }, holdsAgent, target, outboundUri: trunk.outboundUri },
    );
    this.live.set(id, call);
    void call.run().finally(() => {
      this.live.delete(id);
      return this.forget(id);
    });
    this.d.log.info({ callId: id, agentId: agent.id, trunk: trunk.name, to: maskPhone(target.number) }, 'click-to-dial started');
    return rowToView(row!);
  }

  private forget(id: string): Promise<void> {
    return this.d.live.unregisterCall(`id:${id}`).catch((err) => this.d.log.warn({ err, callId: id }, 'unregistering a click-to-dial call failed'));
  }

  /** Hangs up every click-to-dial call of this node (the service is stopping). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.live.values()].map((c) => c.hangup()));
  }

  private agentFor(actor: Actor, agentId: string | undefined): AgentRecord {
    if (actor.role === 'agent') {
      const self = this.d.agents.requireSelf(actor);
      if (agentId && agentId !== self.id) throw new AppError('FORBIDDEN', 'An agent dials from their own phone only');
      return self;
    }
    if (!agentId) throw new AppError('VALIDATION_FAILED', 'Name the agent whose phone dials (agentId)', { field: 'agentId' });
    const agent = this.d.agents.get(agentId);
    if (!agent) throw new AppError('AGENT_NOT_FOUND', `No agent ${agentId}`);
    return agent;
  }

  private async target(input: DialInput, country: string): Promise<DialTarget> {
    if ((input.customerId === undefined) === (input.number === undefined)) {
      throw new AppError('VALIDATION_FAILED', 'Give either customerId or number', { field: 'customerId' });
    }
    if (input.customerId !== undefined) {
      const customer = await this.d.customers.get(input.customerId);
      const phone = customer.phones[0];
      if (!phone) throw new AppError('INVALID_STATE', `Customer ${input.customerId} has no phone number`);
      return { number: phone.e164 ?? phone.raw, e164: phone.e164, customerId: customer.id, name: customer.display_name };
    }
    const n = normalisePhone(input.number!, country);
    if (!n?.e164) throw new AppError('INVALID_PHONE', 'Not a phone number that can be dialled', { field: 'number' });
    const found = await this.d.customers.lookupNormalised(n).catch(() => null);
    const single = found?.outcome === 'single' ? found.matches[0] : undefined;
    return { number: n.e164, e164: n.e164, customerId: single?.id ?? null, name: single?.displayName ?? null };
  }
}
