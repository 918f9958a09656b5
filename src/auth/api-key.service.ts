import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { AppError } from '../shared/errors.ts';
import type { Actor } from './actor.ts';
import { findActiveKeyByHash, insertKey, listKeys, revokeKey } from './api-key.repository.ts';

export const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent', 'integrator'];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * How long a key is trusted without asking the store again. Revocation does not wait for it: the
 * revoking node tells every node to forget the key (bus), so this only bounds a lost message.
 */
const KEY_CACHE_MS = 30_000;
const KEY_CACHE_MAX = 10_000;

export class ApiKeyService {
  private readonly db: Kysely<DB>;
  private readonly adminKeyHash: Buffer | null;
  /** Keys seen lately (sha256 → actor): most requests on the call path then need no query. */
  private readonly cache = new Map<string, { actor: Actor; until: number }>();
  private readonly revokeListeners: Array<(keyId: number) => void> = [];

  constructor(db: Kysely<DB>, adminKey?: string) {
    this.db = db;
    this.adminKeyHash = adminKey ? Buffer.from(sha256(adminKey), 'hex') : null;
  }

  /** The actor behind a key this node knows without asking the store (the admin key, a cached key); else null. */
  known(key: string): Actor | null {
    if (key.length < 16 || key.length > 200) return null;
    const hash = sha256(key);
    if (this.adminKeyHash && timingSafeEqual(this.adminKeyHash, Buffer.from(hash, 'hex'))) {
      return { id: 'bootstrap-admin', role: 'admin', keyId: null, name: 'SCREENPOP_ADMIN_KEY' };
    }
    const cached = this.cache.get(hash);
    return cached && cached.until > Date.now() ? cached.actor : null;
  }

  /** The actor behind a bearer key, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<Actor | null> {
    const known = this.known(key);
    if (known) return known;
    if (key.length < 16 || key.length > 200) return null;
    const hash = sha256(key);
    const now = Date.now();
    const row = await findActiveKeyByHash(this.db, hash);
    if (!row) return null;
    const actor: Actor = { id: `key:${row.id}`, role: row.role, keyId: row.id, name: row.name };
    if (this.cache.size >= KEY_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, { actor, until: now + KEY_CACHE_MS });
    return actor;
  }

  /** Called with the id of every key revoked on this node (sockets are closed, other nodes told). */
  onRevoked(listener: (keyId: number) => void): void {
    this.revokeListeners.push(listener);
  }

  /** Stops accepting a key revoked here or on another node at once, not when its cache entry ages out. */
  forget(keyId: number): void {
    for (const [hash, e] of this.cache) if (e.actor.keyId === keyId) this.cache.delete(hash);
  }

  /** A key was revoked on this node (by revoke(), or with its agent). */
  revoked(keyId: number): void {
    this.forget(keyId);
    for (const l of this.revokeListeners) l(keyId);
  }

  /** Makes a key; the plain key is returned once and only its hash is stored. */
  async create(actor: Actor, input: { name: string; role: Role }) {
    return this.db.transaction().execute((trx) => this.createIn(trx, actor, input));
  }

  /** `create` inside the caller's transaction (an agent and its key land together). */
  async createIn(trx: Transaction<DB>, actor: Actor, input: { name: string; role: Role }) {
    const key = `sp_${input.role.slice(0, 3)}_${randomBytes(24).toString('base64url')}`;
    const created = await insertKey(trx, {
      name: input.name,
      role: input.role,
      key_hash: sha256(key),
      key_prefix: key.slice(0, 10),
      created_by: actor.id,
    });
    await recordAudit(trx, actor, { action: 'api_key.create', entity: 'api_key', entityId: created.id, after: created });
    return { ...created, key };
  }

  list() {
    return listKeys(this.db);
  }

  async revoke(actor: Actor, id: number) {
    const revoked = await this.db.transaction().execute((trx) => this.revokeIn(trx, actor, id));
    this.revoked(id);
    return revoked;
  }

  /** `revoke` inside the caller's transaction. */
  async revokeIn(trx: Transaction<DB>, actor: Actor, id: number) {
    const revoked = await revokeKey(trx, id);
    if (!revoked) throw new AppError('NOT_FOUND', `No active API key ${id}`);
    await recordAudit(trx, actor, { action: 'api_key.revoke', entity: 'api_key', entityId: id, after: revoked });
    return revoked;
  }
}
