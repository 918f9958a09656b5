import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string | number | null;
  before?: unknown;
  after?: unknown;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** Writes one audit row; call it with the transaction that makes the change, so both land or neither. */
export async function recordAudit(trx: Transaction<DB> | Kysely<DB>, actor: Actor, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      actor: actor.id,
      actor_role: actor.role,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId === null ? null : String(entry.entityId),
      before: json(entry.before),
      after: json(entry.after),
    })
    .execute();
}

/** An audit row to write with a change: who, and what. */
export interface Audited {
  readonly actor: Pick<Actor, 'id' | 'role'>;
  readonly entry: AuditEntry;
}

/**
 * The audit row of a single-statement write (the call log's data-modifying CTEs): a further CTE
 * that inserts it only if the CTE `cte` changed a row, so the change and its record land together.
 * Empty when there is nobody to record.
 */
export function auditIfChanged(cte: string, audit: Audited | null): RawBuilder<unknown> {
  if (!audit) return sql``;
  const { actor, entry } = audit;
  const entityId = entry.entityId === null ? null : String(entry.entityId);
  return sql`, audit AS (INSERT INTO audit_log (actor, actor_role, action, entity, entity_id, before, after)
      SELECT ${actor.id}, ${actor.role}, ${entry.action}, ${entry.entity}, ${entityId}, ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb
      WHERE EXISTS (SELECT 1 FROM ${sql.table(cte)}))`;
}

export interface StateChangeRow {
  agent_id: number;
  at: Date;
  from_status: string;
  to_status: string;
  reason: string | null;
  call_id: string | null;
  actor: string;
  actor_role: string;
}

/** Agent state changes, many in one statement. */
export async function insertStateChanges(db: Kysely<DB>, rows: readonly StateChangeRow[]): Promise<void> {
  if (rows.length) await db.insertInto('agent_state_history').values([...rows]).execute();
}
