import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../shared/logger.ts';
import { deliveryHeaders } from './webhook-signing.ts';
import { DEFAULT_RETRY, afterFailure, type RetryPolicy } from './webhook-retry.ts';
import {
  claimDueWebhooks,
  giveUpWebhooks,
  markWebhookDelivered,
  pruneFinishedWebhooks,
  recordWebhookFailure,
  releaseWebhooks,
  type ClaimedDelivery,
} from './webhook.repository.ts';

export interface WebhookDispatcherOptions {
  /** WEBHOOK_SECRET: every delivery is signed with it. */
  secret: string;
  /** A delivery still failing this long after its event is given up. */
  maxAgeMs: number;
  /** How often this node looks for due deliveries. Default 1 s. */
  pollMs?: number;
  /** One POST may take this long (connect to response headers). Default 10 s. */
  timeoutMs?: number;
  /** Retry waits: first wait, doubling up to the cap. Defaults 1 s and 5 min. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Deliveries claimed per receiver at once (then sent one after another). Default 20. */
  perReceiver?: number;
  /** Receivers this node delivers to at the same time. Default 8. */
  concurrentReceivers?: number;
  /** How long a claim keeps other nodes off; a node that dies mid-delivery frees its rows after it. Default 60 s or 4 timeouts. */
  leaseMs?: number;
  /** Delivered and given-up rows are deleted this long after their event (WEBHOOK_KEEP_DAYS). */
  keepMs: number;
  /** How often this node deletes them. Default 1 h. */
  pruneEveryMs?: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'given_up';

// Rows deleted per statement when pruning, so a large backlog never holds locks for long, and
// statements per poll, so deliveries wait at most that long; a bigger backlog goes on next poll.
const PRUNE_BATCH = 1000;
const PRUNE_BATCHES_PER_POLL = 10;

// A claim stops being used this long before its lease ends (database and node clocks differ a little).
const LEASE_SAFETY_MS = 5000;

type Attempt = { ok: true } | { ok: false; error: string } | { ok: false; stopped: true };

/**
 * Delivers the webhook outbox, on every node. Each poll claims due deliveries (see
 * claimDueWebhooks for why two nodes never send the same row and why a receiver gets its
 * deliveries in order), POSTs them signed, and records the outcome: delivered on 2xx, otherwise
 * retried with capped exponential backoff until the delivery is older than the max age.
 * Receivers are served independently: one that is down or slow does not hold up the others.
 */
export class WebhookDispatcher {
  private readonly db: Kysely<DB>;
  private readonly log: Logger;
  private readonly secret: string;
  private readonly policy: RetryPolicy;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly perReceiver: number;
  private readonly concurrentReceivers: number;
  private readonly leaseMs: number;
  private readonly keepMs: number;
  private readonly pruneEveryMs: number;
  private nextPruneAt = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private running = false;
  private claimFailing = false;
  /** Counts outcomes (for /metrics); set by the container. */
  onOutcome: (outcome: DeliveryOutcome, count: number) => void = () => {};

  constructor(db: Kysely<DB>, opts: WebhookDispatcherOptions, log: Logger) {
    this.db = db;
    this.log = log;
    this.secret = opts.secret;
    this.policy = { baseMs: opts.retryBaseMs ?? DEFAULT_RETRY.baseMs, capMs: opts.retryCapMs ?? DEFAULT_RETRY.capMs, maxAgeMs: opts.maxAgeMs };
    this.pollMs = opts.pollMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.perReceiver = opts.perReceiver ?? 20;
    this.concurrentReceivers = opts.concurrentReceivers ?? 8;
    this.leaseMs = opts.leaseMs ?? Math.max(60_000, 4 * this.timeoutMs);
    this.keepMs = opts.keepMs;
    this.pruneEveryMs = opts.pruneEveryMs ?? 3_600_000;
  }

  start(): void {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling, cuts off requests in flight (their rows are due again at once, for any node) and waits for that. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.polling;
    await Promise.all(this.inFlight);
  }

  private schedule(ms: number) {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  /** Poll again as soon as the current poll (if any) is done. */
  private kick() {
    this.pollAgain = true;
    if (!this.polling) this.schedule(0);
  }

  private async tick() {
    if (this.polling) return;
    this.pollAgain = false;
    this.polling = this.poll().then(() => this.pruneWhenDue());
    await this.polling;
    this.polling = null;
    this.schedule(this.pollAgain ? 0 : this.pollMs);
  }

  private async poll(): Promise<void> {
    const free = this.concurrentReceivers - this.inFlight.size;
    if (free <= 0) return;
    const claimedAt = Date.now();
    let claimed: ClaimedDelivery[];
    try {
      claimed = await claimDueWebhooks(this.db, { receivers: free, perReceiver: this.perReceiver, leaseMs: this.leaseMs });
      if (this.claimFailing) this.log.info('webhook outbox readable again');
      this.claimFailing = false;
    } catch (err) {
      // Once per outage, not once a second.
      if (!this.claimFailing) this.log.error({ err }, 'webhook outbox unreadable; deliveries wait until the store is back');
      this.claimFailing = true;
      return;
    }
    const byReceiver = new Map<string, ClaimedDelivery[]>();
    for (const row of claimed) byReceiver.set(row.url, [...(byReceiver.get(row.url) ?? []), row]);
    for (const rows of byReceiver.values()) {
      const task: Promise<void> = this.deliverInOrder(rows, claimedAt)
        .catch((err) => this.log.error({ err, receiver: origin(rows[0]!.url) }, 'webhook delivery bookkeeping failed; the rows are retried when their lease ends'))
        .finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
  }

  /** Deletes finished rows past the keep time, once per prune period (on every node; deleting twice is harmless). */
  private async pruneWhenDue(): Promise<void> {
    if (Date.now() < this.nextPruneAt) return;
    this.nextPruneAt = Date.now() + this.pruneEveryMs;
    try {
      let deleted = 0;
      for (let i = 0; i < PRUNE_BATCHES_PER_POLL && !this.stopping.signal.aborted; i++) {
        const batch = await pruneFinishedWebhooks(this.db, this.keepMs, PRUNE_BATCH);
        deleted += batch;
        if (batch < PRUNE_BATCH) break;
        if (i === PRUNE_BATCHES_PER_POLL - 1) this.nextPruneAt = 0; // more left: carry on at the next poll
      }
      if (deleted) this.log.info({ deleted }, 'old webhook deliveries deleted');
    } catch (err) {
      this.log.warn({ err }, 'old webhook deliveries could not be deleted; trying again next period');
    }
  }

  /** One receiver's claimed rows, oldest first; the first failure leaves the rest for after its retry. */
  private async deliverInOrder(rows: ClaimedDelivery[], claimedAt: number): Promise<void> {
    const usableUntil = claimedAt + this.leaseMs - LEASE_SAFETY_MS;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (this.stopping.signal.aborted || Date.now() + this.timeoutMs > usableUntil) return releaseWebhooks(this.db, rows.slice(i).map((r) => r.id));
      const attempt = await this.post(row);
      if (attempt.ok) {
        await markWebhookDelivered(this.db, row.id);
        this.onOutcome('delivered', 1);
        continue;
      }
      if ('stopped' in attempt) return releaseWebhooks(this.db, rows.slice(i).map((r) => r.id));
      // The rows behind it are released while this head is still ours: once its failure is
      // recorded another node may claim the receiver, and a release after that would wipe that
      // node's fresh lease on them — a third node could then send one of them a second time.
      await releaseWebhooks(this.db, rows.slice(i + 1).map((r) => r.id));
      await this.failed(row, attempt.error, Date.now() - claimedAt);
      return;
    }
    // A full batch delivered: more may be waiting behind it, so look again now rather than in a second.
    if (rows.length === this.perReceiver) this.kick();
  }

  private async failed(row: ClaimedDelivery, error: string, sinceClaimMs: number) {
    const failures = row.attempts + 1;
    const decision = afterFailure(failures, row.ageMs + sinceClaimMs, this.policy);
    const where = { delivery: row.id, event: row.event, receiver: origin(row.url), attempts: failures, error };
    if ('giveUp' in decision) {
      const n = await giveUpWebhooks(this.db, row.id, row.url, error, this.policy.maxAgeMs);
      this.onOutcome('given_up', n);
      this.log.error({ ...where, givenUp: n }, 'webhook deliveries given up: the receiver kept failing past the max age');
      return;
    }
    await recordWebhookFailure(this.db, row.id, error, decision.retryInMs);
    this.onOutcome('failed', 1);
    this.log.warn({ ...where, retryInMs: decision.retryInMs }, 'webhook delivery failed; will retry');
  }

  private async post(row: ClaimedDelivery): Promise<Attempt> {
    let target: { url: string; authorization?: string };
    try {
      target = withoutCredentials(row.url);
    } catch {
      return { ok: false, error: 'invalid receiver URL' };
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'screenpop-webhooks/1',
      ...deliveryHeaders({ secret: this.secret, deliveryId: row.id, event: row.event, body: row.body, now: Date.now() }),
      ...(target.authorization ? { authorization: target.authorization } : {}),
    };
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers,
        body: row.body,
        // A redirect is not followed: the receiver's URL is what was configured, and a POST must not turn into a GET.
        redirect: 'manual',
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await res.body?.cancel().catch(() => {});
      return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
    } catch (err) {
      if (this.stopping.signal.aborted) return { ok: false, stopped: true };
      return { ok: false, error: describeError(err, this.timeoutMs) };
    }
  }
}

/** Short and free of secrets: a status, an error code, or a bounded message (never the URL or headers). */
function describeError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; name?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  if (e?.cause?.code) return String(e.cause.code).slice(0, 60);
  return String(e?.cause?.message ?? e?.message ?? err).slice(0, 200);
}

/** fetch refuses URLs with user:password; they become a Basic authorization header instead. */
function withoutCredentials(raw: string): { url: string; authorization?: string } {
  const u = new URL(raw);
  if (!u.username && !u.password) return { url: raw };
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization };
}

/** For logs: receivers' paths and query strings often carry tokens. */
function origin(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'invalid URL';
}
