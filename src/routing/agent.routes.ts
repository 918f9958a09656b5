import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import { stateView } from '../realtime/realtime.server.ts';
import { SetStateEvent } from '../calls/writeback.schemas.ts';
import type { AgentService } from './agent.service.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 120 }),
  sipUri: Type.Union([Type.String({ pattern: '^sips?:[^\\s<>]+$', maxLength: 256 }), Type.Null()], { description: "Where the agent's phone rings" }),
  skills: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50, description: 'Queue skills the agent takes calls for' }),
  team: Type.Union([Type.String({ minLength: 1, maxLength: 120 }), Type.Null()]),
  locale: Type.String({ pattern: '^(en|zh-CN)$', description: 'Desktop language: en or zh-CN' }),
};
const AgentSchema = Type.Object({ id: Type.String(), ...fields, apiKeyId: Type.Union([Type.Integer(), Type.Null()]) });
const CreateAgent = Type.Object(
  { name: fields.name, sipUri: Type.Optional(fields.sipUri), skills: Type.Optional(fields.skills), team: Type.Optional(fields.team), locale: Type.Optional(fields.locale) },
  { additionalProperties: false },
);
const UpdateAgent = Type.Partial(CreateAgent, { additionalProperties: false, minProperties: 1 });
const Params = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,15}$' }) });

export const agentRoutes: FastifyPluginAsyncTypebox<{ agents: AgentService }> = async (app, { agents }) => {
  const tags = ['agents'];
  app.get('/agents', { schema: { tags, summary: 'Agents', response: { 200: Type.Array(AgentSchema) } } }, async () => agents.all());
  app.post(
    '/agents',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags,
        summary: "Create an agent and the agent's API key (shown once in this answer)",
        body: CreateAgent,
        response: { 201: Type.Object({ agent: AgentSchema, key: Type.String() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await agents.create(req.actor, req.body)),
  );
  app.patch(
    '/agents/:id',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Change an agent', params: Params, body: UpdateAgent, response: { 200: AgentSchema } } },
    async (req) => agents.update(req.actor, req.params.id, req.body),
  );
  app.delete(
    '/agents/:id',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Remove an agent (logged out first) and revoke their key', params: Params } },
    async (req, reply) => {
      await agents.remove(req.actor, req.params.id);
      return reply.status(204).send();
    },
  );
  app.get('/agents/me', { preHandler: requireRole('agent'), schema: { tags, summary: 'The agent this key belongs to, with their state' } }, async (req) => {
    const agent = agents.requireSelf(req.actor);
    return { ...agent, state: stateView((await agents.state(agent.id)).state) };
  });
  app.put(
    '/agents/me/locale',
    {
      preHandler: requireRole('agent'),
      schema: {
        tags,
        summary: "The calling agent's desktop language (en or zh-CN), kept for every desktop they sign in to",
        body: Type.Object({ locale: fields.locale }, { additionalProperties: false }),
        response: { 200: AgentSchema },
      },
    },
    async (req) => agents.update(req.actor, agents.requireSelf(req.actor).id, { locale: req.body.locale }),
  );
  app.put(
    '/agents/me/state',
    { preHandler: requireRole('agent'), schema: { tags, summary: 'Ready, not ready (with a reason) or logged out; refused while on a call', body: SetStateEvent } },
    async (req) => stateView(await agents.setState(agents.requireSelf(req.actor).id, req.body, req.actor)),
  );
};
