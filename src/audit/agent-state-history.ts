import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { AgentState } from '../routing/agent-state.ts';
import { isTransient } from '../db/store-errors.ts';
import type { Logger } from '../shared/logger.ts';
import { insertStateChanges, type StateChangeRow } from './audit.repository.ts';

export interface AgentStateHistoryOptions {
  /** How long a change waits for others to share its INSERT (ms). */
  flushMs?: number;
  /** A batch this big is written at once. */
  batchSize?: number;
  /** Rows kept while the store is unreachable; past this the oldest are dropped (and counted in the log). */
  maxPending?: number;
}

/**
 * Records agent state changes off the call path: `record` only buffers (no await, no I/O), and
 * the buffer goes to the store as one multi-row INSERT every `flushMs` (or every `batchSize`
 * rows). Several changes per call cost one statement per batch, not one per change. A failed
 * write never reaches routing: it is logged, and rows are kept (bounded) to retry while the
 * store is unreachable. Rows not yet written when a node dies are lost with it.
 */
export class AgentStateHistory {
  private readonly db: Kysely<DB>;
  private readonly log: Logger;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;
  private pending: StateChangeRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private failures = 0;
  private closed = false;
  /** Counts store errors (for /metrics); set by the container. */
  onStoreError: () => void = () => {};

  constructor(db: Kysely<DB>, log: Logger, opts: AgentStateHistoryOptions = {}) {
    this.db = db;
    this.log = log;
    this.flushMs = opts.flushMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    this.maxPending = opts.maxPending ?? 50_000;
  }

  /** One change, as the agent service reports it. Never throws, never waits. */
  record(agentId: string, state: AgentState, previous: AgentState, actor: Actor): void {
    const id = Number(agentId);
    if (this.closed || !Number.isSafeInteger(id)) return;
    const callId = 'callId' in state ? state.callId : 'callId' in previous ? previous.callId : null;
    this.pending.push({
      agent_id: id,
      at: new Date(state.since),
      from_status: previous.status,
      to_status: state.status,
      reason: state.status === 'not_ready' ? state.reason : null,
      call_id: callId,
      actor: actor.id,
      actor_role: actor.role,
    });
    if (this.pending.length > this.maxPending) {
      const dropped = this.pending.length - this.maxPending;
      this.pending.splice(0, dropped);
      this.log.error({ dropped }, 'agent state history: store unreachable too long; oldest changes dropped');
    }
    // While the store is failing, only the backoff timer writes (a full batch must not bypass it).
    if (this.pending.length >= this.batchSize && this.failures === 0) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /**
   * Writes what is buffered now, `batchSize` rows per INSERT (one statement's parameters are
   * bounded), one write at a time so rows keep their order; resolves when done.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing = this.writing.then(async () => {
      while (this.pending.length && !this.timer) {
        const batch = this.pending.splice(0, this.batchSize);
        if (!(await this.write(batch))) return;
      }
    });
    return this.writing;
  }

  /** Writes the rest; called at shutdown before the store closes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length) this.log.error({ lost: this.pending.length }, 'agent state history: changes not stored before shutdown');
    this.pending = [];
  }

  /** One INSERT; false when the store is unreachable (the batch waits for the retry timer). */
  private async write(batch: StateChangeRow[]): Promise<boolean> {
    try {
      await insertStateChanges(this.db, batch);
      if (this.failures) this.log.warn({ failures: this.failures }, 'agent state history stored again');
      this.failures = 0;
      return true;
    } catch (err) {
      this.onStoreError();
      if (!isTransient(err)) {
        this.log.error({ err, dropped: batch.length }, 'agent state history write failed; changes dropped');
        return true;
      }
      this.failures += 1;
      if (this.failures === 1) this.log.warn({ err, rows: batch.length }, 'agent state history write failed; retrying');
      // Back in front of newer rows, retried after a pause that grows while the store stays away.
      this.pending = [...batch, ...this.pending];
      this.timer ??= setTimeout(() => void this.flush(), Math.min(5000, this.flushMs * 2 ** this.failures)).unref();
      return false;
    }
  }
}
