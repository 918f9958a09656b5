import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../shared/logger.ts';
import { isTransient } from '../db/store-errors.ts';

/**
 * One write of the call log. It runs outside a transaction, so it must be a single statement
 * (see call-log.repository.ts: data-modifying CTEs change several tables at once) — atomic by itself.
 */
export type CallWrite = (db: Kysely<DB>) => Promise<unknown>;

/**
 * Writes the call log without holding up a call: each write is one atomic statement, the
 * writes of one call run in order, and a write that fails because the store is unreachable is
 * retried with backoff until it lands, so a store outage delays the log instead of losing it.
 * A write that fails for any other reason is logged and skipped (retrying cannot help it).
 */
export class CallLog {
  private readonly db: Kysely<DB>;
  private readonly log: Logger;
  private readonly chains = new Map<string, Promise<void>>();
  private closing = false;
  /** Counts store errors (for /metrics); set by the container. */
  onStoreError: () => void = () => {};

  constructor(db: Kysely<DB>, log: Logger) {
    this.db = db;
    this.log = log;
  }

  /** Queues a write for one call; resolves when it landed (or was given up). */
  write(callId: string, what: string, fn: CallWrite): Promise<void> {
    const previous = this.chains.get(callId) ?? Promise.resolve();
    const next = previous.then(() => this.run(callId, what, fn));
    this.chains.set(callId, next);
    void next.then(() => {
      if (this.chains.get(callId) === next) this.chains.delete(callId);
    });
    return next;
  }

  /** Resolves when the writes queued so far for a call have landed (a wrap-up needs the row). */
  idle(callId: string): Promise<void> {
    return this.chains.get(callId) ?? Promise.resolve();
  }

  /** Writes still waiting (their calls' log rows are not final yet). */
  get pending(): number {
    return this.chains.size;
  }

  /** Waits for queued writes; after `timeoutMs` gives up retrying and reports what was not written. */
  async flush(timeoutMs: number): Promise<void> {
    const all = Promise.all(this.chains.values());
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'timeout') {
      this.closing = true;
      this.log.error({ calls: this.chains.size }, 'call log: writes not stored before shutdown; those calls are closed at the next start');
    }
  }

  private async run(callId: string, what: string, fn: CallWrite): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn(this.db);
        if (attempt > 0) this.log.warn({ callId, what, attempts: attempt + 1 }, 'call log write stored after retries');
        return;
      } catch (err) {
        this.onStoreError();
        if (!isTransient(err) || this.closing) {
          this.log.error({ err, callId, what }, 'call log write failed');
          return;
        }
        if (attempt === 0) this.log.warn({ err, callId, what }, 'call log write failed; retrying until the store is back');
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }
}
