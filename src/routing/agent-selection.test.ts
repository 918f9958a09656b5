import { describe, it, expect } from 'vitest';
import { chooseAgent, orderQueue, priorityForSegment } from './agent-selection.ts';
import type { SelectableAgent } from './agent-selection.ts';
import type { AgentState } from './agent-state.ts';

const ready = (since: number): AgentState => ({ status: 'ready', since });
const agent = (id: string, state: AgentState, skills: string[] = ['sales']): SelectableAgent => ({ id, state, skills });
const NONE = new Set<string>();

describe('chooseAgent', () => {
  it('null for no agents', () => {
    expect(chooseAgent([], 'sales', NONE)).toBeNull();
  });
  it('picks the longest-idle ready agent', () => {
    expect(chooseAgent([agent('a', ready(300)), agent('b', ready(100)), agent('c', ready(200))], 'sales', NONE)).toBe('b');
  });
  it('ties are broken by smallest id regardless of input order', () => {
    const agents = [agent('c', ready(100)), agent('a', ready(100)), agent('b', ready(100))];
    expect(chooseAgent(agents, 'sales', NONE)).toBe('a');
    expect(chooseAgent([...agents].reverse(), 'sales', NONE)).toBe('a');
  });
  it('id tie-break is by code unit, not locale', () => {
    expect(chooseAgent([agent('b', ready(1)), agent('B', ready(1))], 'sales', NONE)).toBe('B');
    expect(chooseAgent([agent('a10', ready(1)), agent('a9', ready(1))], 'sales', NONE)).toBe('a10');
  });
  it('an older idle time beats a smaller id', () => {
    expect(chooseAgent([agent('a', ready(200)), agent('z', ready(100))], 'sales', NONE)).toBe('z');
  });
  it('ignores agents without the skill', () => {
    expect(chooseAgent([agent('a', ready(1), ['support']), agent('b', ready(5))], 'sales', NONE)).toBe('b');
    expect(chooseAgent([agent('a', ready(1), ['support'])], 'sales', NONE)).toBeNull();
    expect(chooseAgent([agent('a', ready(1), [])], 'sales', NONE)).toBeNull();
  });
  it('skills match exactly', () => {
    expect(chooseAgent([agent('a', ready(1), ['Sales'])], 'sales', NONE)).toBeNull();
  });
  it('honours the exclude set', () => {
    const agents = [agent('a', ready(1)), agent('b', ready(2))];
    expect(chooseAgent(agents, 'sales', new Set(['a']))).toBe('b');
    expect(chooseAgent(agents, 'sales', new Set(['a', 'b']))).toBeNull();
  });
  it.each<AgentState>([
    { status: 'logged_out', since: 0 },
    { status: 'not_ready', since: 0, reason: 'break' },
    { status: 'ringing', since: 0, callId: 'c' },
    { status: 'on_call', since: 0, callId: 'c' },
    { status: 'wrap_up', since: 0, callId: 'c', until: 1 },
  ])('never picks a $status agent, even if idle longer', (state) => {
    expect(chooseAgent([agent('x', state), agent('y', ready(1000))], 'sales', NONE)).toBe('y');
    expect(chooseAgent([agent('x', state)], 'sales', NONE)).toBeNull();
  });
});

describe('orderQueue', () => {
  it('empty stays empty', () => {
    expect(orderQueue([])).toEqual([]);
  });
  it('highest priority first, then longest wait, then callId', () => {
    const callers = [
      { callId: 'd', priority: 10, enqueuedAt: 100 },
      { callId: 'a', priority: 30, enqueuedAt: 500 },
      { callId: 'c', priority: 20, enqueuedAt: 200 },
      { callId: 'b', priority: 20, enqueuedAt: 100 },
      { callId: 'f', priority: 10, enqueuedAt: 50 },
      { callId: 'e', priority: 10, enqueuedAt: 50 },
    ];
    expect(orderQueue(callers).map((c) => c.callId)).toEqual(['a', 'b', 'c', 'e', 'f', 'd']);
  });
  it('does not mutate input and keeps extra fields', () => {
    const callers = [
      { callId: 'x', priority: 10, enqueuedAt: 2, extra: 1 },
      { callId: 'y', priority: 20, enqueuedAt: 3, extra: 2 },
    ];
    const out = orderQueue(callers);
    expect(out.map((c) => c.extra)).toEqual([2, 1]);
    expect(callers.map((c) => c.callId)).toEqual(['x', 'y']);
  });
});

describe('priorityForSegment', () => {
  it.each<[string | null, number]>([
    ['platinum', 30],
    ['gold', 20],
    ['standard', 10],
    ['PLATINUM', 30],
    [' Gold ', 20],
    ['silver', 10],
    ['', 10],
    ['withheld', 10],
    ['none', 10],
    [null, 10],
  ])('%o → %i', (segment, expected) => {
    expect(priorityForSegment(segment)).toBe(expected);
  });
});
