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

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actor?: string;
  from?: Date;
  until?: Date;
  /** Only rows older than this id (the previous page's cursor). */
  before?: number;
  /** Kinds of thing left out (what only admins may see). */
  exclude?: readonly string[];
  limit: number;
}

/** One row of the trail, as both tables read back. */
export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  actorRole: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

/** Agent state changes read back as audit rows of the agent. */
export const AGENT_STATE_ACTION = 'agent.state';

/**
 * Newest first (by id: audit_log and agent_state_history share one sequence), at most `limit`
 * rows from each table, merged. `entityId` is matched only together with `entity`.
 */
export async function listAuditTrail(db: Kysely<DB>, f: AuditFilter): Promise<AuditRow[]> {
  const logRows = db
    .selectFrom('audit_log')
    .selectAll()
    .$if(f.entity !== undefined, (q) => q.where('entity', '=', f.entity!))
    .$if(!!f.exclude?.length, (q) => q.where('entity', 'not in', f.exclude!))
    .$if(f.entity !== undefined && f.entityId !== undefined, (q) => q.where('entity_id', '=', f.entityId!))
    .$if(f.actor !== undefined, (q) => q.where('actor', '=', f.actor!))
    .$if(f.from !== undefined, (q) => q.where('at', '>=', f.from!))
    .$if(f.until !== undefined, (q) => q.where('at', '<', f.until!))
    .$if(f.before !== undefined, (q) => q.where('id', '<', f.before!))
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();

  const agentId = f.entityId === undefined ? undefined : /^[1-9][0-9]{0,14}$/.test(f.entityId) ? Number(f.entityId) : null;
  const withStates = (f.entity === undefined || f.entity === 'agent') && agentId !== null;
  const stateRows = withStates
    ? db
        .selectFrom('agent_state_history')
        .selectAll()
        .$if(agentId !== undefined, (q) => q.where('agent_id', '=', agentId!))
        .$if(f.actor !== undefined, (q) => q.where('actor', '=', f.actor!))
        .$if(f.from !== undefined, (q) => q.where('at', '>=', f.from!))
        .$if(f.until !== undefined, (q) => q.where('at', '<', f.until!))
        .$if(f.before !== undefined, (q) => q.where('id', '<', f.before!))
        .orderBy('id', 'desc')
        .limit(f.limit)
        .execute()
    : Promise.resolve([]);

  const [logs, states] = await Promise.all([logRows, stateRows]);
  const rows: AuditRow[] = [
    ...logs.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      actorRole: r.actor_role,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      before: r.before,
      after: r.after,
    })),
    ...states.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      actorRole: r.actor_role,
      action: AGENT_STATE_ACTION,
      entity: 'agent',
      entityId: String(r.agent_id),
      before: { status: r.from_status },
      after: { status: r.to_status, reason: r.reason, callId: r.call_id },
    })),
  ];
  return rows.sort((a, b) => b.id - a.id).slice(0, f.limit);
}
