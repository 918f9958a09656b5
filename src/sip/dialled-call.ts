import type { Updateable } from 'kysely';
import type { CallLog } from '../calls/call-log.ts';
import { secondsBetween, updateCall } from '../calls/call.repository.ts';
import type { CallsTable, HangupBy } from '../db/schema.ts';
import type { AgentEvent } from '../routing/agent-state.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { Logger } from '../shared/logger.ts';
import { fromHeader, uriUser } from './sip-headers.ts';
import { joinHangups } from './sip-call.ts';
import { sipStatusOf, type Dialog, type SipRequest, type SrfClient, type UnackedOffer } from './srf.ts';

export interface DialTarget {
  number: string;
  e164: string | null;
  customerId: number | null;
  name: string | null;
}

/** The agent's phone rings this long before the call is given up. */
const AGENT_RING_MS = 30_000;
/**
 * The customer's phone rings at most this long. The agent's phone answered with an offer we ACK
 * only once the customer answers, and a phone gives up on an un-ACKed 200 OK after 32 s (64 × T1).
 */
const CUSTOMER_RING_MS = 25_000;

export interface DialledCallDeps {
  srf: SrfClient;
  agents: AgentService;
  callLog: CallLog;
  log: Logger;
  wrapUpSeconds: number;
}

export interface DialledCallSpec {
  id: string;
  agent: { id: string; sipUri: string };
  /** The agent was ready and is held "ringing" for this call (their state follows the call). */
  holdsAgent: boolean;
  target: DialTarget;
  outboundUri: string;
}

/** The customer as a SIP URI through the trunk: the number as user part, the trunk's host. */
export function customerUri(outboundUri: string, number: string): string {
  const user = uriUser(number) ?? number;
  const m = /^(sips?):(?:[^@]*@)?(.*)$/i.exec(outboundUri);
  return m ? `${m[1]}:${user}@${m[2]}` : outboundUri;
}

/**
 * One click-to-dial call, third-party call control (RFC 3725 flow I): INVITE the agent without an
 * offer; their phone answers with one; INVITE the customer with it; ACK the agent with the
 * customer's answer. Each step lands in the call log.
 */
export class DialledCall {
  private readonly d: DialledCallDeps;
  private readonly s: DialledCallSpec;
  private pending: SipRequest | null = null;
  private agentOffer: UnackedOffer | null = null;
  private legs: { agent: Dialog; customer: Dialog } | null = null;
  private answeredAt: number | null = null;
  private ended = false;
  private failed = false;
  private onEnd: () => void = () => {};

  constructor(deps: DialledCallDeps, spec: DialledCallSpec) {
    this.d = deps;
    this.s = spec;
  }

  async run(): Promise<void> {
    const { srf } = this.d;
    // 1. The agent's phone, showing who will be called.
    let offer: UnackedOffer;
    try {
      offer = await this.withTimeout(AGENT_RING_MS, (track) =>
        srf.createUAC(this.s.agent.sipUri, {
          noAck: true,
          headers: {
            From: fromHeader({ number: this.s.target.number, name: this.s.target.name, withheld: false }),
            'X-Screenpop-Call-Id': this.s.id,
            ...(this.s.target.customerId !== null ? { 'X-Screenpop-Customer-Id': String(this.s.target.customerId) } : {}),
          },
        }, { cbRequest: (_e, req) => track(req) }),
      );
    } catch (err) {
      return this.fail(`agent_${reasonOf(err)}`);
    }
    if (this.ended) return void offer.destroy();
    this.agentOffer = offer;
    const ringAt = Date.now();
    this.write('customer ringing', { status: 'ringing', first_ring_at: new Date(ringAt), ring_attempts: 1 });

    // 2. The customer, offered the agent phone's media.
    let customer: Dialog;
    try {
      customer = await this.withTimeout(CUSTOMER_RING_MS, (track) =>
        srf.createUAC(customerUri(this.s.outboundUri, this.s.target.number), { localSdp: offer.sdp, headers: { From: '"screenpop" <sip:screenpop@localhost>' } }, { cbRequest: (_e, req) => track(req) }),
      );
    } catch (err) {
      this.agentOffer = null;
      void offer.destroy();
      return this.fail(`customer_${reasonOf(err)}`);
    }
    // 3. Connect: the agent's phone gets the customer's answer.
    let agent: Dialog;
    try {
      agent = await offer.ack(customer.remote.sdp);
    } catch (err) {
      void customer.destroy().catch(() => {});
      this.d.log.warn({ err: (err as Error).message }, 'connecting the agent to the customer failed');
      return this.fail('agent_failed');
    }
    this.agentOffer = null;
    if (this.ended) {
      void agent.destroy().catch(() => {});
      void customer.destroy().catch(() => {});
      return;
    }
    this.legs = { agent, customer };
    this.answeredAt = Date.now();
    await this.agentEvent({ type: 'answer', callId: this.s.id });
    this.write('answered', { status: 'answered', answered_at: new Date(this.answeredAt), ring_seconds: secondsBetween(ringAt, this.answeredAt) });
    this.d.log.info('click-to-dial connected');
    joinHangups(agent, customer);
    await new Promise<void>((resolve) => {
      this.onEnd = resolve;
      agent.on('destroy', () => void this.hungUp('agent'));
      customer.on('destroy', () => void this.hungUp('caller'));
    });
  }

  /** The service is stopping: hang up whatever is up. */
  async hangup(): Promise<void> {
    if (this.ended) return;
    if (this.legs) {
      const { agent, customer } = this.legs;
      this.legs = null;
      await Promise.all([agent.destroy().catch(() => {}), customer.destroy().catch(() => {})]);
      return this.hungUp('system');
    }
    this.ended = true;
    if (this.pending) this.pending.cancel(() => {});
    if (this.agentOffer) await this.agentOffer.destroy();
    await this.fail('service_stopped');
  }

  private async hungUp(by: HangupBy): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.legs = null;
    this.onEnd();
    const now = Date.now();
    this.write('ended', { status: 'ended', ended_at: new Date(now), hangup_by: by, end_reason: by === 'agent' ? 'agent_hangup' : by === 'caller' ? 'customer_hangup' : 'service_stopped', talk_seconds: secondsBetween(this.answeredAt ?? now, now) });
    await this.agentEvent({ type: 'hangup', callId: this.s.id }, this.d.wrapUpSeconds);
    this.scheduleWrapUpEnd();
  }

  /** The call never connected: logged as failed with why; the agent is free again (no wrap-up: nothing was said). */
  private async fail(reason: string): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    this.ended = true;
    this.d.log.info({ reason }, 'click-to-dial did not connect');
    this.write('failed', { status: 'failed', ended_at: new Date(), hangup_by: 'system', end_reason: reason });
    await this.agentEvent({ type: 'caller_gone', callId: this.s.id });
  }

  private scheduleWrapUpEnd() {
    if (!this.s.holdsAgent || this.d.wrapUpSeconds <= 0) return;
    setTimeout(() => void this.d.agents.settleExpired(this.s.agent.id, this.s.id).catch(() => {}), this.d.wrapUpSeconds * 1000 + 25).unref();
  }

  private async agentEvent(event: AgentEvent, wrapUpSeconds?: number) {
    if (!this.s.holdsAgent) return;
    try {
      await this.d.agents.apply(this.s.agent.id, event, wrapUpSeconds === undefined ? {} : { wrapUpSeconds });
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, event: event.type }, 'agent state did not follow the dialled call');
    }
  }

  private write(what: string, values: Updateable<CallsTable>) {
    void this.d.callLog.write(this.s.id, what, (db) => updateCall(db, this.s.id, values));
  }

  /** Runs one SIP leg; cancels it (CANCEL) when it rings longer than `ms` or the call is stopped. */
  private async withTimeout<T>(ms: number, start: (track: (req: SipRequest) => void) => Promise<T>): Promise<T> {
    let req: SipRequest | null = null;
    const timer = setTimeout(() => req?.cancel(() => {}), ms);
    try {
      return await start((r) => {
        req = r;
        this.pending = r;
        if (this.ended) r.cancel(() => {});
      });
    } finally {
      clearTimeout(timer);
      this.pending = null;
    }
  }
}

function reasonOf(err: unknown): string {
  const status = sipStatusOf(err);
  if (status === 487 || status === 408 || status === 480) return 'no_answer';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  return 'failed';
}
