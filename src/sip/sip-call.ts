import type { CallService } from '../calls/call.service.ts';
import type { CallChannel, LiveCall } from '../calls/call.types.ts';
import type { HangupBy } from '../db/schema.ts';
import type { AgentRecord } from '../routing/agent.service.ts';
import type { Logger } from '../shared/logger.ts';
import { EarlyMedia } from './early-media.ts';
import { fromHeader } from './sip-headers.ts';
import { callIdOf, sipStatusOf, type Dialog, type SipMessage, type SipRequest, type SipResponse, type SrfClient } from './srf.ts';

/** One ring of one agent's phone: a B2BUA leg that is pending until answered, failed or cancelled. */
interface Attempt {
  readonly agentId: string;
  /** The call service's attempt number, so a late failure never ends a newer ring. */
  readonly serviceAttempt: number;
  uacReq: SipRequest | null;
  cancelled: boolean;
  /** The call service refused the answer (the ring had ended meanwhile): not a failure of the phone. */
  refused: boolean;
  /** The phone answered and the call service is taking the answer. */
  answering: boolean;
  /** The call service took the answer: the call is `answered` and the agent on it. */
  answered: boolean;
  /** A leg failed while the answer was being taken: the call ends once it is taken. */
  failure: string | null;
}

/** Which side of a bridged call: the caller's leg (A) or the agent's (B). */
type Leg = 'caller' | 'agent';

export interface SipCallDeps {
  srf: SrfClient;
  calls: CallService;
  log: Logger;
  /** A media server whose early media the caller hears while waiting (else ringback only). */
  earlyMediaUri?: string;
  /** Whether drachtio-server is connected: without it a failed ring says nothing about the agent's phone. */
  isConnected?: () => boolean;
  /** Told once when the call is over on the SIP side (the gateway keeps the calls in progress). */
  onFinished?: (call: SipCall) => void;
  /**
   * How long an answered call may wait to be bridged (default 40 s). A late-offer caller's ACK
   * completes the bridge, and drachtio-srf waits for it without end: without the ACK (past
   * drachtio-server's 32 s timer H) the call is ended here.
   */
  bridgeTimeoutMs?: number;
}

/** Who is calling, as the agent's phone should show it. */
export interface CallerDisplay {
  number: string | null;
  name: string | null;
  withheld: boolean;
}

/**
 * The media side of one inbound SIP call (implements CallChannel). While the call waits the caller
 * hears ringback (180); when an agent is chosen the call is bridged to the agent's phone as a
 * B2BUA; the caller is answered only after the call service took the answer. What happens on the
 * SIP side (answer, failure, CANCEL, BYE) is reported back to the call service.
 */
export class SipCall implements CallChannel {
  private readonly d: SipCallDeps;
  private readonly req: SipRequest;
  private readonly res: SipResponse;
  private readonly caller: CallerDisplay;
  /** The call's key with the call service (source 'sip'): the Call-ID, or the Call-ID with the From tag for a reused one. */
  private readonly externalId: string;
  /** screenpop's call id, known once the offer is made (or the first ring). */
  private callId: string | null = null;
  private attempt: Attempt | null = null;
  private dialogs: { uas: Dialog; uac: Dialog } | null = null;
  /** The caller left (CANCEL, BYE) or the call was finished here: nothing more goes to the caller. */
  private done = false;
  /** The caller left before the offer returned a call id: tell the service once it has one. */
  private endWhenOffered: HangupBy | null = null;
  private early: EarlyMedia | null = null;
  private bridgeTimer: NodeJS.Timeout | undefined;
  private readonly onCancel = () => this.callerCancelled();

  constructor(deps: SipCallDeps, req: SipRequest, res: SipResponse, caller: CallerDisplay, externalId = callIdOf(req)) {
    this.d = deps;
    this.req = req;
    this.res = res;
    this.caller = caller;
    this.externalId = externalId;
    req.on('cancel', this.onCancel);
  }

  get sipCallId(): string {
    return callIdOf(this.req);
  }

  get finished(): boolean {
    return this.done;
  }

  /** The caller hears ringback while the call is matched and queued; then early media when a media server is configured. */
  ringback(): void {
    if (this.done || this.res.finalResponseSent) return;
    this.res.send(180);
    // Early media needs the caller's offer: a late-offer INVITE keeps the plain ringback.
    if (!this.d.earlyMediaUri || !this.req.body) return;
    this.early = new EarlyMedia(this.d.srf, this.d.earlyMediaUri, this.d.log);
    this.early.start(this.req.body, { From: fromHeader(this.caller) }, (sdp) => {
      if (!this.done && !this.res.finalResponseSent) this.res.send(183, { headers: { 'Content-Type': 'application/sdp' }, body: sdp });
    });
  }

  /** The offer returned: from now on events go straight to the call. */
  offered(callId: string): void {
    this.callId = callId;
    if (this.endWhenOffered) void this.report(() => this.d.calls.end(callId, this.endWhenOffered!), 'ending an abandoned call');
  }

  /** The offer failed: answer the caller with a final response (unless they left). */
  reject(status: number, headers: Record<string, string> = {}): void {
    if (this.done) return;
    this.markDone();
    this.cancelPending();
    this.sendFinal(status, headers);
  }

  // ── CallChannel ────────────────────────────────────────────────────────────────────────

  ringAgent(agent: AgentRecord, call: LiveCall): void {
    this.callId = call.id;
    if (this.done) return;
    const serviceAttempt = call.attempt;
    if (!agent.sipUri) {
      this.d.log.warn({ agentId: agent.id }, 'agent has no SIP address: the call cannot ring their phone');
      void this.report(() => this.d.calls.ringEnded(call.id, agent.id, serviceAttempt, 'rejected'), 'reporting an unreachable agent');
      return;
    }
    const attempt: Attempt = { agentId: agent.id, serviceAttempt, uacReq: null, cancelled: false, refused: false, answering: false, answered: false, failure: null };
    this.attempt = attempt;
    const headers: Record<string, string> = {
      From: fromHeader(this.caller),
      'X-Screenpop-Call-Id': call.id,
    };
    if (call.customer) headers['X-Screenpop-Customer-Id'] = String(call.customer.id);
    this.d.log.debug({ agentId: agent.id, attempt: serviceAttempt }, 'ringing agent');
    this.d.srf
      .createB2BUA(
        this.req,
        this.res,
        agent.sipUri,
        {
          headers,
          // A failed agent leg must not fail the caller's leg: the call goes to the next agent.
          passFailure: false,
          // The caller already hears our ringback; the agent's 180/183 would only repeat it.
          passProvisionalResponses: false,
          localSdpA: async (sdpB) => {
            await this.agentAnswered(attempt);
            return sdpB;
          },
        },
        {
          cbRequest: (err, uacReq) => {
            if (err) return;
            attempt.uacReq = uacReq;
            this.dropStaleCancelListeners();
            if (attempt.cancelled) this.cancelUac(uacReq);
          },
        },
      )
      .then(({ uas, uac }) => this.bridged(attempt, uas, uac))
      .catch((err: unknown) => this.legFailed(attempt, err));
  }

  stopRinging(agentId: string): void {
    const a = this.attempt;
    if (!a || a.agentId !== agentId || a.cancelled) return;
    a.cancelled = true;
    if (a.uacReq) this.cancelUac(a.uacReq);
  }

  overflow(target: string | null): void {
    if (this.done) return;
    this.markDone();
    this.cancelPending();
    if (!target) return this.sendFinal(480);
    const uri = overflowUri(target, this.req);
    this.d.log.info({ sipCallId: this.sipCallId }, 'no agent within max wait: sending the call to the overflow target');
    this.d.srf
      .createB2BUA(this.req, this.res, uri, { headers: { From: fromHeader(this.caller) }, passFailure: true })
      .then(({ uas, uac }) => joinHangups(uas, uac))
      .catch((err: unknown) => {
        this.d.log.warn({ status: sipStatusOf(err) ?? undefined, err: sipStatusOf(err) ? undefined : err }, 'overflow target did not take the call');
        this.sendFinal(sipStatusOf(err) ?? 480);
      });
  }

  hangup(reason: string): void {
    const stopping = reason === 'service_stopped';
    if (this.dialogs) {
      const { uas, uac } = this.dialogs;
      this.dialogs = null;
      this.markDone();
      void uas.destroy().catch(() => {});
      void uac.destroy().catch(() => {});
      return;
    }
    if (this.done) return;
    this.markDone();
    this.cancelPending();
    // A stopping node answers 503 so the PBX can try another node; Retry-After keeps it off this one.
    this.sendFinal(stopping ? 503 : 480, stopping ? { 'Retry-After': '30' } : {});
  }

  // ── SIP events ─────────────────────────────────────────────────────────────────────────

  /** The agent's phone answered: the call service takes the answer first; only then is the caller answered. */
  private async agentAnswered(attempt: Attempt): Promise<void> {
    if (attempt !== this.attempt || attempt.cancelled || this.done || !this.callId) {
      attempt.refused = true;
      throw new Error('this ring is over');
    }
    attempt.answering = true;
    try {
      await this.d.calls.answer(this.callId, attempt.agentId);
      this.early?.stop(); // the caller hears the agent from now on
    } catch (err) {
      attempt.refused = true;
      this.d.log.info({ agentId: attempt.agentId, err: (err as Error).message }, 'agent answered a ring that had ended; releasing the phone');
      throw err;
    }
    attempt.answered = true;
    // drachtio-srf may have failed the caller's leg before asking for its SDP (its failure is
    // then a few promise hops away): let it land before the 200 goes out.
    await new Promise((resolve) => setImmediate(resolve));
    if (attempt.failure !== null || this.done) {
      // A leg failed while the answer was being taken: the call ends now (if it has not), and
      // throwing keeps the 200 from going out.
      if (attempt.failure !== null) this.failedAfterAnswer(attempt, 'caller', attempt.failure);
      throw new Error(attempt.failure ?? 'the call ended while it was being answered');
    }
    const ms = this.d.bridgeTimeoutMs ?? 40_000;
    this.bridgeTimer = setTimeout(() => {
      // A late offer waits for the caller's ACK; otherwise which leg is stuck is not known.
      if (!this.dialogs && !this.done) this.failedAfterAnswer(attempt, this.req.body ? null : 'caller', `not bridged ${ms / 1000} s after the answer`);
    }, ms);
    this.bridgeTimer.unref();
  }

  private bridged(attempt: Attempt, uas: Dialog, uac: Dialog): void {
    this.req.off('cancel', this.onCancel);
    clearTimeout(this.bridgeTimer);
    if (this.done) {
      // Stopped while the answer was on its way.
      void uas.destroy().catch(() => {});
      void uac.destroy().catch(() => {});
      return;
    }
    this.dialogs = { uas, uac };
    this.d.log.debug({ agentId: attempt.agentId }, 'caller bridged to agent');
    uas.on('destroy', (msg, reason) => this.hungUp(attempt, 'caller', uac, msg, reason));
    uac.on('destroy', (msg, reason) => this.hungUp(attempt, 'agent', uas, msg, reason));
  }

  private hungUp(attempt: Attempt, by: Leg, other: Dialog, msg?: SipMessage, reason?: string): void {
    if (!this.dialogs) return;
    // A BYE drachtio-server made itself (no ACK for the 200, a session timer ran out) is a failed
    // leg, not someone hanging up.
    if (msg?.source === 'application') {
      this.dialogs = null;
      void other.destroy().catch(() => {});
      return this.failedAfterAnswer(attempt, by, `drachtio-server ended the ${by}'s leg: ${(reason ?? 'no reason given').slice(0, 100)}`);
    }
    this.dialogs = null;
    this.markDone();
    void other.destroy().catch(() => {});
    this.d.log.debug({ by }, 'call hung up');
    if (this.callId) void this.report(() => this.d.calls.end(this.callId!, by), 'ending a call');
  }

  /**
   * A leg failed after the call service took the answer (the caller's 200 could not be sent, no
   * ACK came, drachtio-server tore a leg down): the call ends now, both legs and the agent's part,
   * instead of staying `answered` with the agent on it.
   */
  private failedAfterAnswer(attempt: Attempt, leg: Leg | null, why: string): void {
    if (this.done) return; // ended already (hung up, stopped, lost with drachtio-server)
    clearTimeout(this.bridgeTimer);
    const dialogs = this.dialogs;
    this.dialogs = null;
    this.markDone();
    this.early?.stop();
    if (dialogs) {
      void dialogs.uas.destroy().catch(() => {});
      void dialogs.uac.destroy().catch(() => {});
    }
    // The caller's INVITE still waits when its 200 never went out.
    this.sendFinal(500);
    this.d.log.warn({ leg: leg ?? 'unknown', why, agentId: attempt.agentId }, 'call ended: a leg failed after the agent answered');
    if (this.callId) void this.report(() => this.d.calls.end(this.callId!, 'system', { reason: leg ? `${leg}_leg_failed` : 'leg_failed' }), 'ending a call whose leg failed');
  }

  private legFailed(attempt: Attempt, err: unknown): void {
    this.dropStaleCancelListeners();
    if (attempt.answering && !attempt.refused) {
      const why = errorText(err);
      // In a late offer the caller's ACK completes both legs: which one failed is not known then.
      const leg: Leg | null = this.req.body ? 'caller' : null;
      if (attempt.answered) return this.failedAfterAnswer(attempt, leg, why);
      attempt.failure ??= why; // the answer is still being taken: agentAnswered ends the call
      return;
    }
    if (attempt.cancelled || attempt.refused || this.done || attempt !== this.attempt) return;
    const status = sipStatusOf(err);
    this.attempt = null;
    if (!this.callId) return;
    const callId = this.callId;
    const connectionLost = this.req.socket?.destroyed === true || (this.d.isConnected !== undefined && !this.d.isConnected());
    if (status === null && connectionLost) {
      // drachtio-server went away (or restarted): the caller's leg is gone with it, and the agent did nothing wrong.
      this.markDone();
      this.d.log.warn({ agentId: attempt.agentId }, 'lost drachtio-server while ringing an agent; the call is lost');
      void this.report(() => this.d.calls.end(callId, 'system'), 'ending a call lost with drachtio-server');
      return;
    }
    this.d.log.info({ agentId: attempt.agentId, status: status ?? undefined, err: status ? undefined : err }, "agent's phone did not take the call");
    void this.report(() => this.d.calls.ringEnded(callId, attempt.agentId, attempt.serviceAttempt, 'rejected'), 'reporting a rejected ring');
  }

  private callerCancelled(): void {
    if (this.done) return;
    this.markDone();
    // drachtio-server answered the CANCEL and the INVITE (487) already; the agent's leg goes too.
    this.cancelPending();
    this.d.log.debug('caller cancelled');
    void this.callerLeft('caller');
  }

  private async callerLeft(by: HangupBy): Promise<void> {
    let id = this.callId;
    // Still being offered: the call is registered under its key (the SIP Call-ID) from the first moment.
    id ??= await this.d.calls.idFor('sip', this.externalId).catch(() => null);
    if (!id) {
      this.endWhenOffered = by;
      return;
    }
    await this.report(() => this.d.calls.end(id, by), 'ending an abandoned call');
  }

  /**
   * drachtio-server went away (it restarted, or the connection broke): its transactions and dialogs
   * are gone with it, so no BYE or CANCEL will come. The call ends here, by the system.
   */
  connectionLost(): void {
    if (this.done) return;
    this.markDone();
    this.early?.stop();
    if (this.dialogs) {
      // Their BYEs cannot be sent; destroying them still lets drachtio-srf forget them.
      void this.dialogs.uas.destroy().catch(() => {});
      void this.dialogs.uac.destroy().catch(() => {});
      this.dialogs = null;
    }
    if (this.callId) void this.report(() => this.d.calls.end(this.callId!, 'system'), 'ending a call lost with drachtio-server');
    else this.endWhenOffered = 'system';
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────

  private markDone(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.bridgeTimer);
    this.d.onFinished?.(this);
  }

  private cancelPending(): void {
    this.early?.stop();
    const a = this.attempt;
    if (!a || a.cancelled) return;
    a.cancelled = true;
    if (a.uacReq) this.cancelUac(a.uacReq);
  }

  private cancelUac(uacReq: SipRequest): void {
    try {
      // A CANCEL crossing the agent's 200 OK fails harmlessly; the answer is then refused and the leg released.
      uacReq.cancel(() => {});
    } catch (err) {
      this.d.log.debug({ err }, 'cancelling the agent leg failed');
    }
  }

  /**
   * drachtio-srf adds a CANCEL listener to the caller's request for every B2BUA attempt; ours
   * handles CANCEL for all of them, so a long ring-around does not pile listeners up.
   */
  private dropStaleCancelListeners(): void {
    for (const l of this.req.listeners('cancel')) if (l !== this.onCancel) this.req.off('cancel', l);
  }

  private sendFinal(status: number, headers: Record<string, string> = {}): void {
    if (this.res.finalResponseSent) return;
    try {
      this.res.send(status, { headers });
    } catch (err) {
      this.d.log.warn({ err, status }, 'sending a final response failed');
    }
  }

  private async report(fn: () => Promise<unknown>, what: string): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, callId: this.callId }, `${what} failed`);
    }
  }
}

/** What a failed SIP transaction said, for the log: its status and reason, or the error's message. */
function errorText(err: unknown): string {
  const status = sipStatusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return (status ? `${status} ${message}` : message).slice(0, 200);
}

/** An overflow target as a SIP URI: a URI as is; a number goes back to the PBX that sent the call. */
export function overflowUri(target: string, req: Pick<SipRequest, 'source_address' | 'source_port'>): string {
  if (/^sips?:/i.test(target)) return target;
  const number = target.replace(/^tel:/i, '').replace(/[^+\d*#]/g, '');
  const host = req.source_address.includes(':') ? `[${req.source_address}]` : req.source_address;
  return `sip:${number}@${host}:${req.source_port}`;
}

/** Bridged legs end together: a BYE on one side hangs up the other. */
export function joinHangups(a: Dialog, b: Dialog): void {
  a.on('destroy', () => void b.destroy().catch(() => {}));
  b.on('destroy', () => void a.destroy().catch(() => {}));
}
