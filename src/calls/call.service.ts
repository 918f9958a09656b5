import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { CallStatus, DB, HangupBy } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { Audited } from '../audit/audit.repository.ts';
import { maskPhone } from '../customers/phone-number.ts';
import type { CrossSellService } from '../cross-sell/cross-sell.service.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Pop, PopCustomer, PopPrompt } from '../pop/pop.types.ts';
import type { AgentEvent, AgentState } from '../routing/agent-state.ts';
import { SYSTEM_ACTORS, type AgentService, type ApplyOptions } from '../routing/agent.service.ts';
import type { Dispatcher } from '../routing/dispatcher.ts';
import { NodeGoneError, type Bus, type BusRequest } from '../routing/live/bus.ts';
import type { LiveState, QueueEntry } from '../routing/live/live-state.ts';
import type { QueueService } from '../routing/queue.service.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { CallLog, CallWrite } from './call-log.ts';
import { writeAnswered, writeEnded, writeOffered, writeRinging, type Announce } from './call-log.repository.ts';
import { finishAttempt, findCallRow, findCallRowByExternal, secondsBetween, updateCall } from './call.repository.ts';
import { callKey, NO_MEDIA, type CallNotifier, type CallView, type LiveCall, type OfferInput, type WithdrawReason } from './call.types.ts';
import { matchCaller, type MatchDeps } from './caller-match.ts';
import { rowToView } from './call-view.ts';
import { closeLostCall } from './call-recovery.ts';

export interface CallServiceDeps {
  db: Kysely<DB>;
  live: LiveState;
  bus: Bus;
  agents: AgentService;
  queues: QueueService;
  crossSell: CrossSellService;
  dispatcher: Dispatcher;
  notifier: CallNotifier;
  callLog: CallLog;
  metrics: Metrics;
  log: Logger;
  match: Omit<MatchDeps, 'log' | 'db' | 'crossSell'>;
  webhookUrls: readonly string[];
  /** An offer not queued within this long is refused and logged as failed, so it never rings an agent later. */
  offerDeadlineMs?: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const FINAL: ReadonlySet<CallStatus> = new Set(['ended', 'abandoned', 'overflowed', 'failed']);
/** How long an ended call is remembered in memory for late events (its log row is there long before). */
const ENDED_KEPT_MS = 10 * 60_000;

/** Requests a node sends to the node that owns a call. */
type CallRequest =
  | { type: 'call.answer'; callId: string; agentId?: string; actor?: Actor }
  | { type: 'call.end'; callId: string; by: HangupBy; actor?: Actor };

/** The audit row of a call-log write caused by `actor`'s call event; none for SIP and the system. */
const audited = (actor: Actor | null | undefined, action: string, callId: string, after: Record<string, unknown>): Audited | null =>
  actor ? { actor, entry: { action, entity: 'call', entityId: callId, after } } : null;

/**
 * Every call, from offer to its end, whichever way it arrives (SIP or the call-event API).
 * A call lives on the node that took it (its timers, its media); other nodes reach it over the bus.
 * Every offered call ends as exactly one call-log row.
 */
export class CallService {
  private readonly d: CallServiceDeps;
  private readonly calls = new Map<string, LiveCall>();
  /** Per call, the operation running now: operations on one call never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly wrapUpTimers = new Map<string, NodeJS.Timeout>();
  /** Calls that ended here lately: late or repeated events get the final view, even before the log row lands. */
  private readonly ended = new Map<string, { view: CallView; at: number }>();
  private stopping = false;

  constructor(deps: CallServiceDeps) {
    this.d = deps;
    deps.bus.onMessage((msg) => {
      if (msg.type === 'assigned') this.assigned(msg.callId, msg.agentId).catch((err) => this.d.log.error({ err, callId: msg.callId }, 'ringing the assigned agent failed'));
    });
    deps.bus.onRequest((req) => this.handleRequest(req));
  }

  get nodeId(): string {
    return this.d.bus.nodeId;
  }

  /** Live calls on this node (for the SIP gateway and tests). */
  liveCall(callId: string): LiveCall | undefined {
    return this.calls.get(callId);
  }

  get liveCount(): number {
    return this.calls.size;
  }

  // ── offer ──────────────────────────────────────────────────────────────────────────────

  /** A call reached screenpop: match the caller, queue the call, offer it to an agent. Idempotent per (source, externalId). */
  async offer(input: OfferInput): Promise<CallView> {
    if (this.stopping) throw new AppError('UNAVAILABLE', 'This node is stopping; offer the call to another');
    const key = callKey(input.source, input.externalId);
    const existing = await this.findExisting(key);
    if (existing) return existing;

    // Checked before anything is registered or written: a refused offer leaves nothing behind.
    const queue = (input.queueId ? this.d.queues.get(input.queueId) : undefined) ?? this.d.queues.forDialled(input.dialledNumber);
    if (!queue) throw new AppError('QUEUE_NOT_FOUND', 'No queue for this dialled number and no default queue');
    if (input.agentId && !this.d.agents.get(input.agentId)) throw new AppError('AGENT_NOT_FOUND', `No agent ${input.agentId}`);

    const id = randomUUID();
    const now = Date.now();
    const call: LiveCall = {
      id,
      key,
      source: input.source,
      externalId: input.externalId,
      trunk: input.trunk ?? null,
      fromNumber: input.withheld ? null : input.fromNumber,
      fromE164: null,
      callerName: input.withheld ? null : (input.callerName ?? null),
      withheld: input.withheld === true,
      dialledNumber: input.dialledNumber,
      redirectingNumber: input.redirectingNumber ?? null,
      offeredAt: now,
      channel: input.channel ?? NO_MEDIA,
      sender: input.actor ?? null,
      queue,
      priority: 10,
      match: { outcome: 'unavailable', matchedOn: null, candidates: [] },
      customer: null,
      historyAvailable: false,
      prompts: [],
      status: 'offered',
      queuedAt: null,
      enqueuedAt: now,
      agentId: null,
      attempt: 0,
      ringStartedAt: null,
      firstRingAt: null,
      answeredAt: null,
      endedAt: null,
      tried: new Set(),
      maxWaitPassed: false,
      popAckedAt: null,
      goneEarly: null,
      goneEarlyBy: null,
      timers: {},
    };
    // Live here before it is registered: an `ended` that finds the registration (a SIP CANCEL
    // right after the 180) must find the call too, or it would be lost and the call left open.
    this.calls.set(id, call);
    try {
      if (!(await this.d.live.registerCall(`ext:${key}`, { callId: id, ownerNode: this.nodeId }))) {
        this.calls.delete(id);
        return (await this.findExisting(key)) ?? this.conflict(key);
      }
      await this.d.live.registerCall(`id:${id}`, { callId: id, ownerNode: this.nodeId });
    } catch (err) {
      this.calls.delete(id);
      throw err;
    }

    const deadline = call.offeredAt + (this.d.offerDeadlineMs ?? 5000);
    const m = await matchCaller(
      { ...this.d.match, db: this.d.db, crossSell: this.d.crossSell, log: this.d.log.child({ callId: id }) },
      { callId: id, fromNumber: call.fromNumber, callerName: call.callerName, withheld: call.withheld, normalised: input.normalised, defaultCountry: input.defaultCountry },
    );
    Object.assign(call, { match: m.match, customer: m.customer, historyAvailable: m.historyAvailable, prompts: m.prompts, priority: m.priority, fromE164: m.e164 });

    return this.locked(call, async () => {
      if (call.goneEarly) {
        // Gone before it reached the queue: logged, but not offered to the queue in the figures.
        this.persistOffer(call, 'abandoned');
        this.finish(call, 'abandoned', call.goneEarly, 'caller_hangup', {}, call.goneEarlyBy);
        return this.view(call);
      }
      // A sender that gave up (or an offer slowed past its deadline by a struggling store) would
      // otherwise ring an agent for a caller nobody is connecting any more: a "ghost call".
      if (input.signal?.aborted || Date.now() > deadline) return this.refuse(call, input.signal?.aborted ? 'sender_gone' : 'offer_deadline');
      if (input.agentId) {
        await this.ringDirect(call, input.agentId);
        return this.view(call);
      }
      call.status = 'queued';
      call.queuedAt = Date.now();
      // Queued first, logged after: a call that cannot be queued is refused, not left `queued` in the
      // log (the log's writes are queued per call and this one goes before any ring's).
      try {
        await this.d.live.enqueue(this.entry(call));
      } catch (err) {
        this.d.log.warn({ err, callId: call.id }, 'could not queue the call; refused');
        return this.refuse(call, 'unavailable');
      }
      this.persistOffer(call, 'queued');
      this.d.metrics.callsOffered.inc({ queue: queue.id });
      call.timers.maxWait = setTimeout(() => void this.maxWaitReached(call), queue.maxWaitSeconds * 1000);
      this.d.dispatcher.dispatch(queue.id);
      this.d.notifier.boardChanged();
      return this.view(call);
    });
  }

  /**
   * An offer that could not be queued (a struggling store, the sender gone): logged `failed` under
   * a derived id (`<call id>#refused-…`) and forgotten at once, so the PBX may offer the same call
   * id again after Retry-After and get a new call, not this refusal.
   */
  private refuse(call: LiveCall, reason: string): never {
    const original = call.key;
    call.externalId = `${call.externalId}#refused-${call.id.slice(0, 8)}`;
    call.key = callKey(call.source, call.externalId);
    this.persistOffer(call, 'failed');
    this.finish(call, 'failed', 'system', reason);
    void this.d.live.unregisterCall(`ext:${original}`).catch((err) => this.d.log.warn({ err, callId: call.id }, 'forgetting a refused offer failed'));
    throw new AppError('UNAVAILABLE', 'The call could not be queued now and was not routed; offer it again after Retry-After, or route it elsewhere');
  }

  /** The PBX chose the agent: ring them without queueing (they must be ready). */
  private async ringDirect(call: LiveCall, agentId: string) {
    call.queuedAt = Date.now();
    call.status = 'queued';
    this.persistOffer(call, 'queued');
    this.d.metrics.callsOffered.inc({ queue: call.queue.id });
    try {
      await this.d.agents.apply(agentId, { type: 'offer', callId: call.id }, call.sender ? { actor: call.sender } : {});
    } catch (err) {
      this.finish(call, 'failed', 'system', 'agent_not_ready');
      throw err;
    }
    await this.startRinging(call, agentId);
  }

  // ── assignment and ringing ─────────────────────────────────────────────────────────────

  /** The dispatcher gave this node's call to an agent (who is now ringing in the shared state). */
  private async assigned(callId: string, agentId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call) return this.releaseAgent(agentId, callId);
    await this.locked(call, async () => {
      // The caller left (or the call was routed otherwise) while the claim was on its way.
      if (call.status !== 'queued') return this.releaseAgent(agentId, callId);
      await this.startRinging(call, agentId);
    });
  }

  private async startRinging(call: LiveCall, agentId: string) {
    const agent = this.d.agents.get(agentId);
    const now = Date.now();
    call.status = 'ringing';
    call.agentId = agentId;
    call.attempt += 1;
    call.ringStartedAt = now;
    call.firstRingAt ??= now;
    const attempt = call.attempt;
    const pop = this.popFor(call);
    const ringStart = performance.now();
    void this.d.notifier.pop(agentId, pop).then((acked) => {
      if (!acked) {
        this.d.metrics.popsUnacknowledged.inc();
        this.d.log.warn({ callId: call.id, agentId }, 'pop not acknowledged by any desktop of the agent');
        return;
      }
      this.d.metrics.popLatency.observe((performance.now() - ringStart) / 1000);
      // Stored with the call's next write (answered or ended); a separate write only when the call is over already.
      if (this.calls.has(call.id)) call.popAckedAt ??= Date.now();
      else this.write(call, 'pop acknowledged', (db) => updateCall(db, call.id, { pop_acked_at: new Date() }));
    });
    if (agent) call.channel.ringAgent(agent, call);
    call.timers.ring = setTimeout(() => void this.ringEnded(call.id, agentId, attempt, 'missed'), call.queue.ringTimeoutSeconds * 1000);
    const prompts = call.customer && call.prompts.length ? { customerId: call.customer.id, ruleIds: call.prompts.map((p) => p.ruleId) } : null;
    this.write(call, 'ringing', (db) =>
      writeRinging(db, { callId: call.id, agentId: Number(agentId), rangAt: new Date(now), firstRingAt: new Date(call.firstRingAt!), attempts: attempt, prompts }),
    );
    this.d.notifier.boardChanged();
  }

  /**
   * The agent's phone stopped ringing without an answer: ring timeout, or the phone rejected the
   * call. The agent goes not ready ("missed") and the call goes back to its place in the queue.
   */
  async ringEnded(callId: string, agentId: string, attempt: number | null, result: 'missed' | 'rejected'): Promise<void> {
    const call = this.calls.get(callId);
    if (!call) return;
    await this.locked(call, async () => {
      if (call.status !== 'ringing' || call.agentId !== agentId || (attempt !== null && call.attempt !== attempt)) return;
      await this.agentEvent(agentId, { type: 'ring_timeout', callId }, { systemReason: true });
      this.stopRinging(call, result, result === 'missed' ? 'ring_timeout' : 'rejected');
      call.tried.add(agentId);
      if (call.maxWaitPassed) return this.overflow(call);
      call.status = 'queued';
      this.write(call, 'requeued', (db) => updateCall(db, call.id, { status: 'queued' }));
      try {
        await this.d.live.enqueue(this.entry(call));
      } catch (err) {
        // Back in no queue means nobody would route it: end it for the caller and in the log now.
        this.d.log.warn({ err, callId: call.id }, 'requeueing after a ring timeout failed; ending the call');
        call.channel.hangup('unavailable');
        this.finish(call, 'failed', 'system', 'unavailable');
        return;
      }
      this.d.dispatcher.dispatch(call.queue.id);
      this.d.notifier.boardChanged();
    });
  }

  private stopRinging(call: LiveCall, result: 'missed' | 'rejected' | 'caller_gone' | 'withdrawn', reason: WithdrawReason) {
    const agentId = call.agentId!;
    clearTimeout(call.timers.ring);
    this.d.notifier.withdraw(agentId, call.id, reason);
    call.channel.stopRinging(agentId);
    const at = new Date();
    this.write(call, 'attempt ended', (db) => finishAttempt(db, call.id, Number(agentId), result, at));
    call.agentId = null;
  }

  private async maxWaitReached(call: LiveCall): Promise<void> {
    await this.locked(call, async () => {
      if (call.status === 'ringing') {
        call.maxWaitPassed = true; // let this agent's phone ring out first
        return;
      }
      if (call.status !== 'queued') return;
      // Shared state unreachable: overflow all the same (the caller has waited long enough). An
      // entry left behind in Redis is harmless: whoever claims it finds no call and frees the agent.
      const removed = await this.d.live.removeWaiting(call.queue.id, call.id).catch(() => true);
      if (removed) return this.overflow(call);
      // Claimed at this very moment: the agent's phone rings; overflow if it rings out.
      call.maxWaitPassed = true;
    });
  }

  private overflow(call: LiveCall) {
    const target = call.queue.overflowTarget;
    call.channel.overflow(target);
    this.d.metrics.callsOverflowed.inc({ queue: call.queue.id });
    this.finish(call, 'overflowed', 'system', target ? 'overflow' : 'max_wait', { overflow_target: target });
  }

  // ── answer and end ─────────────────────────────────────────────────────────────────────

  /** The agent answered (the SIP leg, or the PBX said so). Answering twice is a no-op. */
  async answer(callId: string, agentId?: string, actor?: Actor): Promise<CallView> {
    const call = this.calls.get(callId);
    if (!call) return this.onOwner({ type: 'call.answer', callId, ...(agentId ? { agentId } : {}), ...(actor ? { actor } : {}) });
    const by = actor ? { actor } : {};
    return this.locked(call, async () => {
      if (call.status === 'answered' && (!agentId || agentId === call.agentId)) return this.view(call);
      if (FINAL.has(call.status)) throw new AppError('INVALID_STATE', `Call ${callId} has ended (${call.status})`);
      if (call.status === 'answered') throw new AppError('INVALID_STATE', `Call ${callId} was answered by agent ${call.agentId}`);
      if (call.status === 'offered') throw new AppError('INVALID_STATE', `Call ${callId} is still being offered; send answered again`);
      if (call.status === 'queued') {
        // The PBX connected the caller to an agent itself.
        if (!agentId) throw new AppError('INVALID_STATE', `No agent's phone rings for call ${callId}; name the agent who answered`);
        if (!this.d.agents.get(agentId)) throw new AppError('AGENT_NOT_FOUND', `No agent ${agentId}`);
        if (!(await this.d.live.removeWaiting(call.queue.id, call.id))) throw new AppError('CONFLICT', `Call ${callId} is being offered to an agent; send answered again`);
        try {
          await this.d.agents.apply(agentId, { type: 'offer', callId }, by);
        } catch (err) {
          await this.d.live.enqueue(this.entry(call));
          throw err;
        }
        await this.startRinging(call, agentId);
      } else if (agentId && agentId !== call.agentId) {
        throw new AppError('INVALID_STATE', `Call ${callId} rings agent ${call.agentId}, not ${agentId}`);
      }
      const answeringAgent = call.agentId!;
      await this.d.agents.apply(answeringAgent, { type: 'answer', callId }, by);
      const now = Date.now();
      clearTimeout(call.timers.ring);
      clearTimeout(call.timers.maxWait);
      call.status = 'answered';
      call.answeredAt = now;
      this.d.metrics.callsAnswered.inc({ queue: call.queue.id });
      this.d.notifier.answered(answeringAgent, callId, now);
      // Another device of the agent might still show a ringing pop; the call is on a phone now.
      const answered = {
        callId: call.id,
        agentId: Number(answeringAgent),
        at: new Date(now),
        waitSeconds: secondsBetween(call.queuedAt ?? call.offeredAt, now),
        ringSeconds: secondsBetween(call.ringStartedAt ?? now, now),
        popAckedAt: call.popAckedAt === null ? null : new Date(call.popAckedAt),
      };
      const audit = audited(actor, 'call.answered', call.id, { agentId: answeringAgent });
      this.write(call, 'answered', (db) => writeAnswered(db, answered, this.announce('call.answered', this.view(call)), audit));
      this.d.notifier.boardChanged();
      return this.view(call);
    });
  }

  /**
   * Either side hung up. Ending an ended call is a no-op. `actor`: who reported it (the
   * integrator's key); `reason`: why an answered call ended, when not a plain hang-up.
   */
  async end(callId: string, by: HangupBy, { actor, reason }: { actor?: Actor; reason?: string } = {}): Promise<CallView> {
    const call = this.calls.get(callId);
    if (!call) return this.onOwner({ type: 'call.end', callId, by, ...(actor ? { actor } : {}) });
    const sender = actor ?? null;
    return this.locked(call, async () => {
      switch (call.status) {
        case 'offered':
          call.goneEarly = by; // the offer finishes it once the match is done
          call.goneEarlyBy = sender;
          break;
        case 'queued':
          // Not removed: a claim is on its way to us; `assigned` then releases the agent.
          await this.d.live.removeWaiting(call.queue.id, call.id);
          this.d.metrics.callsAbandoned.inc({ queue: call.queue.id });
          this.finish(call, 'abandoned', by, 'caller_hangup', {}, sender);
          break;
        case 'ringing': {
          const agentId = call.agentId!;
          await this.agentEvent(agentId, { type: 'caller_gone', callId }, sender ? { actor: sender } : {});
          this.stopRinging(call, 'caller_gone', 'caller_gone');
          this.d.metrics.callsAbandoned.inc({ queue: call.queue.id });
          this.finish(call, 'abandoned', by, 'caller_hangup', { agent_id: Number(agentId) }, sender);
          break;
        }
        case 'answered':
          await this.hangUpAnswered(call, by, reason ?? (by === 'agent' ? 'agent_hangup' : by === 'caller' ? 'caller_hangup' : 'system'), sender);
          break;
        default:
          break;
      }
      return this.view(call, FINAL.has(call.status) ? by : null);
    });
  }

  private async hangUpAnswered(call: LiveCall, by: HangupBy, reason: string, actor: Actor | null = null) {
    await this.endAgentsPart(call.agentId!, call.id, by, call.queue.wrapUpSeconds, { actor, tell: 'always' });
    this.finish(call, 'ended', by, reason, { talk_seconds: secondsBetween(call.answeredAt!, Date.now()) }, actor);
  }

  /**
   * The agent's part of the end of a call: wrap-up for the queue's time (ready again after it)
   * and the desktop told. `tell: 'if-released'` stays silent when the agent had moved on already
   * (another node released them first).
   */
  private async endAgentsPart(agentId: string, callId: string, by: HangupBy, wrapUpSeconds: number, o: { actor: Actor | null; tell: 'always' | 'if-released' }) {
    const state = await this.agentEvent(agentId, { type: 'hangup', callId }, { wrapUpSeconds, ...(o.actor ? { actor: o.actor } : {}) });
    if (!state && o.tell === 'if-released') return;
    const wrapUpUntil = state?.status === 'wrap_up' ? (state.until ?? null) : null;
    this.d.notifier.ended(agentId, callId, { at: Date.now(), hangupBy: by, wrapUpUntil });
    if (wrapUpUntil !== null) this.scheduleWrapUpEnd(agentId, callId, wrapUpUntil, wrapUpSeconds);
  }

  /**
   * An agent whose call was held by a node that is gone: the call is over for them (their desktop
   * hears `call:ended` by the system, on whatever node it is connected to) and the queue's wrap-up
   * applies. A no-op when another node released them first.
   */
  async releaseLostCall(agentId: string, callId: string, queueId: string | null): Promise<void> {
    const wrapUpSeconds = (queueId ? this.d.queues.get(queueId)?.wrapUpSeconds : undefined) ?? 0;
    await this.endAgentsPart(agentId, callId, 'system', wrapUpSeconds, { actor: SYSTEM_ACTORS.lostNode, tell: 'if-released' });
  }

  /** After the queue's wrap-up time the agent is ready again, and the call's after-call work is that long. */
  private scheduleWrapUpEnd(agentId: string, callId: string, until: number, seconds: number) {
    clearTimeout(this.wrapUpTimers.get(agentId));
    const timer = setTimeout(async () => {
      this.wrapUpTimers.delete(agentId);
      try {
        if (await this.d.agents.settleExpired(agentId, callId)) {
          await this.d.callLog.write(callId, 'wrap-up time over', (db) =>
            db.updateTable('calls').set({ wrap_seconds: seconds.toFixed(3) }).where('id', '=', callId).where('wrap_seconds', 'is', null).execute(),
          );
        }
      } catch (err) {
        this.d.log.error({ err, agentId, callId }, 'ending wrap-up failed');
      }
      // A timer may fire a millisecond before the clock reads `until`: a little slack.
    }, until - Date.now() + 25);
    this.wrapUpTimers.set(agentId, timer);
  }

  /** The agent finished wrap-up by hand: its automatic end is not needed any more. */
  cancelWrapUpTimer(agentId: string): void {
    clearTimeout(this.wrapUpTimers.get(agentId));
    this.wrapUpTimers.delete(agentId);
  }

  // ── the end of a call ──────────────────────────────────────────────────────────────────

  /** `actor`: the key whose call event ended the call (audited with the write); null when the system or SIP did. */
  private finish(call: LiveCall, status: CallStatus, by: HangupBy, reason: string, extra: Parameters<typeof updateCall>[2] = {}, actor: Actor | null = null) {
    const now = Date.now();
    clearTimeout(call.timers.ring);
    clearTimeout(call.timers.maxWait);
    call.status = status;
    call.endedAt = now;
    const waited = call.queuedAt !== null && status !== 'ended' ? { wait_seconds: secondsBetween(call.queuedAt, now) } : {};
    const view = this.view(call, by);
    const ack = call.popAckedAt === null ? {} : { pop_acked_at: sql<Date>`COALESCE(pop_acked_at, ${new Date(call.popAckedAt)}::timestamptz)` };
    const ended = {
      callId: call.id,
      values: { status, ended_at: new Date(now), hangup_by: by, end_reason: reason, ...waited, ...ack, ...extra },
      customerId: call.customer?.id ?? null,
      offeredAt: new Date(call.offeredAt),
    };
    const audit = audited(actor, 'call.ended', call.id, { status, hangupBy: by, endReason: reason });
    this.write(call, 'ended', (db) => writeEnded(db, ended, this.announce('call.ended', { ...view, endReason: reason }), audit));
    this.calls.delete(call.id);
    this.remember(view);
    // Registered until its log row is final, so any node asking about it is sent here rather than to a stale row.
    // Retried while Redis is away: a registration left behind would make the lost-call sweep
    // believe the call is still held, and an agent stuck on it would never be released.
    const keys = [`ext:${call.key}`, `id:${call.id}`];
    void this.d.callLog.idle(call.id).then(() => this.unregister(call.id, keys));
    this.d.notifier.boardChanged();
  }

  private async unregister(callId: string, keys: string[]): Promise<void> {
    for (let attempt = 0; !this.stopping || attempt === 0; attempt++) {
      try {
        await Promise.all(keys.map((k) => this.d.live.unregisterCall(k)));
        return;
      } catch (err) {
        if (attempt === 0) this.d.log.warn({ err, callId }, 'unregistering a call failed; retrying until the shared state is back');
        if (attempt >= 60) return this.d.log.error({ err, callId }, 'unregistering a call failed; its registration expires in a day');
        await new Promise((r) => setTimeout(r, Math.min(15_000, 500 * 2 ** attempt)).unref());
      }
    }
  }

  private remember(view: CallView) {
    const now = Date.now();
    this.ended.set(view.id, { view, at: now });
    for (const [id, e] of this.ended) {
      if (now - e.at < ENDED_KEPT_MS) break; // oldest first: the rest are younger
      this.ended.delete(id);
    }
  }

  /** The first write of a call: its log row, with the call.offered webhook. */
  private persistOffer(call: LiveCall, status: CallStatus) {
    const announce = this.announce('call.offered', { ...this.view(call), status });
    const row = {
        id: call.id,
        source: call.source,
        external_id: call.externalId,
        trunk: call.trunk,
        from_raw: call.fromNumber?.slice(0, 64) ?? null,
        from_e164: call.fromE164,
        caller_name: call.callerName?.slice(0, 200) ?? null,
        withheld: call.withheld,
        dialled_number: call.dialledNumber?.slice(0, 64) ?? null,
        redirecting_number: call.redirectingNumber?.slice(0, 64) ?? null,
        queue_id: call.queue.id,
        priority: call.priority,
        match_outcome: call.match.outcome,
        candidate_ids: call.match.candidates.map((c) => c.id),
        customer_id: call.customer?.id ?? null,
        status,
        queued: status === 'queued',
        offered_at: new Date(call.offeredAt),
        queued_at: call.queuedAt === null ? null : new Date(call.queuedAt),
        node_id: this.nodeId,
    } as const;
    const audit = audited(call.sender, 'call.offered', call.id, { source: call.source, externalId: call.externalId, status, queueId: call.queue.id });
    this.write(call, 'offered', (db) => writeOffered(db, row, announce, audit));
  }

  private announce(event: Announce['event'], data: unknown): Announce | null {
    return this.d.webhookUrls.length ? { event, urls: this.d.webhookUrls, data } : null;
  }

  // ── customer on the call ───────────────────────────────────────────────────────────────

  /**
   * The agent picked (or completed) the customer on a call: a live call shows them from now on
   * (a reconnecting desktop, the call.ended webhook). Tells the owning node when it is not this one.
   */
  async customerChanged(callId: string, customer: PopCustomer, prompts: readonly PopPrompt[]): Promise<void> {
    const call = this.calls.get(callId);
    if (call) {
      call.customer = customer;
      call.prompts = prompts;
      call.historyAvailable = true;
      return;
    }
    const reg = await this.d.live.findCall(`id:${callId}`);
    if (reg && reg.ownerNode !== this.nodeId) await this.d.bus.request(reg.ownerNode, { type: 'call.customer', callId, customer, prompts });
  }

  // ── shutdown and helpers ───────────────────────────────────────────────────────────────

  /** Closes every call this node handles with an outcome, then waits for the call log to be written. */
  async shutdown(flushMs = 5000): Promise<void> {
    this.stopping = true;
    for (const t of this.wrapUpTimers.values()) clearTimeout(t);
    this.wrapUpTimers.clear();
    await Promise.all(
      [...this.calls.values()].map((call) =>
        this.locked(call, async () => {
          try {
            switch (call.status) {
              case 'offered':
              case 'queued':
                await this.d.live.removeWaiting(call.queue.id, call.id);
                if (call.status === 'offered') this.persistOffer(call, 'failed');
                break;
              case 'ringing':
                await this.agentEvent(call.agentId!, { type: 'caller_gone', callId: call.id });
                this.stopRinging(call, 'withdrawn', 'service_stopped');
                break;
              case 'answered':
                call.channel.hangup('service_stopped');
                return this.hangUpAnswered(call, 'system', 'service_stopped');
              default:
                return;
            }
          } catch (err) {
            this.d.log.error({ err, callId: call.id }, 'closing a call at shutdown failed');
          }
          call.channel.hangup('service_stopped');
          this.d.metrics.callsFailed.inc({ queue: call.queue.id });
          this.finish(call, 'failed', 'system', 'service_stopped');
        }),
      ),
    );
    await this.d.callLog.flush(flushMs);
  }

  private write(call: LiveCall, what: string, fn: CallWrite) {
    void this.d.callLog.write(call.id, what, fn);
  }

  private locked<T>(call: LiveCall, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(call.id) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => {});
    this.locks.set(call.id, settled);
    void settled.then(() => {
      if (this.locks.get(call.id) === settled) this.locks.delete(call.id);
    });
    return next;
  }

  /** An agent event the call path needs; an agent already moved on (e.g. by a supervisor) is not an error. */
  private async agentEvent(agentId: string, event: AgentEvent, opts: ApplyOptions = {}): Promise<AgentState | null> {
    try {
      return await this.d.agents.apply(agentId, event, opts);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.d.log.warn({ agentId, event: event.type, err: err.message }, 'agent state did not follow the call');
      return null;
    }
  }

  private async releaseAgent(agentId: string, callId: string) {
    await this.agentEvent(agentId, { type: 'caller_gone', callId });
  }

  private entry(call: LiveCall): QueueEntry {
    return {
      callId: call.id,
      queueId: call.queue.id,
      ownerNode: this.nodeId,
      priority: call.priority,
      enqueuedAt: call.enqueuedAt,
      tried: [...call.tried],
      caller: {
        number: call.fromNumber,
        maskedNumber: call.withheld || !call.fromNumber ? '' : maskPhone(call.fromNumber),
        customerName: call.customer?.displayName ?? null,
        customerId: call.customer?.id ?? null,
        withheld: call.withheld,
      },
    };
  }

  popFor(call: LiveCall): Pop {
    return {
      call: {
        id: call.id,
        source: call.source,
        externalId: call.externalId,
        from: { raw: call.fromNumber, e164: call.fromE164 },
        callerName: call.callerName,
        withheld: call.withheld,
        dialledNumber: call.dialledNumber,
        redirectingNumber: call.redirectingNumber,
        queue: { id: call.queue.id, name: call.queue.name },
        priority: call.priority,
        offeredAt: new Date(call.offeredAt).toISOString(),
        waitSeconds: Math.round((Date.now() - (call.queuedAt ?? call.offeredAt)) / 100) / 10,
        attempt: call.attempt,
        ringTimeoutSeconds: call.queue.ringTimeoutSeconds,
      },
      match: call.match,
      customer: call.customer,
      historyAvailable: call.historyAvailable,
      prompts: call.prompts,
    };
  }

  private view(call: LiveCall, hangupBy: HangupBy | null = null): CallView {
    return {
      id: call.id,
      source: call.source,
      externalId: call.externalId,
      status: call.status,
      queueId: call.queue.id,
      agentId: call.agentId,
      customerId: call.customer?.id ?? null,
      matchOutcome: call.match.outcome,
      offeredAt: new Date(call.offeredAt).toISOString(),
      answeredAt: iso(call.answeredAt),
      endedAt: iso(call.endedAt),
      hangupBy,
    };
  }

  /** A call offered before: live here, live on another node, or finished in the log. */
  private async findExisting(key: string): Promise<CallView | null> {
    const reg = await this.d.live.findCall(`ext:${key}`);
    if (reg) {
      const view = await this.get(reg.callId).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'CALL_NOT_FOUND') return null; // registered, then refused before it was a call
        throw err;
      });
      // A refused offer left registered (Redis was away when it was refused): forgotten now, so
      // the PBX's second offer of that call id is a new call, as the refusal promised.
      if (view && (view.status !== 'failed' || callKey(view.source, view.externalId) === key)) return view;
      await this.d.live.unregisterCall(`ext:${key}`);
    }
    const [source, ...rest] = key.split(':');
    const row = await findCallRowByExternal(this.d.db, source!, rest.join(':')).catch(() => undefined);
    return row ? rowToView(row) : null;
  }

  private conflict(key: string): never {
    throw new AppError('CONFLICT', `Call ${key} is being offered by another request; try again`);
  }

  /** The pop of a live call, wherever it lives (a reconnecting desktop gets it again); null when not live. */
  async livePop(callId: string): Promise<Pop | null> {
    const call = this.calls.get(callId);
    if (call) return this.popFor(call);
    const reg = await this.d.live.findCall(`id:${callId}`);
    if (!reg || reg.ownerNode === this.nodeId) return null;
    // An owner that is gone holds no live call any more (the sweep closes it).
    return this.requestOwner<Pop | null>(reg.ownerNode, { type: 'call.pop', callId }).catch((err: unknown) => {
      if (err instanceof NodeGoneError) return null;
      throw err;
    });
  }

  /** A call by id: live on this node, live on another, or from the log. */
  async get(callId: string): Promise<CallView> {
    const call = this.calls.get(callId);
    if (call) return this.view(call);
    const ended = this.ended.get(callId);
    if (ended) return ended.view;
    const reg = await this.d.live.findCall(`id:${callId}`);
    if (reg && reg.ownerNode !== this.nodeId) {
      try {
        return await this.requestOwner<CallView>(reg.ownerNode, { type: 'call.get', callId });
      } catch (err) {
        // A lost owner: what the log says (its sweep, or the PBX's `ended`, closes the call).
        if (!(err instanceof NodeGoneError)) throw err;
      }
    }
    const row = await findCallRow(this.d.db, callId);
    if (!row) throw new AppError('CALL_NOT_FOUND', `No call ${callId}`);
    return rowToView(row);
  }

  /** A call id for a call known where it came from (live or in the log). */
  async idFor(source: string, externalId: string): Promise<string> {
    const reg = await this.d.live.findCall(`ext:${callKey(source, externalId)}`);
    if (reg) return reg.callId;
    const row = await findCallRowByExternal(this.d.db, source, externalId);
    if (!row) throw new AppError('CALL_NOT_FOUND', `No call ${externalId} was offered`);
    return row.id;
  }

  /** An operation on a call this node does not hold: its owner does it, or it has ended. */
  private async onOwner(req: CallRequest): Promise<CallView> {
    let view = this.ended.get(req.callId)?.view;
    if (!view) {
      const reg = await this.d.live.findCall(`id:${req.callId}`);
      if (reg && reg.ownerNode !== this.nodeId) {
        try {
          return await this.requestOwner<CallView>(reg.ownerNode, req);
        } catch (err) {
          if (!(err instanceof NodeGoneError)) throw err;
          // The owner is gone: close its call here and now instead of answering 503 until a sweep does.
          const open = await findCallRow(this.d.db, req.callId);
          if (open && open.ended_at === null) await closeLostCall({ ...this.d, calls: this }, open);
        }
      }
      const row = await findCallRow(this.d.db, req.callId);
      if (!row) throw new AppError('CALL_NOT_FOUND', `No call ${req.callId}`);
      view = rowToView(row);
    }
    if (req.type === 'call.end' && FINAL.has(view.status)) return view; // ended twice: nothing to do
    if (req.type === 'call.answer' && view.status === 'ended' && view.answeredAt) return view; // answered twice
    throw new AppError('INVALID_STATE', `Call ${req.callId} is not live (${view.status})`);
  }

  /**
   * Asks the node that owns a call. Nobody listening on its channel may be a subscriber
   * reconnecting for a moment, not a lost node: asked again twice, half a second apart, before
   * NodeGoneError is believed.
   */
  private async requestOwner<T>(ownerNode: string, req: BusRequest): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.d.bus.request<T>(ownerNode, req);
      } catch (err) {
        if (!(err instanceof NodeGoneError) || attempt >= 2) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async handleRequest(req: BusRequest): Promise<unknown> {
    const callId = String(req.callId);
    switch (req.type) {
      case 'call.get':
        return this.get(callId);
      case 'call.answer':
        return this.answer(callId, req.agentId as string | undefined, req.actor as Actor | undefined);
      case 'call.end':
        return this.end(callId, req.by as HangupBy, { actor: req.actor as Actor | undefined });
      case 'call.customer':
        return this.customerChanged(callId, req.customer as PopCustomer, req.prompts as PopPrompt[]);
      case 'call.pop': {
        const call = this.calls.get(callId);
        return call ? this.popFor(call) : null;
      }
      default:
        throw new AppError('VALIDATION_FAILED', `Unknown request ${req.type}`);
    }
  }
}
