import { describe, expect, it } from 'vitest';
import type { AgentHello, AgentStateView } from '../../realtime/events.ts';
import type { Pop } from '../../pop/pop.types.ts';
import { deskReducer, emptyDesk, ringingCall, type DeskAction, type DeskState } from './desk-store.ts';

const at = '2025-01-01T10:00:00.000Z';
const pop = (id: string, customer: string | null = 'Ada Lovelace'): Pop =>
  ({
    call: { id, queue: { id: 'q', name: 'Q' }, from: { raw: '+1 415', e164: null }, withheld: false, callerName: null, waitSeconds: 1 },
    match: { outcome: customer ? 'single' : 'multiple', matchedOn: 'e164', candidates: [] },
    customer: customer ? { id: 1, displayName: customer } : null,
    historyAvailable: true,
    prompts: [],
  }) as unknown as Pop;
const state = (status: AgentStateView['status'], callId?: string, extra: Partial<AgentStateView> = {}): AgentStateView => ({ status, since: at, ...(callId ? { callId } : {}), ...extra });
const hello = (s: AgentStateView): AgentHello => ({ agent: { id: '1', name: 'A', skills: [], team: null, locale: 'en' }, state: s, queues: [], dispositions: [], notReadyReasons: [] });
const run = (...actions: DeskAction[]): DeskState => actions.reduce(deskReducer, emptyDesk);

describe('the agent desk state', () => {
  it('follows a call from ring to wrap-up', () => {
    let s = run({ type: 'hello', hello: hello(state('ready')) }, { type: 'state', state: state('ringing', 'c1') }, { type: 'offered', pop: pop('c1') });
    expect(s.calls[0]?.phase).toBe('ringing');
    expect(ringingCall(s)?.id).toBe('c1');
    s = deskReducer(s, { type: 'accepted', callId: 'c1' });
    expect(ringingCall(s)).toBeNull();
    s = deskReducer(s, { type: 'answered', callId: 'c1', at });
    expect(s.calls[0]?.phase).toBe('on_call');
    s = deskReducer(s, { type: 'ended', callId: 'c1', at, wrapUpUntil: null });
    expect(s.calls[0]?.phase).toBe('ended');
    s = deskReducer(s, { type: 'wrapped', callId: 'c1' });
    expect(s.calls[0]?.wrapped).toBe(true);
  });

  it('rebuilds the same screen after a reconnect: hello, then the same call offered again', () => {
    let s = run({ type: 'hello', hello: hello(state('ready')) }, { type: 'offered', pop: pop('c1') }, { type: 'answered', callId: 'c1', at });
    s = deskReducer(s, { type: 'hello', hello: hello(state('wrap_up', 'c1')) });
    s = deskReducer(s, { type: 'offered', pop: pop('c1', 'Ada L.') });
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ phase: 'ended', answeredAt: at });
    expect(s.calls[0]?.pop.customer?.displayName).toBe('Ada L.');
  });

  it('opens a reloaded desk on the call the agent is on, in the right phase', () => {
    const s = run({ type: 'hello', hello: hello(state('on_call', 'c9')) }, { type: 'offered', pop: pop('c9') });
    expect(s.calls[0]?.phase).toBe('on_call');
    expect(ringingCall(s)).toBeNull();
  });

  it('takes a ringing call down with its reason, whichever of state and withdrawal comes first', () => {
    const base = run({ type: 'hello', hello: hello(state('ringing', 'c1')) }, { type: 'offered', pop: pop('c1') });
    const stateFirst = [{ type: 'state', state: state('ready') }, { type: 'withdrawn', callId: 'c1', reason: 'caller_gone' }] as const;
    const withdrawFirst = [stateFirst[1], stateFirst[0]] as const;
    for (const order of [stateFirst, withdrawFirst]) {
      const s = order.reduce<DeskState>(deskReducer, base);
      expect(s.calls[0]).toMatchObject({ phase: 'gone', goneReason: 'caller_gone' });
    }
  });

  it('keeps an unsaved wrap-up on screen when the next call rings, and drops finished calls', () => {
    let s = run({ type: 'offered', pop: pop('c1') }, { type: 'answered', callId: 'c1', at }, { type: 'ended', callId: 'c1', at, wrapUpUntil: at });
    s = deskReducer(s, { type: 'offered', pop: pop('c2') });
    expect(s.calls.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(s.activeId).toBe('c2');
    s = deskReducer(s, { type: 'wrapped', callId: 'c1' });
    s = deskReducer(s, { type: 'offered', pop: pop('c3') });
    expect(s.calls.map((c) => c.id)).toEqual(['c2', 'c3']);
    s = deskReducer(s, { type: 'close', callId: 'c3' });
    expect(s.activeId).toBe('c2');
  });

  it('shows the customer the agent linked and the offers for them', () => {
    let s = run({ type: 'offered', pop: pop('c1', null) });
    s = deskReducer(s, { type: 'customer', callId: 'c1', customer: { id: 7, displayName: 'Vincent' } as never, prompts: [{ ruleId: 3 } as never] });
    expect(s.calls[0]?.pop.customer?.displayName).toBe('Vincent');
    expect(s.calls[0]?.pop.prompts).toHaveLength(1);
    s = deskReducer(s, { type: 'outcome', callId: 'c1', ruleId: 3, outcome: 'accepted' });
    expect(s.calls[0]?.outcomes[3]).toBe('accepted');
  });
});
