import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from './auth.plugin.ts';
import type { ApiKeyService } from './api-key.service.ts';

const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('agent'), Type.Literal('integrator')]);
const KeySummary = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: RoleSchema,
  key_prefix: Type.String(),
  created_at: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ apiKeys: ApiKeyService }> = async (app, { apiKeys }) => {
  const tags = ['api keys'];
  app.post(
    '/api-keys',
    {
      preHandler: requireRole(),
      schema: {
        tags,
        summary: 'Create an API key (admin). The key is shown once in this answer and stored only as a hash.',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 120 }), role: RoleSchema }, { additionalProperties: false }),
        response: { 201: Type.Intersect([KeySummary, Type.Object({ key: Type.String() })]) },
      },
    },
    async (req, reply) => reply.status(201).send(await apiKeys.create(req.actor, req.body)),
  );

  app.get(
    '/api-keys',
    { preHandler: requireRole(), schema: { tags, summary: 'List API keys (admin); never their secrets', response: { 200: Type.Array(KeySummary) } } },
    async () => apiKeys.list(),
  );

  app.delete(
    '/api-keys/:id',
    {
      preHandler: requireRole(),
      schema: { tags, summary: 'Revoke an API key (admin); sockets using it are refused from then on', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) },
    },
    async (req, reply) => {
      await apiKeys.revoke(req.actor, req.params.id);
      return reply.status(204).send();
    },
  );
};
