import type { Logger } from '../shared/logger.ts';
import { chooseAgent } from './agent-selection.ts';
import { SYSTEM_ACTORS, type AgentService } from './agent.service.ts';
import type { Bus } from './live/bus.ts';
import type { LiveState } from './live/live-state.ts';
import type { QueueService } from './queue.service.ts';

/**
 * Gives waiting callers to ready agents. Any node may dispatch any queue: the claim is atomic in
 * the shared live state, and the call's owner node is told to ring the agent. Dispatch runs when a
 * caller is queued, when an agent becomes ready, and every few seconds as a safety net.
 */
export class Dispatcher {
  private readonly live: LiveState;
  private readonly agents: AgentService;
  private readonly queues: QueueService;
  private readonly bus: Bus;
  private readonly log: Logger;
  /** Per queue: a run in progress, and whether another was asked for meanwhile. */
  private readonly running = new Map<string, { again: boolean }>();
  private timer?: NodeJS.Timeout;
  /** Counts live-state errors (for /metrics); set by the container. */
  onStateError: () => void = () => {};

  constructor(live: LiveState, agents: AgentService, queues: QueueService, bus: Bus, log: Logger) {
    this.live = live;
    this.agents = agents;
    this.queues = queues;
    this.bus = bus;
    this.log = log;
  }

  start(intervalMs = 2000): void {
    this.timer = setInterval(() => this.queues.all().forEach((q) => this.dispatch(q.id)), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Runs dispatch for every queue the agent serves. */
  dispatchForAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    for (const q of this.queues.all()) if (agent.skills.includes(q.skill)) this.dispatch(q.id);
  }

  /** Coalesces: one run per queue at a time on this node; asks made during a run cause one more run. */
  dispatch(queueId: string): void {
    const run = this.running.get(queueId);
    if (run) {
      run.again = true;
      return;
    }
    const state = { again: false };
    this.running.set(queueId, state);
    void (async () => {
      try {
        do {
          state.again = false;
          await this.runOnce(queueId);
        } while (state.again);
      } catch (err) {
        this.onStateError();
        this.log.error({ err, queueId }, 'dispatch failed');
      } finally {
        this.running.delete(queueId);
      }
    })();
  }

  private async runOnce(queueId: string): Promise<void> {
    const queue = this.queues.get(queueId);
    if (!queue) return;
    // A lost claim (another node took the agent or the caller) means the picture changed: look again.
    for (let round = 0; round < 50; round++) {
      const waiting = await this.live.waiting(queueId);
      if (!waiting.length) return;
      const roster = this.agents.withSkill(queue.skill);
      if (!roster.length) return;
      const states = await this.agents.states(roster.map((a) => a.id));
      const selectable = roster.map((a) => ({ id: a.id, skills: a.skills, state: states.get(a.id)!.state }));
      let attempted = false;
      const taken = new Set<string>();
      for (const entry of waiting) {
        const agentId = chooseAgent(selectable, queue.skill, new Set([...entry.tried, ...taken]));
        if (agentId === null) continue; // a caller behind may still fit an agent this one already tried
        attempted = true;
        const current = states.get(agentId)!;
        const ringing = { status: 'ringing' as const, since: Date.now(), callId: entry.callId };
        const version = await this.live.claim(queueId, entry.callId, agentId, current.version, ringing);
        if (version === null) break;
        taken.add(agentId);
        this.agents.changed(agentId, ringing, current.state, SYSTEM_ACTORS.routing);
        await this.bus.send(entry.ownerNode, { type: 'assigned', callId: entry.callId, agentId, agentVersion: version });
      }
      // Nobody could be offered a call: done until the next trigger. Otherwise look again.
      if (!attempted) return;
    }
  }
}
