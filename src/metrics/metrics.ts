import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** Agents per state right now (shared live state). */
  agentsByState(): Promise<Record<string, number>>;
  /** Webhook deliveries not yet made. */
  outboxDepth(): Promise<number>;
}

/**
 * Everything `GET /metrics` shows, on a registry of its own (never prom-client's global one, so
 * several services in one test process do not collide).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly callsOffered: Counter<'queue'>;
  readonly callsAnswered: Counter<'queue'>;
  readonly callsAbandoned: Counter<'queue'>;
  readonly callsOverflowed: Counter<'queue'>;
  readonly callsFailed: Counter<'queue'>;
  readonly popLatency: Histogram;
  readonly popsUnacknowledged: Counter;
  readonly storeErrors: Counter;
  readonly liveStateErrors: Counter;
  readonly webhookDeliveries: Counter<'outcome'>;
  private sources: MetricSources | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'screenpop_process_' });
    const perQueue = (name: string, help: string) => new Counter({ name, help, labelNames: ['queue'] as const, registers });
    this.callsOffered = perQueue('screenpop_calls_offered_total', 'Calls that entered a queue');
    this.callsAnswered = perQueue('screenpop_calls_answered_total', 'Queued calls an agent answered');
    this.callsAbandoned = perQueue('screenpop_calls_abandoned_total', 'Queued calls the caller ended while waiting or ringing');
    this.callsOverflowed = perQueue('screenpop_calls_overflowed_total', 'Calls sent to the overflow target (or turned away) after max wait');
    this.callsFailed = perQueue('screenpop_calls_failed_total', 'Calls ended by the system (service stopping, node lost)');
    this.popLatency = new Histogram({
      name: 'screenpop_pop_latency_seconds',
      help: 'From the call being offered to an agent until that agent\'s desktop acknowledged the pop',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.popsUnacknowledged = new Counter({ name: 'screenpop_pops_unacknowledged_total', help: 'Pops no desktop acknowledged in time', registers });
    this.storeErrors = new Counter({ name: 'screenpop_database_errors_total', help: 'Failed database operations on the call path', registers });
    this.liveStateErrors = new Counter({ name: 'screenpop_redis_errors_total', help: 'Failed shared-state (Redis) operations', registers });
    this.webhookDeliveries = new Counter({
      name: 'screenpop_webhook_deliveries_total',
      help: 'Webhook delivery outcomes: delivered, failed (attempt refused, will retry), given_up (past the max age)',
      labelNames: ['outcome'] as const,
      registers,
    });

    const self = this;
    new Gauge({
      name: 'screenpop_agents',
      help: 'Agents by state',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        if (!self.sources) return;
        this.reset();
        const counts = await self.sources.agentsByState().catch(() => ({}) as Record<string, number>);
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'screenpop_webhook_outbox_depth',
      help: 'Webhook deliveries waiting (not delivered, not given up)',
      registers,
      async collect() {
        if (self.sources) this.set(await self.sources.outboxDepth().catch(() => NaN));
      },
    });
  }

  setSources(sources: MetricSources): void {
    this.sources = sources;
  }
}
