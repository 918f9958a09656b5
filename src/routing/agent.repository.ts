import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { AgentsTable, DB } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export function listAgents(db: Q) {
  return db.selectFrom('agents').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
}

export function findAgentRow(db: Q, id: number) {
  return db.selectFrom('agents').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

export function insertAgent(trx: Q, values: Insertable<AgentsTable>) {
  return trx.insertInto('agents').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateAgent(trx: Q, id: number, values: Updateable<AgentsTable>) {
  return trx.updateTable('agents').set({ ...values, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
