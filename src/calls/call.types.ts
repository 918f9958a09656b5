import type { Actor } from '../auth/actor.ts';
import type { CallSource, CallStatus, HangupBy } from '../db/schema.ts';
import type { NormalisedPhone } from '../customers/phone-number.ts';
import type { AgentState } from '../routing/agent-state.ts';
import type { AgentRecord } from '../routing/agent.service.ts';
import type { QueueConfig } from '../routing/queue.service.ts';
import type { Pop, PopCustomer, PopMatch, PopPrompt } from '../pop/pop.types.ts';

/** A call as it reaches screenpop, from SIP or from the call-event API. */
export interface OfferInput {
  readonly source: CallSource;
  /** The id where the call came from (SIP Call-ID, the PBX's call id). */
  readonly externalId: string;
  readonly trunk?: string | null;
  /** Caller number as received (user part, tel number), null when absent or withheld. */
  readonly fromNumber: string | null;
  readonly callerName?: string | null;
  readonly withheld?: boolean;
  /** Already normalised by the caller (SIP applies the trunk's country); else normalised here. */
  readonly normalised?: NormalisedPhone | null;
  /** Country to read a national number in (the trunk's); the service default otherwise. */
  readonly defaultCountry?: string;
  readonly dialledNumber: string | null;
  readonly redirectingNumber?: string | null;
  /** The queue the source already chose (a SIP trunk's dialled-number map); else the dialled number picks it. */
  readonly queueId?: string;
  /** The PBX already chose the agent: ring this one instead of queueing. */
  readonly agentId?: string;
  readonly channel?: CallChannel;
  /** Aborted when the sender gave up (its HTTP request closed, the SIP caller cancelled): the call is not routed. */
  readonly signal?: AbortSignal;
  /** Who sent the call event (an integrator's key): audited with the call-log writes it causes. */
  readonly actor?: Actor;
}

/**
 * The media side of a call: what the SIP gateway does when the call service decides. The call-event
 * API has no media to move (the PBX does it), so its channel does nothing.
 */
export interface CallChannel {
  /** The chosen agent's phone rings now (SIP: a B2BUA leg to the agent's SIP address). */
  ringAgent(agent: AgentRecord, call: LiveCall): void;
  /** Stop ringing that agent (ring timeout, caller gone, another agent chosen). */
  stopRinging(agentId: string): void;
  /** No agent within max wait: send the caller to the overflow target, or end the call when there is none. */
  overflow(target: string | null): void;
  /** The service is stopping or lost the call: end it. */
  hangup(reason: string): void;
}

export const NO_MEDIA: CallChannel = { ringAgent() {}, stopRinging() {}, overflow() {}, hangup() {} };

/** A live call on the node that handles it. */
export interface LiveCall {
  readonly id: string;
  /** Mutable: a refused offer moves to a derived id so the PBX can offer the same call id again. */
  key: string;
  readonly source: CallSource;
  externalId: string;
  readonly trunk: string | null;
  readonly fromNumber: string | null;
  readonly fromE164: string | null;
  readonly callerName: string | null;
  readonly withheld: boolean;
  readonly dialledNumber: string | null;
  readonly redirectingNumber: string | null;
  readonly offeredAt: number;
  readonly channel: CallChannel;
  /** The key that offered the call through the call-event API; null for SIP and the system. */
  readonly sender: Actor | null;
  queue: QueueConfig;
  priority: number;
  match: PopMatch;
  customer: PopCustomer | null;
  historyAvailable: boolean;
  prompts: readonly PopPrompt[];
  status: CallStatus;
  queuedAt: number | null;
  /** Kept across ring timeouts so the caller keeps its place in the queue. */
  enqueuedAt: number;
  agentId: string | null;
  attempt: number;
  ringStartedAt: number | null;
  firstRingAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  tried: Set<string>;
  /** Max wait passed while an agent's phone rang: overflow if that ring ends unanswered. */
  maxWaitPassed: boolean;
  /** When a desktop acknowledged the pop (stored with the call's next write). */
  popAckedAt: number | null;
  /** The caller hung up while the offer was still being prepared. */
  goneEarly: HangupBy | null;
  /** Who said so (the key of an `ended` call event). */
  goneEarlyBy: Actor | null;
  timers: { ring?: NodeJS.Timeout; maxWait?: NodeJS.Timeout };
}

/** A call as the API shows it. */
export interface CallView {
  readonly id: string;
  readonly source: CallSource;
  readonly externalId: string;
  readonly status: CallStatus;
  readonly queueId: string | null;
  readonly agentId: string | null;
  readonly customerId: number | null;
  readonly matchOutcome: PopMatch['outcome'];
  readonly offeredAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly hangupBy: HangupBy | null;
}

export type WithdrawReason = 'caller_gone' | 'ring_timeout' | 'rejected' | 'overflowed' | 'service_stopped' | 'answered_elsewhere';

/** What the call service tells the desktops (realtime implements it). */
export interface CallNotifier {
  /** Sends the pop to every socket of the agent; resolves true when one acknowledged it. */
  pop(agentId: string, pop: Pop): Promise<boolean>;
  withdraw(agentId: string, callId: string, reason: WithdrawReason): void;
  answered(agentId: string, callId: string, at: number): void;
  ended(agentId: string, callId: string, info: { at: number; hangupBy: HangupBy; wrapUpUntil: number | null }): void;
  customerLinked(agentId: string, callId: string, customer: PopCustomer | null, prompts: readonly PopPrompt[]): void;
  agentState(agentId: string, state: AgentState): void;
  /** Something a supervisor sees changed (queue, agent, figures). */
  boardChanged(): void;
}

export const callKey = (source: string, externalId: string) => `${source}:${externalId}`;
