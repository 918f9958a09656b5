import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import type { Kysely } from 'kysely';
import type { CallStatus, DB } from '../db/schema.ts';
import type { AgentService } from '../routing/agent.service.ts';
import { findCustomerCalls, listCalls } from './call.repository.ts';
import { rowToView } from './call-view.ts';
import { toInteraction } from '../pop/pop.builder.ts';
import type { CallService } from './call.service.ts';
import type { CallWritebackService } from './call-writeback.service.ts';
import { LinkCustomerBody, PromptOutcomeBody, Uuid, WrapUpBody } from './writeback.schemas.ts';

const CallId = Type.Object({ id: Uuid });
const CallViewSchema = Type.Object({
  id: Type.String(),
  source: Type.String(),
  externalId: Type.String(),
  status: Type.String(),
  queueId: Type.Union([Type.String(), Type.Null()]),
  agentId: Type.Union([Type.String(), Type.Null()]),
  customerId: Type.Union([Type.Integer(), Type.Null()]),
  matchOutcome: Type.String(),
  offeredAt: Type.String(),
  answeredAt: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  hangupBy: Type.Union([Type.String(), Type.Null()]),
});

const CallEvent = Type.Object(
  {
    type: Type.Union([Type.Literal('offered'), Type.Literal('answered'), Type.Literal('ended')]),
    callId: Type.String({ minLength: 1, maxLength: 200, description: "The PBX's id for the call; every event of one call carries the same" }),
    from: Type.Optional(Type.String({ maxLength: 256, description: 'Caller number in any format (offered)' })),
    to: Type.Optional(Type.String({ maxLength: 64, description: 'Dialled number; selects the queue (offered)' })),
    callerName: Type.Optional(Type.String({ maxLength: 200 })),
    withheld: Type.Optional(Type.Boolean({ description: 'The caller withheld their number' })),
    redirectingNumber: Type.Optional(Type.String({ maxLength: 64 })),
    agentId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'offered: ring this agent, no queue; answered: the agent who answered' })),
    hangupBy: Type.Optional(Type.Union([Type.Literal('caller'), Type.Literal('agent'), Type.Literal('system')])),
  },
  { additionalProperties: false },
);

export const callRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<DB>; calls: CallService; writeback: CallWritebackService; agents: AgentService }> = async (
  app,
  { db, calls, writeback, agents },
) => {
  const tags = ['calls'];

  app.post(
    '/call-events',
    {
      preHandler: requireRole('integrator'),
      schema: {
        tags,
        summary: 'Drive a call from a PBX that does not route SIP through screenpop: offered, answered, ended',
        description:
          'Events of one call share `callId`. `offered` twice is answered with the same call; `answered` twice and `ended` twice are no-ops; `answered` or `ended` for a call never offered is 404 CALL_NOT_FOUND. Each event that changes the call log is audited with the key that sent it (`GET /v1/audit?entity=call&id=<call id>`).',
        body: CallEvent,
        response: { 200: CallViewSchema },
      },
    },
    async (req, reply) => {
      const e = req.body;
      if (e.type === 'offered') {
        // The PBX closing its request means it gave up on us: the call must not ring anyone later.
        const senderGone = new AbortController();
        reply.raw.on('close', () => {
          if (!reply.raw.writableFinished) senderGone.abort();
        });
        return calls.offer({
          signal: senderGone.signal,
          source: 'api',
          externalId: e.callId,
          fromNumber: e.from?.trim() || null,
          callerName: e.callerName ?? null,
          withheld: e.withheld === true,
          dialledNumber: e.to?.trim() || null,
          redirectingNumber: e.redirectingNumber ?? null,
          ...(e.agentId ? { agentId: e.agentId } : {}),
          actor: req.actor,
        });
      }
      const id = await calls.idFor('api', e.callId);
      return e.type === 'answered' ? calls.answer(id, e.agentId, req.actor) : calls.end(id, e.hangupBy ?? 'caller', { actor: req.actor });
    },
  );

  app.get(
    '/customers/:id/interactions',
    {
      schema: {
        tags,
        summary: "A customer's calls with dispositions and notes, newest first (the pop shows the latest 20)",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object(
          { before: Type.Optional(Type.String({ format: 'date-time', description: 'Only calls offered before this time (page with the last one seen)' })), limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      (await findCustomerCalls(db, req.params.id, { ...(req.query.before ? { before: new Date(req.query.before) } : {}), limit: req.query.limit })).map((k) => ({
        ...toInteraction(k),
        waitSeconds: k.wait_seconds === null ? null : Number(k.wait_seconds),
      })),
  );

  app.get(
    '/calls',
    {
      preHandler: requireRole('supervisor', 'integrator'),
      schema: {
        tags,
        summary: 'The call log: calls offered in a time window, oldest first',
        querystring: Type.Object(
          {
            since: Type.String({ format: 'date-time' }),
            until: Type.Optional(Type.String({ format: 'date-time' })),
            queue: Type.Optional(Type.String({ maxLength: 40 })),
            status: Type.Optional(Type.Union(['offered', 'queued', 'ringing', 'answered', 'ended', 'abandoned', 'overflowed', 'failed'].map((x) => Type.Literal(x)))),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listCalls(db, {
        since: new Date(q.since),
        until: q.until ? new Date(q.until) : new Date(),
        ...(q.queue ? { queueId: q.queue } : {}),
        ...(q.status ? { status: q.status as CallStatus } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return rows.map((r) => ({ ...rowToView(r), dialledNumber: r.dialled_number, waitSeconds: r.wait_seconds === null ? null : Number(r.wait_seconds), talkSeconds: r.talk_seconds === null ? null : Number(r.talk_seconds), wrapSeconds: r.wrap_seconds === null ? null : Number(r.wrap_seconds), disposition: r.disposition, endReason: r.end_reason }));
    },
  );

  app.get('/calls/:id', { schema: { tags, summary: 'A call, live or from the log', params: CallId, response: { 200: CallViewSchema } } }, async (req) => calls.get(req.params.id));

  app.post(
    '/calls/:id/wrap-up',
    {
      preHandler: requireRole('agent', 'supervisor'),
      schema: {
        tags,
        summary: 'Wrap up a call: disposition (from the configured list) and notes; the agent is ready again',
        description: 'An agent may wrap up only their own calls (403). Notes over 5,000 characters are refused, not cut.',
        params: CallId,
        body: WrapUpBody,
      },
    },
    async (req) => writeback.wrapUp(req.actor, agents.actingAgent(req.actor), { callId: req.params.id, ...req.body }),
  );

  app.post(
    '/calls/:id/customer',
    {
      preHandler: requireRole('agent', 'supervisor'),
      schema: { tags, summary: 'Link the customer on the call (one of several matches, or found by search)', params: CallId, body: LinkCustomerBody },
    },
    async (req) => writeback.linkCustomer(req.actor, agents.actingAgent(req.actor), { callId: req.params.id, customerId: req.body.customerId }),
  );

  app.post(
    '/calls/:id/prompts/:ruleId',
    {
      preHandler: requireRole('agent', 'supervisor'),
      schema: {
        tags,
        summary: "Record the customer's answer to a cross-sell offer shown on the call",
        params: Type.Object({ ...CallId.properties, ruleId: Type.Integer({ minimum: 1 }) }),
        body: PromptOutcomeBody,
      },
    },
    async (req) => writeback.promptOutcome(req.actor, agents.actingAgent(req.actor), { callId: req.params.id, ruleId: req.params.ruleId, outcome: req.body.outcome }),
  );
};
