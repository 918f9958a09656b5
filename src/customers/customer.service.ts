import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

// STUB — the customers feature replaces this file.
export class CustomerService {
  readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>, _opts: { defaultCountry: string }) {
    this.db = db;
  }
}
