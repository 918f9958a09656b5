import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import { TicketBody } from '../calls/writeback.schemas.ts';
import type { AgentService } from '../routing/agent.service.ts';
import type { TicketService } from './ticket.service.ts';

export const ticketRoutes: FastifyPluginAsyncTypebox<{ tickets: TicketService; agents: AgentService }> = async (app, { tickets, agents }) => {
  const tags = ['tickets'];
  app.post(
    '/tickets',
    {
      preHandler: requireRole('agent', 'supervisor', 'integrator'),
      schema: { tags, summary: 'Open a ticket for a customer, optionally from a call (category complaint counts as a complaint)', body: TicketBody },
    },
    async (req, reply) => reply.status(201).send(await tickets.create(req.actor, agents.actingAgent(req.actor), req.body)),
  );
  app.get(
    '/customers/:id/tickets',
    {
      schema: {
        tags,
        summary: "A customer's tickets, newest first",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('pending'), Type.Literal('closed')])),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => tickets.list(req.params.id, req.query),
  );
};
