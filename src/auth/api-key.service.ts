import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { AppError } from '../shared/errors.ts';
import type { Actor } from './actor.ts';
import { findActiveKeyByHash, insertKey, listKeys, revokeKey } from './api-key.repository.ts';

export const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent', 'integrator'];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class ApiKeyService {
  private readonly db: Kysely<DB>;
  private readonly adminKeyHash: Buffer | null;

  constructor(db: Kysely<DB>, adminKey?: string) {
    this.db = db;
    this.adminKeyHash = adminKey ? Buffer.from(sha256(adminKey), 'hex') : null;
  }

  /** The actor behind a bearer key, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<Actor | null> {
    if (key.length < 16 || key.length > 200) return null;
    const hash = sha256(key);
    if (this.adminKeyHash && timingSafeEqual(this.adminKeyHash, Buffer.from(hash, 'hex'))) {
      return { id: 'bootstrap-admin', role: 'admin', keyId: null, name: 'SCREENPOP_ADMIN_KEY' };
    }
    const row = await findActiveKeyByHash(this.db, hash);
    return row ? { id: `key:${row.id}`, role: row.role, keyId: row.id, name: row.name } : null;
  }

  /** Makes a key; the plain key is returned once and only its hash is stored. */
  async create(actor: Actor, input: { name: string; role: Role }) {
    const key = `sp_${input.role.slice(0, 3)}_${randomBytes(24).toString('base64url')}`;
    const row = await this.db.transaction().execute(async (trx) => {
      const created = await insertKey(trx, {
        name: input.name,
        role: input.role,
        key_hash: sha256(key),
        key_prefix: key.slice(0, 10),
        created_by: actor.id,
      });
      await recordAudit(trx, actor, { action: 'api_key.create', entity: 'api_key', entityId: created.id, after: created });
      return created;
    });
    return { ...row, key };
  }

  list() {
    return listKeys(this.db);
  }

  async revoke(actor: Actor, id: number) {
    return this.db.transaction().execute(async (trx) => {
      const revoked = await revokeKey(trx, id);
      if (!revoked) throw new AppError('NOT_FOUND', `No active API key ${id}`);
      await recordAudit(trx, actor, { action: 'api_key.revoke', entity: 'api_key', entityId: id, after: revoked });
      return revoked;
    });
  }
}
