import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { LiveState } from '../routing/live/live-state.ts';
import type { QueueService } from '../routing/queue.service.ts';
import type { Logger } from '../shared/logger.ts';
import { enqueueWebhook } from '../webhooks/webhook.repository.ts';
import { closeOrphanedCall, findOrphanedCalls, secondsBetween } from './call.repository.ts';
import { callKey } from './call.types.ts';

/**
 * Closes calls whose node is gone (it crashed, or stopped before its call log was written), at
 * start and then periodically: each gets an outcome in the log, its queue place and registration
 * are dropped, and an agent still tied to it is released. Every offered call ends as one log row.
 */
export class CallRecovery {
  private readonly d: { db: Kysely<DB>; live: LiveState; agents: AgentService; queues: QueueService; log: Logger; nodeId: string; webhookUrls: readonly string[] };
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
    let closed = 0;
    for (const o of orphans) {
      const now = new Date();
      const answered = o.answered_at !== null;
      const row = await this.d.db.transaction().execute(async (trx) => {
        const r = await closeOrphanedCall(trx, o.id, {
          status: answered ? 'ended' : 'failed',
          ended_at: now,
          hangup_by: 'system',
          end_reason: 'node_lost',
          ...(answered ? { talk_seconds: secondsBetween(o.answered_at!.getTime(), now.getTime()) } : {}),
        });
        if (r) await enqueueWebhook(trx, this.d.webhookUrls, 'call.ended', { id: o.id, source: o.source, externalId: o.external_id, status: r.status, endReason: 'node_lost', endedAt: now.toISOString() });
        return r;
      });
      if (!row) continue;
      closed++;
      this.d.log.warn({ callId: o.id, node: o.node_id, status: row.status }, 'closed a call whose node is gone');
      if (row.queue_id) await this.d.live.removeWaiting(row.queue_id, o.id);
      await this.d.live.unregisterCall(`id:${o.id}`);
      await this.d.live.unregisterCall(`ext:${callKey(o.source, o.external_id)}`);
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
      const event = state.status === 'ringing' ? ({ type: 'caller_gone', callId: state.callId } as const) : ({ type: 'hangup', callId: state.callId } as const);
      await this.d.agents.apply(agentId, event).catch((err) => this.d.log.warn({ err, agentId }, 'releasing an agent of a lost call failed'));
    }
    for (const r of live) if (!alive.has(r.ownerNode)) await this.d.live.unregisterCall(r.key);
  }
}
