import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { SYSTEM_ACTORS, type AgentService } from '../routing/agent.service.ts';
import type { LiveState } from '../routing/live/live-state.ts';
import type { QueueService } from '../routing/queue.service.ts';
import type { Logger } from '../shared/logger.ts';
import { enqueueWebhook } from '../webhooks/webhook.repository.ts';
import { closeOrphanedCall, findCallRow, findOrphanedCalls, secondsBetween } from './call.repository.ts';
import type { CallService } from './call.service.ts';
import { callKey } from './call.types.ts';

/**
 * A node's id for one run: the configured name and a run id, so a node restarted under the same
 * NODE_ID is a different owner from the run that crashed, and that run's calls are seen as lost.
 */
export const runNodeId = (name: string, run: string) => `${name}#${run}`;
const nodeName = (nodeId: string) => {
  const run = nodeId.lastIndexOf('#');
  return run < 0 ? nodeId : nodeId.slice(0, run);
};
const sameNodeEarlierRun = (node: string, me: string) => node !== me && node.includes('#') && nodeName(node) === nodeName(me);

export interface LostCallDeps {
  db: Kysely<DB>;
  live: LiveState;
  log: Logger;
  webhookUrls: readonly string[];
}

type OpenCall = { id: string; answered_at: Date | null; node_id: string | null; source: string; external_id: string };

type Talking = { agentId: string; since: number };

/**
 * The agents the live state says are talking, by the call they are on: the truth when a lost node
 * answered a call but died before its call log said so. Reads every agent's state, so a sweep
 * reads it once for all its lost calls.
 */
async function agentsOnCalls(agents: AgentService): Promise<Map<string, Talking>> {
  const onCall = new Map<string, Talking>();
  for (const [agentId, { state }] of await agents.states(agents.all().map((a) => a.id))) {
    if (state.status === 'on_call') onCall.set(state.callId, { agentId, since: state.since });
  }
  return onCall;
}

/**
 * Closes one call whose node is gone, as that node would have: its log row gets an outcome
 * (answered → ended, else failed; `node_lost`), the call.ended webhook, and its queue place and
 * registrations go; an agent still on it is released (told, with the queue's wrap-up). Resolves
 * with the closed row, or undefined when someone closed it first.
 */
export async function closeLostCall(
  d: LostCallDeps & { agents: AgentService; calls: Pick<CallService, 'releaseLostCall'> },
  o: OpenCall,
  onCall?: ReadonlyMap<string, Talking>,
) {
  const now = new Date();
  const talking = (onCall ?? (await agentsOnCalls(d.agents))).get(o.id) ?? null;
  const answeredAt = o.answered_at ?? (talking ? new Date(talking.since) : null);
  const row = await d.db.transaction().execute(async (trx) => {
    const r = await closeOrphanedCall(trx, o.id, {
      status: answeredAt ? 'ended' : 'failed',
      ended_at: now,
      hangup_by: 'system',
      end_reason: 'node_lost',
      ...(answeredAt ? { answered_at: answeredAt, talk_seconds: secondsBetween(answeredAt.getTime(), now.getTime()) } : {}),
      ...(talking ? { agent_id: Number(talking.agentId) } : {}),
    });
    if (r) await enqueueWebhook(trx, d.webhookUrls, 'call.ended', { id: o.id, source: o.source, externalId: o.external_id, status: r.status, endReason: 'node_lost', endedAt: now.toISOString() });
    return r;
  });
  if (!row) return undefined;
  d.log.warn({ callId: o.id, node: o.node_id, status: row.status }, 'closed a call whose node is gone');
  if (row.queue_id) await d.live.removeWaiting(row.queue_id, o.id);
  await d.live.unregisterCall(`id:${o.id}`);
  await d.live.unregisterCall(`ext:${callKey(o.source, o.external_id)}`);
  if (talking) await d.calls.releaseLostCall(talking.agentId, o.id, row.queue_id);
  return row;
}

/**
 * Closes calls whose node is gone (it crashed, or stopped before its call log was written), at
 * start and then periodically: each gets an outcome in the log, its queue place and registration
 * are dropped, and an agent still tied to it is released. Every offered call ends as one log row.
 */
export class CallRecovery {
  private readonly d: LostCallDeps & { agents: AgentService; queues: QueueService; calls: CallService; nodeId: string };
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(deps: CallRecovery['d']) {
    this.d = deps;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns how many calls it closed. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const alive = await this.d.live.liveNodes();
      // An earlier run of this node (restarted with the same NODE_ID) is gone, whatever its
      // heartbeat still says: its calls are closed now rather than when the heartbeat expires.
      for (const node of alive) if (sameNodeEarlierRun(node, this.d.nodeId)) alive.delete(node);
      alive.add(this.d.nodeId);
      const closed = await this.closeOrphans([...alive]);
      await this.dropStaleLiveState(alive);
      return closed;
    } catch (err) {
      this.d.log.error({ err }, 'call recovery pass failed');
      return 0;
    } finally {
      this.running = false;
    }
  }

  private async closeOrphans(alive: string[]): Promise<number> {
    const orphans = await findOrphanedCalls(this.d.db, alive);
    const onCall = orphans.length ? await agentsOnCalls(this.d.agents) : new Map<string, Talking>();
    let closed = 0;
    for (const o of orphans) {
      if (await closeLostCall(this.d, o, onCall)) closed++;
    }
    return closed;
  }

  /** Queue places and registrations of lost nodes, and agents still ringing or talking for calls nobody holds. */
  private async dropStaleLiveState(alive: Set<string>): Promise<void> {
    for (const q of this.d.queues.all()) {
      for (const e of await this.d.live.waiting(q.id)) if (!alive.has(e.ownerNode)) await this.d.live.removeWaiting(q.id, e.callId);
    }
    const live = await this.d.live.liveCalls();
    const held = new Set(live.filter((r) => alive.has(r.ownerNode)).map((r) => r.callId));
    const states = await this.d.agents.states(this.d.agents.all().map((a) => a.id));
    for (const [agentId, { state }] of states) {
      if ((state.status !== 'ringing' && state.status !== 'on_call') || held.has(state.callId)) continue;
      // A call registers before its agent can ring, so a call missing here is really gone.
      if (state.status === 'on_call') {
        const row = await findCallRow(this.d.db, state.callId);
        await this.d.calls.releaseLostCall(agentId, state.callId, row?.queue_id ?? null);
        continue;
      }
      await this.d.agents.apply(agentId, { type: 'caller_gone', callId: state.callId }, { actor: SYSTEM_ACTORS.lostNode }).catch((err) => this.d.log.warn({ err, agentId }, 'releasing an agent of a lost call failed'));
    }
    for (const r of live) if (!alive.has(r.ownerNode)) await this.d.live.unregisterCall(r.key);
  }
}
