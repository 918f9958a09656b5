import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB, TrunksTable } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export function listTrunks(db: Q) {
  return db.selectFrom('trunks').selectAll().orderBy('name').execute();
}

export function findTrunk(db: Q, name: string) {
  return db.selectFrom('trunks').selectAll().where('name', '=', name).executeTakeFirst();
}

export function insertTrunk(trx: Q, values: Insertable<TrunksTable>) {
  return trx.insertInto('trunks').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateTrunk(trx: Q, name: string, values: Updateable<TrunksTable>) {
  return trx.updateTable('trunks').set({ ...values, updated_at: new Date() }).where('name', '=', name).returningAll().executeTakeFirstOrThrow();
}

export function deleteTrunk(trx: Q, name: string) {
  return trx.deleteFrom('trunks').where('name', '=', name).returningAll().executeTakeFirst();
}
