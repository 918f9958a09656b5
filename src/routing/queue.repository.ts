import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB, QueuesTable } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export function listQueues(db: Q) {
  return db.selectFrom('queues').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
}

export function findQueue(db: Q, id: string) {
  return db.selectFrom('queues').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertQueue(trx: Q, values: Insertable<QueuesTable>) {
  return trx.insertInto('queues').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateQueue(trx: Q, id: string, values: Updateable<QueuesTable>) {
  return trx.updateTable('queues').set({ ...values, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Only one queue is the default: clearing the others keeps the unique index satisfied. */
export function clearDefault(trx: Q, exceptId: string) {
  return trx.updateTable('queues').set({ is_default: false }).where('id', '<>', exceptId).where('is_default', '=', true).execute();
}
