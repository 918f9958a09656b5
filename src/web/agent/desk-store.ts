// What the agent desktop knows, rebuilt from the socket's events alone: agent:hello and agent:state
// say who and in which state; call:* events say what happens to each call. Pure, so it is tested
// without a browser, and a reconnect (hello + a re-sent call:offered) lands on the same screen.
import type { AgentHello, AgentStateView } from '../../realtime/events.ts';
import type { Pop, PopCustomer, PopPrompt } from '../../pop/pop.types.ts';
import type { PromptOutcome } from '../../db/schema.ts';

export type CallPhase = 'ringing' | 'on_call' | 'ended' | 'gone';

export interface DeskCall {
  readonly id: string;
  readonly pop: Pop;
  readonly phase: CallPhase;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  /** When the queue's automatic wrap-up ends; null when the agent must finish it. */
  readonly wrapUpUntil: string | null;
  /** Why the call left before it was answered (caller_gone, ring_timeout, ...). */
  readonly goneReason: string | null;
  readonly wrapped: boolean;
  readonly outcomes: Readonly<Record<number, PromptOutcome>>;
  /** The agent took the pop (accept key): the ringer stops. */
  readonly accepted: boolean;
}

export interface DeskState {
  readonly hello: AgentHello | null;
  readonly state: AgentStateView | null;
  /** Calls still on screen, oldest first: the current one and any whose wrap-up is not saved. */
  readonly calls: readonly DeskCall[];
  readonly activeId: string | null;
}

export type DeskAction =
  | { type: 'hello'; hello: AgentHello }
  | { type: 'state'; state: AgentStateView }
  | { type: 'offered'; pop: Pop }
  | { type: 'withdrawn'; callId: string; reason: string }
  | { type: 'answered'; callId: string; at: string }
  | { type: 'ended'; callId: string; at: string; wrapUpUntil: string | null }
  | { type: 'customer'; callId: string; customer: PopCustomer | null; prompts: readonly PopPrompt[] }
  | { type: 'outcome'; callId: string; ruleId: number; outcome: PromptOutcome }
  | { type: 'wrapped'; callId: string }
  | { type: 'accepted'; callId: string }
  | { type: 'show'; callId: string }
  | { type: 'close'; callId: string };

export const emptyDesk: DeskState = { hello: null, state: null, calls: [], activeId: null };

/** Unsaved wrap-ups kept on screen at most (older ones are in the call log without a disposition). */
const MAX_CALLS = 5;

function phaseFromState(state: AgentStateView | null, callId: string): CallPhase | null {
  if (!state || state.callId !== callId) return null;
  if (state.status === 'on_call') return 'on_call';
  if (state.status === 'wrap_up') return 'ended';
  if (state.status === 'ringing') return 'ringing';
  return null;
}

function update(s: DeskState, callId: string, fn: (c: DeskCall) => DeskCall): DeskState {
  if (!s.calls.some((c) => c.id === callId)) return s;
  return { ...s, calls: s.calls.map((c) => (c.id === callId ? fn(c) : c)) };
}

export function deskReducer(s: DeskState, a: DeskAction): DeskState {
  switch (a.type) {
    case 'hello':
      return deskReducer({ ...s, hello: a.hello }, { type: 'state', state: a.hello.state });
    case 'state': {
      // The state is the truth when an event was missed (a reconnect after the call moved on).
      const calls = s.calls.map((c): DeskCall => {
        const phase = phaseFromState(a.state, c.id);
        if (phase === 'on_call' && c.phase === 'ringing') return { ...c, phase };
        if (phase === 'ended' && (c.phase === 'ringing' || c.phase === 'on_call')) return { ...c, phase, wrapUpUntil: a.state.until ?? null };
        if (phase === null && c.phase === 'ringing') return { ...c, phase: 'gone' };
        if (phase === null && c.phase === 'on_call') return { ...c, phase: 'ended' };
        return c;
      });
      return { ...s, state: a.state, calls };
    }
    case 'offered': {
      const existing = s.calls.find((c) => c.id === a.pop.call.id);
      if (existing) {
        // The same call again (a reconnect re-pops it): fresher data, same screen.
        return { ...update(s, existing.id, (c) => ({ ...c, pop: a.pop })), activeId: existing.id };
      }
      const call: DeskCall = {
        id: a.pop.call.id,
        pop: a.pop,
        phase: phaseFromState(s.state, a.pop.call.id) ?? 'ringing',
        answeredAt: null,
        endedAt: null,
        wrapUpUntil: null,
        goneReason: null,
        wrapped: false,
        outcomes: {},
        accepted: false,
      };
      // Finished calls give way to the new one; unsaved wrap-ups stay.
      const kept = s.calls.filter((c) => !c.wrapped && c.phase !== 'gone').slice(-(MAX_CALLS - 1));
      return { ...s, calls: [...kept, call], activeId: call.id };
    }
    case 'withdrawn':
      // The state change (ready again) may arrive first and already took the call down: add the why.
      return update(s, a.callId, (c) => (c.phase === 'ringing' || (c.phase === 'gone' && c.goneReason === null) ? { ...c, phase: 'gone', goneReason: a.reason } : c));
    case 'answered':
      return update(s, a.callId, (c) => ({ ...c, phase: 'on_call', answeredAt: a.at, accepted: true }));
    case 'ended':
      return update(s, a.callId, (c) => ({ ...c, phase: 'ended', endedAt: a.at, wrapUpUntil: a.wrapUpUntil, accepted: true }));
    case 'customer':
      return update(s, a.callId, (c) => ({ ...c, pop: { ...c.pop, customer: a.customer, prompts: a.prompts, historyAvailable: true } }));
    case 'outcome':
      return update(s, a.callId, (c) => ({ ...c, outcomes: { ...c.outcomes, [a.ruleId]: a.outcome } }));
    case 'wrapped':
      return update(s, a.callId, (c) => ({ ...c, wrapped: true }));
    case 'accepted':
      return update(s, a.callId, (c) => ({ ...c, accepted: true }));
    case 'show':
      return s.calls.some((c) => c.id === a.callId) ? { ...s, activeId: a.callId } : s;
    case 'close': {
      const calls = s.calls.filter((c) => c.id !== a.callId);
      return { ...s, calls, activeId: s.activeId === a.callId ? (calls.at(-1)?.id ?? null) : s.activeId };
    }
  }
}

/** The call the agent hears ringing (not yet taken), if any. */
export function ringingCall(s: DeskState): DeskCall | null {
  return s.calls.find((c) => c.phase === 'ringing' && !c.accepted) ?? null;
}
