import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { maskPhone } from '../customers/phone-number.ts';
import { ahtByAgent, computeQueueMetrics, startOfToday, type CallRecord } from '../routing/queue-metrics.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { LiveState } from '../routing/live/live-state.ts';
import type { QueueService } from '../routing/queue.service.ts';
import type { Logger } from '../shared/logger.ts';
import { callsSince, type TodayCallRow } from './wallboard.repository.ts';
import type { AgentOnBoard, QueueFigures, Wallboard } from './wallboard.types.ts';

const ABANDONED_LISTED = 50;
const STATUSES: AgentOnBoard['status'][] = ['logged_out', 'ready', 'not_ready', 'ringing', 'on_call', 'wrap_up'];

/** A call-log row as the pure metrics see it; a live call counts as waiting or ringing. */
function toRecord(r: TodayCallRow): CallRecord {
  const outcome: CallRecord['outcome'] =
    r.status === 'answered' || r.status === 'ended'
      ? 'answered'
      : r.status === 'abandoned'
        ? 'abandoned'
        : r.status === 'overflowed'
          ? 'overflowed'
          : r.status === 'ringing'
            ? 'ringing'
            : 'waiting';
  const num = (v: string | null) => (v === null ? undefined : Number(v));
  return {
    queueId: r.queue_id ?? '',
    offeredAt: (r.queued_at ?? r.offered_at).getTime(),
    ...(r.answered_at ? { answeredAt: r.answered_at.getTime() } : {}),
    ...(r.ended_at ? { endedAt: r.ended_at.getTime() } : {}),
    outcome,
    queued: r.queued,
    ...(num(r.wait_seconds) !== undefined ? { waitSeconds: num(r.wait_seconds) } : {}),
    // A call still on the phone has no talk time yet: it is not handled until it ends.
    ...(r.status === 'ended' && num(r.talk_seconds) !== undefined ? { talkSeconds: num(r.talk_seconds) } : {}),
    ...(num(r.wrap_seconds) !== undefined ? { wrapSeconds: num(r.wrap_seconds) } : {}),
    ...(r.agent_id !== null ? { agentId: String(r.agent_id) } : {}),
  };
}

/**
 * The supervisors' picture: live parts (waiting callers, agent states) from the shared state,
 * today's figures from the call log through the pure formulas in routing/queue-metrics.ts.
 */
export class WallboardService {
  private readonly db: Kysely<DB>;
  private readonly live: LiveState;
  private readonly queues: QueueService;
  private readonly agents: AgentService;
  private readonly log: Logger;

  constructor(db: Kysely<DB>, live: LiveState, queues: QueueService, agents: AgentService, log: Logger) {
    this.db = db;
    this.live = live;
    this.queues = queues;
    this.agents = agents;
    this.log = log;
  }

  /** The board; `showNumbers` false masks every caller number. */
  async snapshot(showNumbers: boolean, now = Date.now()): Promise<Wallboard> {
    const queues = this.queues.all();
    const dayStart = new Map(queues.map((q) => [q.id, startOfToday(now, q.timeZone)]));
    const earliest = Math.min(now, ...dayStart.values());
    let rows: TodayCallRow[] = [];
    let figuresAvailable = true;
    try {
      rows = await callsSince(this.db, queues.map((q) => q.id), new Date(earliest));
    } catch (err) {
      figuresAvailable = false;
      this.log.warn({ err }, 'wallboard: call log not readable; live parts only');
    }
    const todays = rows.filter((r) => r.queue_id !== null && (r.queued_at ?? r.offered_at).getTime() >= (dayStart.get(r.queue_id) ?? now));
    const show = (raw: string | null, withheld: boolean) => (withheld || !raw ? '' : showNumbers ? raw : maskPhone(raw));

    const queueFigures: QueueFigures[] = await Promise.all(
      queues.map(async (q) => {
        const mine = todays.filter((r) => r.queue_id === q.id);
        const m = computeQueueMetrics(mine.map(toRecord), { slThresholdSeconds: q.slThresholdSeconds, shortAbandonSeconds: q.shortAbandonSeconds }, now);
        const waiting = (await this.live.waiting(q.id)).map((e) => ({
          callId: e.callId,
          number: show(e.caller.number, e.caller.withheld),
          withheld: e.caller.withheld,
          customerName: e.caller.customerName,
          customerId: e.caller.customerId,
          priority: e.priority,
          since: new Date(e.enqueuedAt).toISOString(),
          waitSeconds: Math.max(0, (now - e.enqueuedAt) / 1000),
        }));
        const abandonedCalls = mine
          .filter((r) => r.status === 'abandoned' && r.queued)
          .slice(-ABANDONED_LISTED)
          .reverse()
          .map((r) => {
            const wait = r.wait_seconds === null ? 0 : Number(r.wait_seconds);
            return {
              callId: r.id,
              number: show(r.from_raw, r.withheld),
              withheld: r.withheld,
              customerName: r.customer_name,
              customerId: r.customer_id === null ? null : Number(r.customer_id),
              waitSeconds: wait,
              endedAt: (r.ended_at ?? r.offered_at).toISOString(),
              short: wait <= q.shortAbandonSeconds,
            };
          });
        return {
          id: q.id,
          name: q.name,
          timeZone: q.timeZone,
          dayStartedAt: new Date(dayStart.get(q.id)!).toISOString(),
          slThresholdSeconds: q.slThresholdSeconds,
          shortAbandonSeconds: q.shortAbandonSeconds,
          waiting,
          // Live, from the queue itself rather than the log (whose rows may lag a moment).
          longestWaitSeconds: waiting.length ? Math.max(...waiting.map((w) => w.waitSeconds)) : null,
          offered: m.offered,
          answered: m.answered,
          abandoned: m.abandoned,
          shortAbandoned: m.shortAbandoned,
          overflowed: mine.filter((r) => r.status === 'overflowed').length,
          answeredWithinThreshold: m.answeredWithinThreshold,
          serviceLevel: m.serviceLevel,
          abandonmentRate: m.abandonmentRate,
          asaSeconds: m.asaSeconds,
          ahtSeconds: m.ahtSeconds,
          abandonedCalls,
        };
      }),
    );

    const roster = this.agents.all();
    const states = await this.agents.states(roster.map((a) => a.id));
    const handling = ahtByAgent(todays.map(toRecord));
    const agents: AgentOnBoard[] = roster.map((a) => {
      const s = states.get(a.id)!.state;
      const h = handling.get(a.id);
      return {
        id: a.id,
        name: a.name,
        team: a.team,
        skills: a.skills,
        status: s.status,
        reason: s.status === 'not_ready' ? s.reason : null,
        callId: 'callId' in s ? s.callId : null,
        since: new Date(s.since).toISOString(),
        secondsInState: s.since > 0 ? Math.max(0, (now - s.since) / 1000) : 0,
        handled: h?.handled ?? 0,
        ahtSeconds: h?.ahtSeconds ?? null,
      };
    });
    const agentsByState = Object.fromEntries(STATUSES.map((st) => [st, agents.filter((a) => a.status === st).length])) as Wallboard['agentsByState'];
    return { generatedAt: new Date(now).toISOString(), queues: queueFigures, agents, agentsByState, figuresAvailable };
  }
}
