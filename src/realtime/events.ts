// The realtime contract between screenpop and the desktops (documented in docs/realtime.md).
// Every socket.io event is declared here; emit only through the helpers in realtime.server.ts.
import type { HangupBy, PromptOutcome, TicketCategory, TicketPriority } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { Pop, PopCustomer, PopPrompt } from '../pop/pop.types.ts';
import type { WithdrawReason } from '../calls/call.types.ts';
import type { Wallboard } from '../wallboard/wallboard.types.ts';

/** An agent's state as desktops see it; times are ISO strings. */
export interface AgentStateView {
  readonly status: 'logged_out' | 'ready' | 'not_ready' | 'ringing' | 'on_call' | 'wrap_up';
  readonly since: string;
  readonly reason?: string;
  readonly callId?: string;
  /** When an automatic wrap-up ends. */
  readonly until?: string;
}

export interface AgentHello {
  readonly agent: { readonly id: string; readonly name: string; readonly skills: readonly string[]; readonly team: string | null; readonly locale: string };
  readonly state: AgentStateView;
  readonly queues: ReadonlyArray<{ readonly id: string; readonly name: string; readonly wrapUpSeconds: number }>;
  readonly dispositions: readonly string[];
  readonly notReadyReasons: readonly string[];
}

/** Every answer to a client event: the result, or an error the desktop can show. */
export type Ack<T = unknown> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly details?: unknown } };
export type AckFn<T = unknown> = (res: Ack<T>) => void;

export interface AgentServerEvents {
  /** Sent once after connecting: who the agent is, their state and the lists the desktop offers. */
  'agent:hello': (hello: AgentHello) => void;
  'agent:state': (state: AgentStateView) => void;
  /** The screen pop, at ring time. Acknowledge it: `(pop, ack) => { render(pop); ack() }`. */
  'call:offered': (pop: Pop, ack: () => void) => void;
  /** The call left this agent (caller gone, rang out, ...): take the pop down. */
  'call:withdrawn': (e: { callId: string; reason: WithdrawReason }) => void;
  'call:answered': (e: { callId: string; at: string }) => void;
  'call:ended': (e: { callId: string; at: string; hangupBy: HangupBy; wrapUpUntil: string | null }) => void;
  /** The customer on the call was chosen or completed (on any of the agent's desktops). */
  'call:customer': (e: { callId: string; customer: PopCustomer | null; prompts: readonly PopPrompt[] }) => void;
}

export interface SetStateInput {
  status: 'ready' | 'not_ready' | 'logged_out';
  reason?: string;
}
export interface WrapUpInput {
  callId: string;
  disposition: string;
  notes?: string;
}
export interface TicketInput {
  customerId: number;
  callId?: string;
  subject: string;
  description?: string;
  category: TicketCategory;
  priority?: TicketPriority;
}
export interface FollowUpInput {
  customerId: number;
  callId?: string;
  /** YYYY-MM-DD. */
  dueDate: string;
  note: string;
  /** Defaults to the agent making it. */
  assigneeAgentId?: string;
}
export interface PromptOutcomeInput {
  callId: string;
  ruleId: number;
  outcome: PromptOutcome;
}
export interface LinkCustomerInput {
  callId: string;
  customerId: number;
}

export interface AgentClientEvents {
  'agent:set-state': (input: SetStateInput, ack: AckFn<AgentStateView>) => void;
  'call:link-customer': (input: LinkCustomerInput, ack: AckFn<{ customer: PopCustomer | null; prompts: readonly PopPrompt[] }>) => void;
  'call:wrap-up': (input: WrapUpInput, ack: AckFn<{ callId: string; disposition: string }>) => void;
  'ticket:create': (input: TicketInput, ack: AckFn<{ id: number }>) => void;
  'follow-up:create': (input: FollowUpInput, ack: AckFn<{ id: number }>) => void;
  'prompt:outcome': (input: PromptOutcomeInput, ack: AckFn<{ ruleId: number; outcome: PromptOutcome }>) => void;
}

export interface SupervisorServerEvents {
  /** The whole board: on connect, then after every change (at most a few times a second). */
  wallboard: (board: Wallboard) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SupervisorClientEvents {}

export interface SocketData {
  actor: Actor;
  /** Set on the /agent namespace. */
  agentId?: string;
}

export const agentRoom = (agentId: string) => `agent:${agentId}`;
/** Supervisors see masked numbers; admins see them whole. */
export const supervisorRoom = (full: boolean) => (full ? 'supervisors:full' : 'supervisors:masked');
