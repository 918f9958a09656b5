import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Calls offered since `since` in these queues: the fields the figures need, nothing personal but for abandoned calls. */
export function callsSince(db: Kysely<DB>, queueIds: readonly string[], since: Date) {
  if (!queueIds.length) return Promise.resolve([]);
  return db
    .selectFrom('calls as k')
    .leftJoin('customers as c', 'c.id', 'k.customer_id')
    .select([
      'k.id',
      'k.queue_id',
      'k.status',
      'k.queued',
      'k.agent_id',
      'k.offered_at',
      'k.queued_at',
      'k.answered_at',
      'k.ended_at',
      'k.wait_seconds',
      'k.talk_seconds',
      'k.wrap_seconds',
      'k.from_raw',
      'k.withheld',
      'k.customer_id',
      'c.display_name as customer_name',
    ])
    .where('k.queue_id', 'in', [...queueIds])
    .where('k.offered_at', '>=', since)
    .orderBy('k.offered_at')
    .execute();
}

export type TodayCallRow = Awaited<ReturnType<typeof callsSince>>[number];
