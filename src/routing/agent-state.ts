// Agent state machine: pure, no I/O. All times are injected ms timestamps.

export type AgentState =
  | { readonly status: 'logged_out'; readonly since: number }
  | { readonly status: 'ready'; readonly since: number }
  | { readonly status: 'not_ready'; readonly since: number; readonly reason: string }
  | { readonly status: 'ringing'; readonly since: number; readonly callId: string }
  | { readonly status: 'on_call'; readonly since: number; readonly callId: string }
  | { readonly status: 'wrap_up'; readonly since: number; readonly callId: string; readonly until?: number };

export type AgentStatus = AgentState['status'];

export type AgentEvent =
  | { readonly type: 'login' }
  | { readonly type: 'ready' }
  | { readonly type: 'not_ready'; readonly reason: string }
  | { readonly type: 'offer'; readonly callId: string }
  | { readonly type: 'answer'; readonly callId: string }
  | { readonly type: 'ring_timeout'; readonly callId: string }
  | { readonly type: 'caller_gone'; readonly callId: string }
  | { readonly type: 'hangup'; readonly callId: string }
  | { readonly type: 'wrap_up_done'; readonly callId: string }
  /** Timer check: ends an expired wrap-up; otherwise leaves the state unchanged. */
  | { readonly type: 'tick' }
  | { readonly type: 'logout' };

export type AgentEventType = AgentEvent['type'];

export interface TransitionOptions {
  /** Automatic wrap-up length; `<= 0` means wrap-up lasts until `wrap_up_done`. */
  readonly wrapUpSeconds: number;
  /** Reasons an agent may choose; the system reason `MISSED_REASON` is always allowed. */
  readonly notReadyReasons: readonly string[];
}

export type TransitionErrorCode = 'INVALID_STATE' | 'UNKNOWN_REASON';

export type TransitionResult =
  | { readonly ok: true; readonly state: AgentState }
  | { readonly ok: false; readonly code: TransitionErrorCode; readonly message: string };

/** Reason set by the system when an offered call rings out unanswered. */
export const MISSED_REASON = 'missed';

export function loggedOut(now: number): AgentState {
  return { status: 'logged_out', since: now };
}

/** Ends a wrap-up whose timer has expired: the agent became ready at `until`. */
export function settle(state: AgentState, now: number): AgentState {
  if (state.status === 'wrap_up' && state.until !== undefined && state.until <= now) {
    return { status: 'ready', since: state.until };
  }
  return state;
}

/** True when the agent is tied to a call and must not be offered another. */
export function isBusy(state: AgentState): boolean {
  return state.status === 'ringing' || state.status === 'on_call';
}

function ok(state: AgentState): TransitionResult {
  return { ok: true, state };
}

function invalid(state: AgentState, event: AgentEvent, detail?: string): TransitionResult {
  return {
    ok: false,
    code: 'INVALID_STATE',
    message: `cannot apply '${event.type}' while ${state.status}${detail ? `: ${detail}` : ''}`,
  };
}

function currentCallId(state: AgentState): string | undefined {
  return 'callId' in state ? state.callId : undefined;
}

/**
 * Applies one event. Before the event, an expired wrap-up is settled to ready (see `settle`).
 * Events naming a call other than the agent's current call are rejected with INVALID_STATE.
 */
export function transition(
  input: AgentState,
  event: AgentEvent,
  now: number,
  opts: TransitionOptions,
): TransitionResult {
  const state = settle(input, now);

  // Call-scoped events must match the agent's current call.
  if ('callId' in event && event.type !== 'offer') {
    const current = currentCallId(state);
    if (current !== undefined && current !== event.callId) {
      return invalid(state, event, `call ${event.callId} is not the current call ${current}`);
    }
  }

  switch (event.type) {
    case 'login':
      return state.status === 'logged_out' ? ok({ status: 'ready', since: now }) : invalid(state, event);

    case 'ready':
      // Only a not-ready agent may declare ready; ringing/on_call can never go ready.
      return state.status === 'not_ready' ? ok({ status: 'ready', since: now }) : invalid(state, event);

    case 'not_ready': {
      if (state.status !== 'ready' && state.status !== 'not_ready' && state.status !== 'wrap_up') {
        return invalid(state, event);
      }
      if (!opts.notReadyReasons.includes(event.reason)) {
        return { ok: false, code: 'UNKNOWN_REASON', message: `unknown not-ready reason '${event.reason}'` };
      }
      return ok({ status: 'not_ready', since: now, reason: event.reason });
    }

    case 'offer':
      if (state.status !== 'ready') {
        const current = currentCallId(state);
        return invalid(state, event, current !== undefined ? `agent is handling call ${current}` : undefined);
      }
      return ok({ status: 'ringing', since: now, callId: event.callId });

    case 'answer':
      return state.status === 'ringing'
        ? ok({ status: 'on_call', since: now, callId: event.callId })
        : invalid(state, event);

    case 'ring_timeout':
      return state.status === 'ringing'
        ? ok({ status: 'not_ready', since: now, reason: MISSED_REASON })
        : invalid(state, event);

    case 'caller_gone':
      return state.status === 'ringing' ? ok({ status: 'ready', since: now }) : invalid(state, event);

    case 'hangup': {
      if (state.status !== 'on_call') return invalid(state, event);
      const next: AgentState =
        opts.wrapUpSeconds > 0
          ? { status: 'wrap_up', since: now, callId: event.callId, until: now + opts.wrapUpSeconds * 1000 }
          : { status: 'wrap_up', since: now, callId: event.callId };
      return ok(next);
    }

    case 'wrap_up_done':
      return state.status === 'wrap_up' ? ok({ status: 'ready', since: now }) : invalid(state, event);

    case 'tick':
      return ok(state);

    case 'logout':
      return state.status === 'ready' || state.status === 'not_ready' || state.status === 'wrap_up'
        ? ok({ status: 'logged_out', since: now })
        : invalid(state, event);
  }
}
