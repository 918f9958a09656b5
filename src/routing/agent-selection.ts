import type { AgentState } from './agent-state.ts';

export interface SelectableAgent {
  readonly id: string;
  readonly state: AgentState;
  readonly skills: readonly string[];
}

export interface QueuedCaller {
  readonly callId: string;
  readonly priority: number;
  readonly enqueuedAt: number;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The longest-idle ready agent with `queueSkill` not in `exclude`; idle since = `state.since`.
 * Ties go to the lexicographically smallest id. Null when nobody qualifies.
 */
export function chooseAgent(
  agents: readonly SelectableAgent[],
  queueSkill: string,
  exclude: ReadonlySet<string>,
): string | null {
  let best: { id: string; since: number } | null = null;
  for (const agent of agents) {
    if (agent.state.status !== 'ready') continue;
    if (!agent.skills.includes(queueSkill)) continue;
    if (exclude.has(agent.id)) continue;
    const since = agent.state.since;
    if (best === null || since < best.since || (since === best.since && compareIds(agent.id, best.id) < 0)) {
      best = { id: agent.id, since };
    }
  }
  return best === null ? null : best.id;
}

/** New array: highest priority first, then longest wait (earliest enqueuedAt), then callId. */
export function orderQueue<T extends QueuedCaller>(callers: readonly T[]): T[] {
  return [...callers].sort(
    (a, b) => b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || compareIds(a.callId, b.callId),
  );
}

export const SEGMENT_PRIORITY = { platinum: 30, gold: 20, standard: 10 } as const;
export const DEFAULT_PRIORITY = 10;

/** platinum 30, gold 20; standard, unknown, withheld number or no match (null) 10. Case-insensitive. */
export function priorityForSegment(segment: string | null): number {
  if (segment === null) return DEFAULT_PRIORITY;
  const key = segment.trim().toLowerCase();
  if (key === 'platinum') return SEGMENT_PRIORITY.platinum;
  if (key === 'gold') return SEGMENT_PRIORITY.gold;
  return DEFAULT_PRIORITY;
}
