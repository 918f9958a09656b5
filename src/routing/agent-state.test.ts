import { describe, it, expect } from 'vitest';
import { transition, settle, isBusy, loggedOut, MISSED_REASON } from './agent-state.ts';
import type { AgentState, AgentEvent, AgentStatus, TransitionOptions } from './agent-state.ts';

const T0 = 1_700_000_000_000;
const NOW = T0 + 60_000;
const OPTS: TransitionOptions = { wrapUpSeconds: 30, notReadyReasons: ['break', 'lunch', 'training'] };

const S: Record<AgentStatus, AgentState> = {
  logged_out: { status: 'logged_out', since: T0 },
  ready: { status: 'ready', since: T0 },
  not_ready: { status: 'not_ready', since: T0, reason: 'break' },
  ringing: { status: 'ringing', since: T0, callId: 'c1' },
  on_call: { status: 'on_call', since: T0, callId: 'c1' },
  wrap_up: { status: 'wrap_up', since: T0, callId: 'c1', until: NOW + 10_000 },
};

const E: Record<AgentEvent['type'], AgentEvent> = {
  login: { type: 'login' },
  ready: { type: 'ready' },
  not_ready: { type: 'not_ready', reason: 'lunch' },
  offer: { type: 'offer', callId: 'c2' },
  answer: { type: 'answer', callId: 'c1' },
  ring_timeout: { type: 'ring_timeout', callId: 'c1' },
  caller_gone: { type: 'caller_gone', callId: 'c1' },
  hangup: { type: 'hangup', callId: 'c1' },
  wrap_up_done: { type: 'wrap_up_done', callId: 'c1' },
  tick: { type: 'tick' },
  logout: { type: 'logout' },
};

// Full state × event table: expected resulting state, or null when rejected with INVALID_STATE.
const TABLE: Record<AgentStatus, Record<AgentEvent['type'], AgentState | null>> = {
  logged_out: {
    login: { status: 'ready', since: NOW },
    ready: null, not_ready: null, offer: null, answer: null, ring_timeout: null,
    caller_gone: null, hangup: null, wrap_up_done: null,
    tick: S.logged_out,
    logout: null,
  },
  ready: {
    login: null, ready: null,
    not_ready: { status: 'not_ready', since: NOW, reason: 'lunch' },
    offer: { status: 'ringing', since: NOW, callId: 'c2' },
    answer: null, ring_timeout: null, caller_gone: null, hangup: null, wrap_up_done: null,
    tick: S.ready,
    logout: { status: 'logged_out', since: NOW },
  },
  not_ready: {
    login: null,
    ready: { status: 'ready', since: NOW },
    not_ready: { status: 'not_ready', since: NOW, reason: 'lunch' },
    offer: null, answer: null, ring_timeout: null, caller_gone: null, hangup: null, wrap_up_done: null,
    tick: S.not_ready,
    logout: { status: 'logged_out', since: NOW },
  },
  ringing: {
    login: null, ready: null, not_ready: null, offer: null,
    answer: { status: 'on_call', since: NOW, callId: 'c1' },
    ring_timeout: { status: 'not_ready', since: NOW, reason: MISSED_REASON },
    caller_gone: { status: 'ready', since: NOW },
    hangup: null, wrap_up_done: null,
    tick: S.ringing,
    logout: null,
  },
  on_call: {
    login: null, ready: null, not_ready: null, offer: null, answer: null, ring_timeout: null, caller_gone: null,
    hangup: { status: 'wrap_up', since: NOW, callId: 'c1', until: NOW + 30_000 },
    wrap_up_done: null,
    tick: S.on_call,
    logout: null,
  },
  wrap_up: {
    login: null, ready: null,
    not_ready: { status: 'not_ready', since: NOW, reason: 'lunch' },
    offer: null, answer: null, ring_timeout: null, caller_gone: null, hangup: null,
    wrap_up_done: { status: 'ready', since: NOW },
    tick: S.wrap_up,
    logout: { status: 'logged_out', since: NOW },
  },
};

const CASES = Object.entries(TABLE).flatMap(([status, row]) =>
  Object.entries(row).map(([type, expected]) => ({ status: status as AgentStatus, type: type as AgentEvent['type'], expected })),
);

describe('transition: every state × event', () => {
  it('the table covers all 66 combinations', () => {
    expect(CASES).toHaveLength(66);
  });

  it.each(CASES)('$status + $type', ({ status, type, expected }) => {
    const result = transition(S[status], E[type], NOW, OPTS);
    if (expected === null) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe('INVALID_STATE');
        expect(result.message).toContain(type);
      }
    } else {
      expect(result).toEqual({ ok: true, state: expected });
    }
  });
});

describe('invariant: busy agents never go ready nor take another offer', () => {
  const busy = [S.ringing, S.on_call];
  const toReady: AgentEvent[] = [
    { type: 'ready' },
    { type: 'login' },
    { type: 'offer', callId: 'c1' },
    { type: 'offer', callId: 'c9' },
    { type: 'wrap_up_done', callId: 'c1' },
    { type: 'not_ready', reason: 'break' },
    { type: 'logout' },
  ];
  for (const state of busy) {
    it.each(toReady)(`${state.status} rejects %o`, (event) => {
      const r = transition(state, event, NOW, OPTS);
      expect(r.ok).toBe(false);
    });
  }
  it('busy detection', () => {
    expect(isBusy(S.ringing)).toBe(true);
    expect(isBusy(S.on_call)).toBe(true);
    expect(isBusy(S.ready)).toBe(false);
    expect(isBusy(S.wrap_up)).toBe(false);
  });
  it('offer while ringing names the current call', () => {
    const r = transition(S.ringing, { type: 'offer', callId: 'c2' }, NOW, OPTS);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    if (!r.ok) expect(r.message).toContain('c1');
  });
});

describe('events for another call are rejected', () => {
  const cases: [AgentState, AgentEvent][] = [
    [S.ringing, { type: 'answer', callId: 'other' }],
    [S.ringing, { type: 'ring_timeout', callId: 'other' }],
    [S.ringing, { type: 'caller_gone', callId: 'other' }],
    [S.ringing, { type: 'hangup', callId: 'other' }],
    [S.on_call, { type: 'hangup', callId: 'other' }],
    [S.on_call, { type: 'answer', callId: 'other' }],
    [S.wrap_up, { type: 'wrap_up_done', callId: 'other' }],
    [S.wrap_up, { type: 'hangup', callId: 'other' }],
  ];
  it.each(cases)('%o + %o', (state, event) => {
    const r = transition(state, event, NOW, OPTS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('INVALID_STATE');
      expect(r.message).toContain('other');
    }
  });
});

describe('not-ready reasons', () => {
  it.each(['ready', 'not_ready', 'wrap_up'] as const)('unknown reason from %s is UNKNOWN_REASON', (status) => {
    const r = transition(S[status], { type: 'not_ready', reason: 'nap' }, NOW, OPTS);
    expect(r).toMatchObject({ ok: false, code: 'UNKNOWN_REASON' });
  });
  it('reasons are exact (case-sensitive)', () => {
    expect(transition(S.ready, { type: 'not_ready', reason: 'Break' }, NOW, OPTS).ok).toBe(false);
  });
  it('state is checked before the reason', () => {
    const r = transition(S.on_call, { type: 'not_ready', reason: 'nap' }, NOW, OPTS);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });
  it('the system reason "missed" is set by ring_timeout even when not configured', () => {
    const r = transition(S.ringing, { type: 'ring_timeout', callId: 'c1' }, NOW, { ...OPTS, notReadyReasons: [] });
    expect(r).toEqual({ ok: true, state: { status: 'not_ready', since: NOW, reason: 'missed' } });
  });
  it('agents cannot choose "missed" unless configured', () => {
    expect(transition(S.ready, { type: 'not_ready', reason: 'missed' }, NOW, OPTS)).toMatchObject({ code: 'UNKNOWN_REASON' });
  });
});

describe('wrap-up timer', () => {
  const wrap: AgentState = { status: 'wrap_up', since: T0, callId: 'c1', until: T0 + 30_000 };

  it('hangup sets until = now + wrapUpSeconds', () => {
    const r = transition(S.on_call, { type: 'hangup', callId: 'c1' }, NOW, { ...OPTS, wrapUpSeconds: 45 });
    expect(r).toEqual({ ok: true, state: { status: 'wrap_up', since: NOW, callId: 'c1', until: NOW + 45_000 } });
  });
  it('wrapUpSeconds 0 gives an open-ended wrap-up that never expires', () => {
    const r = transition(S.on_call, { type: 'hangup', callId: 'c1' }, NOW, { ...OPTS, wrapUpSeconds: 0 });
    expect(r).toEqual({ ok: true, state: { status: 'wrap_up', since: NOW, callId: 'c1' } });
    if (r.ok) expect(transition(r.state, { type: 'tick' }, NOW + 1e9, OPTS)).toEqual({ ok: true, state: r.state });
  });
  it('tick before expiry keeps wrap-up', () => {
    expect(transition(wrap, { type: 'tick' }, T0 + 29_999, OPTS)).toEqual({ ok: true, state: wrap });
  });
  it('tick exactly at expiry makes the agent ready since `until`', () => {
    expect(transition(wrap, { type: 'tick' }, T0 + 30_000, OPTS)).toEqual({ ok: true, state: { status: 'ready', since: T0 + 30_000 } });
  });
  it('tick after expiry: idle time counts from `until`, not from the tick', () => {
    expect(transition(wrap, { type: 'tick' }, T0 + 90_000, OPTS)).toEqual({ ok: true, state: { status: 'ready', since: T0 + 30_000 } });
  });
  it('an expired wrap-up can take an offer directly', () => {
    expect(transition(wrap, { type: 'offer', callId: 'c2' }, T0 + 31_000, OPTS)).toEqual({
      ok: true,
      state: { status: 'ringing', since: T0 + 31_000, callId: 'c2' },
    });
  });
  it('an unexpired wrap-up cannot take an offer', () => {
    expect(transition(wrap, { type: 'offer', callId: 'c2' }, T0 + 29_000, OPTS).ok).toBe(false);
  });
  it('settle leaves other states alone', () => {
    expect(settle(S.ready, NOW)).toBe(S.ready);
    expect(settle(wrap, T0)).toBe(wrap);
  });
});

describe('full call lifecycle', () => {
  it('login → offer → answer → hangup → wrap_up_done → logout', () => {
    let state = loggedOut(T0);
    const steps: [AgentEvent, number, AgentStatus][] = [
      [{ type: 'login' }, T0 + 1, 'ready'],
      [{ type: 'offer', callId: 'x' }, T0 + 2, 'ringing'],
      [{ type: 'answer', callId: 'x' }, T0 + 3, 'on_call'],
      [{ type: 'hangup', callId: 'x' }, T0 + 4, 'wrap_up'],
      [{ type: 'wrap_up_done', callId: 'x' }, T0 + 5, 'ready'],
      [{ type: 'logout' }, T0 + 6, 'logged_out'],
    ];
    for (const [event, at, status] of steps) {
      const r = transition(state, event, at, OPTS);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.state.status).toBe(status);
      expect(r.state.since).toBe(at);
      state = r.state;
    }
  });
  it('does not mutate the input state', () => {
    const input = { ...S.ringing };
    transition(input, { type: 'answer', callId: 'c1' }, NOW, OPTS);
    expect(input).toEqual(S.ringing);
  });
});
