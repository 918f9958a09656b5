import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export type WebhookEvent = 'call.offered' | 'call.answered' | 'call.ended' | 'ticket.created';

/** One delivery per receiver, written in the transaction of the change it announces. */
export async function enqueueWebhook(trx: Q, urls: readonly string[], event: WebhookEvent, data: unknown): Promise<void> {
  if (!urls.length) return;
  const payload = JSON.stringify({ event, at: new Date().toISOString(), data });
  await trx
    .insertInto('webhook_outbox')
    .values(urls.map((url) => ({ event, url, payload })))
    .execute();
}

/** A delivery claimed by one node for a while (its lease). */
export interface ClaimedDelivery {
  id: number;
  url: string;
  event: string;
  /** The payload as PostgreSQL prints the stored jsonb: the exact bytes sent and signed. */
  body: string;
  /** Attempts made before this one. */
  attempts: number;
  /** Age of the delivery (since its event was written) when it was claimed, by the database's clock. */
  ageMs: number;
}

// "Pending" spelled exactly as the partial index webhook_outbox_due_idx, so both queries below use it.
const PENDING = sql`delivered_at IS NULL AND failed_at IS NULL`;

/**
 * Claims, for up to `receivers` receivers, the oldest pending deliveries (at most `perReceiver`
 * each, in id order), provided the receiver's oldest pending one is due; leases them for
 * `leaseMs` by moving next_attempt_at past the lease.
 *
 * Why a receiver's deliveries go one after another from its oldest: they arrive in the order
 * their events were written. Only the oldest pending row of a receiver (its head) can be claimed,
 * and `FOR UPDATE SKIP LOCKED` on heads means two nodes never claim the same receiver at once;
 * the rows behind a head stay unclaimable for others while the head is pending (leased or not).
 * The lease, not a held transaction, keeps them ours while we POST: no connection is held during
 * HTTP, and a node that dies mid-delivery frees its rows when the lease runs out.
 */
export async function claimDueWebhooks(db: Kysely<DB>, opts: { receivers: number; perReceiver: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  if (opts.receivers < 1) return [];
  return db.transaction().execute(async (trx) => {
    const heads = await sql<{ id: number; url: string }>`
      SELECT id, url FROM webhook_outbox
      WHERE id IN (SELECT min(id) FROM webhook_outbox WHERE ${PENDING} GROUP BY url)
        AND ${PENDING} AND next_attempt_at <= now()
      ORDER BY id
      LIMIT ${opts.receivers}
      FOR UPDATE SKIP LOCKED`.execute(trx);
    const claimed: ClaimedDelivery[] = [];
    for (const head of heads.rows) {
      // `id >= head`: a row with a lower id committed late is another call's event; it waits for its own turn.
      const rows = await sql<ClaimedDelivery>`
        UPDATE webhook_outbox SET next_attempt_at = now() + ${opts.leaseMs}::float8 * interval '1 millisecond'
        WHERE id IN (
          SELECT id FROM webhook_outbox
          WHERE url = ${head.url} AND id >= ${head.id} AND ${PENDING}
          ORDER BY id LIMIT ${opts.perReceiver})
        RETURNING id, url, event, payload::text AS body, attempts,
          (extract(epoch FROM now() - created_at) * 1000)::float8 AS "ageMs"`.execute(trx);
      claimed.push(...rows.rows.sort((a, b) => a.id - b.id));
    }
    return claimed;
  });
}

/** The receiver took it (2xx). Only a claim still pending counts (a lease that ran out may have been taken over). */
export async function markWebhookDelivered(db: Q, id: number): Promise<void> {
  await sql`UPDATE webhook_outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL
    WHERE id = ${id} AND ${PENDING}`.execute(db);
}

/** A failed attempt, tried again after `retryInMs`. */
export async function recordWebhookFailure(db: Q, id: number, error: string, retryInMs: number): Promise<void> {
  await sql`UPDATE webhook_outbox
    SET attempts = attempts + 1, last_error = ${error}, next_attempt_at = now() + ${retryInMs}::float8 * interval '1 millisecond'
    WHERE id = ${id} AND ${PENDING}`.execute(db);
}

/**
 * A failed attempt on a delivery past its max age: it is given up, and so is every other pending
 * delivery to the same receiver past that age (they would each wait for one more failed attempt
 * in turn, one timeout apiece, while the receiver is failing right now). Returns how many.
 */
export async function giveUpWebhooks(db: Kysely<DB>, id: number, url: string, error: string, maxAgeMs: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const own = await sql`UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ${error}, failed_at = now()
      WHERE id = ${id} AND ${PENDING}`.execute(trx);
    const older = await sql`UPDATE webhook_outbox SET last_error = ${`given up with delivery ${id}: ${error}`.slice(0, 300)}, failed_at = now()
      WHERE url = ${url} AND ${PENDING} AND created_at <= now() - ${maxAgeMs}::float8 * interval '1 millisecond'`.execute(trx);
    return Number(own.numAffectedRows ?? 0n) + Number(older.numAffectedRows ?? 0n);
  });
}

/** Claimed but not attempted (a failure ahead of them, or the service stopping): due again now. */
export async function releaseWebhooks(db: Q, ids: readonly number[]): Promise<void> {
  if (!ids.length) return;
  await sql`UPDATE webhook_outbox SET next_attempt_at = now() WHERE id IN (${sql.join(ids)}) AND ${PENDING}`.execute(db);
}

/**
 * Deletes up to `limit` finished deliveries (delivered or given up) whose event is older than
 * `keepMs`; returns how many. Oldest first through the created_at index (ordering by it keeps the
 * planner on that index even without statistics, as on PGlite), so a batch reads only rows past
 * the keep time; pending rows are never touched, however old.
 */
export async function pruneFinishedWebhooks(db: Q, keepMs: number, limit: number): Promise<number> {
  const result = await sql`DELETE FROM webhook_outbox WHERE id IN (
      SELECT id FROM webhook_outbox
      WHERE NOT (${PENDING}) AND created_at < now() - ${keepMs}::float8 * interval '1 millisecond'
      ORDER BY created_at LIMIT ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** Deliveries not yet made and not given up (the outbox depth gauge). */
export async function countPendingWebhooks(db: Q): Promise<number> {
  const row = await db
    .selectFrom('webhook_outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('delivered_at', 'is', null)
    .where('failed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
