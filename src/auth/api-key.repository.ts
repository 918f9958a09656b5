import type { Kysely, Transaction } from 'kysely';
import type { DB, Role } from '../db/schema.ts';

export function findActiveKeyByHash(db: Kysely<DB>, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export function insertKey(
  trx: Transaction<DB> | Kysely<DB>,
  row: { name: string; role: Role; key_hash: string; key_prefix: string; created_by: string },
) {
  return trx.insertInto('api_keys').values(row).returning(['id', 'name', 'role', 'key_prefix', 'created_at']).executeTakeFirstOrThrow();
}

export function listKeys(db: Kysely<DB>) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'key_prefix', 'created_by', 'created_at', 'revoked_at'])
    .orderBy('id')
    .execute();
}

export function revokeKey(trx: Transaction<DB>, id: number) {
  return trx
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(['id', 'name', 'role', 'revoked_at'])
    .executeTakeFirst();
}
