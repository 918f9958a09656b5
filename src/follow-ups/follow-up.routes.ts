import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import { FollowUpBody } from '../calls/writeback.schemas.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { QueueService } from '../routing/queue.service.ts';
import { AppError } from '../shared/errors.ts';
import { localDate, type FollowUpService } from './follow-up.service.ts';

const AgentId = Type.String({ pattern: '^[1-9][0-9]{0,15}$' });

export const followUpRoutes: FastifyPluginAsyncTypebox<{ followUps: FollowUpService; agents: AgentService; queues: QueueService }> = async (
  app,
  { followUps, agents, queues },
) => {
  const tags = ['follow-ups'];
  app.post(
    '/follow-ups',
    { preHandler: requireRole('agent', 'supervisor'), schema: { tags, summary: 'Schedule a follow-up (due date, assignee: yourself by default)', body: FollowUpBody } },
    async (req, reply) => reply.status(201).send(await followUps.create(req.actor, agents.actingAgent(req.actor), req.body)),
  );
  app.get(
    '/follow-ups/today',
    {
      preHandler: requireRole('agent', 'supervisor'),
      schema: {
        tags,
        summary: "Today's follow-ups (and overdue ones) of the calling agent, or of `agentId` for supervisors",
        description: "Today is the date in the default queue's time zone unless `date` is given.",
        querystring: Type.Object({ agentId: Type.Optional(AgentId), date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const self = agents.actingAgent(req.actor);
      const agentId = self ?? req.query.agentId;
      if (!agentId) throw new AppError('VALIDATION_FAILED', 'Name the agent: ?agentId=', { field: 'agentId' });
      if (self !== null && req.query.agentId && req.query.agentId !== self) throw new AppError('FORBIDDEN', "Agents see their own follow-ups");
      const date = req.query.date ?? localDate(Date.now(), queues.forDialled(null)?.timeZone ?? 'UTC');
      return { date, items: await followUps.dueBy(agentId, date) };
    },
  );
  app.post(
    '/follow-ups/:id/done',
    { preHandler: requireRole('agent', 'supervisor'), schema: { tags, summary: 'Mark a follow-up done', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } },
    async (req) => followUps.complete(req.actor, agents.actingAgent(req.actor), req.params.id),
  );
  app.post(
    '/follow-ups/delegate',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags,
        summary: "Hand an absent agent's pending follow-ups to another agent",
        body: Type.Object({ fromAgentId: AgentId, toAgentId: AgentId }, { additionalProperties: false }),
      },
    },
    async (req) => followUps.delegate(req.actor, req.body.fromAgentId, req.body.toAgentId),
  );
};
