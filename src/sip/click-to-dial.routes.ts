import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import type { ClickToDialService } from './click-to-dial.service.ts';
import { TrunkName } from './trunk.schemas.ts';

const DialBody = Type.Object(
  {
    customerId: Type.Optional(Type.Integer({ minimum: 1, description: "Call this customer's primary phone" })),
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Or this number, in any format (read in the trunk's country)" })),
    agentId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'Supervisors and admins: whose phone dials. Agents always dial from their own' })),
    trunk: Type.Optional(TrunkName),
  },
  { additionalProperties: false },
);

const Accepted = Type.Object({
  id: Type.String(),
  source: Type.String(),
  externalId: Type.String(),
  status: Type.String(),
  agentId: Type.Union([Type.String(), Type.Null()]),
  customerId: Type.Union([Type.Integer(), Type.Null()]),
  offeredAt: Type.String(),
});

export const clickToDialRoutes: FastifyPluginAsyncTypebox<{ dialer: ClickToDialService }> = async (app, { dialer }) => {
  app.post(
    '/calls/dial',
    {
      preHandler: requireRole('agent', 'supervisor'),
      schema: {
        tags: ['calls'],
        summary: "Click-to-dial: ring the agent's phone, then the customer, and connect them",
        description:
          'Answers 202 at once with the call id; follow the call with GET /v1/calls/{id} (status offered → ringing → answered → ended, or failed with end reason). ' +
          '503 UNAVAILABLE when SIP is not configured or no trunk has an outboundUri; 409 INVALID_STATE when the agent is on a call or has no SIP address.',
        body: DialBody,
        response: { 202: Accepted },
      },
    },
    async (req, reply) => reply.status(202).send(await dialer.dial(req.actor, req.body)),
  );
};
