import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

// STUB — the seed feature replaces this file.
export async function seedDemoIfEmpty(_db: Kysely<DB>, _country: string): Promise<number> {
  return 0;
}
