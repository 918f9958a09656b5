import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { requireRole } from '../auth/auth.plugin.ts';
import { findCustomer } from '../customers/customer.repository.ts';
import { AppError } from '../shared/errors.ts';
import { AGENT_STATE_ACTION, listAuditTrail, type AuditFilter, type AuditRow } from './audit.repository.ts';

const AuditItem = Type.Object({
  id: Type.Integer({ description: 'Rows are numbered in the order they were recorded; page with the last one seen' }),
  at: Type.String({ format: 'date-time', description: 'When the change happened' }),
  actor: Type.String({
    description: 'Who made the change: `key:<id>` (an API key: agent, supervisor, admin, integrator), `bootstrap-admin`, or `system:<part>` (`system:ring-timeout`, `system:disconnect`, `system:wrap-up`, `system:lost-node`, `system:routing`, `system:call`, `system:call:<call id>` for what one call did)',
  }),
  actorRole: Type.String(),
  action: Type.String({ description: `What was done, e.g. customer.update, call.offered, ${AGENT_STATE_ACTION} (an agent's state change)` }),
  entity: Type.String({ description: 'What kind of thing changed: customer, call, agent, queue, ticket, follow_up, api_key, trunk, cross_sell_rule' }),
  entityId: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown({ description: 'The thing before the change (null when it was created)' }),
  after: Type.Unknown({ description: "The thing after the change; for agent.state: { status, reason, callId }" }),
});
const AuditPage = Type.Object({
  items: Type.Array(AuditItem),
  nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'Send as `cursor` for the next (older) page; null on the last page' }),
});

const paging = {
  cursor: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only rows older than this (`nextCursor` of the previous page)' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};
const AuditQuery = Type.Object(
  {
    entity: Type.Optional(Type.String({ pattern: '^[a-z][a-z_]{0,39}$', description: 'Only changes to this kind of thing (customer, call, agent, …)' })),
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,200}$', description: 'Only changes to the thing with this id (needs `entity`)' })),
    actor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,200}$', description: 'Only changes by this actor, exactly as listed (`key:12`, `system:ring-timeout`)' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only changes at or after this time' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Only changes before this time' })),
    ...paging,
  },
  { additionalProperties: false },
);
const CustomerParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

const toItem = (r: AuditRow) => ({ ...r, at: r.at.toISOString() });

/** One page of the trail: `limit` rows and the cursor of the next page. */
async function page(db: Kysely<DB>, filter: Omit<AuditFilter, 'limit'>, limit: number) {
  const rows = await listAuditTrail(db, { ...filter, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toItem);
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
}

/** The audit trail for supervisors and admins: every change, who made it, before and after. */
/** Key and trunk changes (names, prefixes, roles, trunk settings) are for admins, as the keys and trunks themselves are. */
const ADMIN_ONLY = ['api_key', 'trunk'] as const;

export const auditRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<DB> }> = async (app, { db }) => {
  const tags = ['audit'];

  app.get(
    '/audit',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags,
        summary: 'The audit trail: who changed what and when, newest first, with filters',
        description:
          "Customer, call, ticket, queue, agent and key changes, call events by integrators' keys, and every agent state change (action `agent.state`, entity `agent`). Supervisors and admins only.",
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.id !== undefined && q.entity === undefined) throw new AppError('VALIDATION_FAILED', 'Filter by id together with entity, e.g. entity=customer&id=42', { field: 'id' });
      const filter: Omit<AuditFilter, 'limit'> = {
        ...(q.entity !== undefined ? { entity: q.entity } : {}),
        ...(q.id !== undefined ? { entityId: q.id } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.from !== undefined ? { from: new Date(q.from) } : {}),
        ...(q.until !== undefined ? { until: new Date(q.until) } : {}),
        ...(q.cursor !== undefined ? { before: q.cursor } : {}),
        ...(req.actor.role === 'admin' ? {} : { exclude: ADMIN_ONLY }),
      };
      if (q.entity !== undefined && filter.exclude?.includes(q.entity)) throw new AppError('FORBIDDEN', `Changes to ${q.entity} are for admins only`);
      return page(db, filter, q.limit);
    },
  );

  app.get(
    '/customers/:id/audit',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags: [...tags, 'customers'],
        summary: "A customer's audit trail: created, changed, merged, deleted; newest first",
        description: 'Also for a deleted customer. A provisional customer made for a call is created by `system:call:<call id>`. Supervisors and admins only.',
        params: CustomerParams,
        querystring: Type.Object(paging, { additionalProperties: false }),
        response: { 200: AuditPage },
      },
    },
    async (req) => {
      const filter = { entity: 'customer', entityId: String(req.params.id), ...(req.query.cursor !== undefined ? { before: req.query.cursor } : {}) };
      const result = await page(db, filter, req.query.limit);
      if (!result.items.length && req.query.cursor === undefined && !(await findCustomer(db, req.params.id))) {
        throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${req.params.id}`);
      }
      return result;
    },
  );
};
