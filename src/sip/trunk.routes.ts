import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import { CreateTrunk, TrunkName, TrunkSchema, UpdateTrunk } from './trunk.schemas.ts';
import type { TrunkService } from './trunk.service.ts';

const Params = Type.Object({ name: TrunkName });

/** SIP trunks for integrators: which PBXs may send calls, how they authenticate, where their numbers go. */
export const trunkRoutes: FastifyPluginAsyncTypebox<{ trunks: TrunkService }> = async (app, { trunks }) => {
  const tags = ['trunks'];
  const read = requireRole('integrator', 'supervisor');
  const write = requireRole('integrator');
  app.get('/trunks', { preHandler: read, schema: { tags, summary: 'SIP trunks', response: { 200: Type.Array(TrunkSchema) } } }, async () => trunks.all());
  app.get('/trunks/:name', { preHandler: read, schema: { tags, summary: 'One SIP trunk', params: Params, response: { 200: TrunkSchema } } }, async (req) =>
    trunks.get(req.params.name),
  );
  app.post(
    '/trunks',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Register a SIP trunk (a PBX or carrier that sends calls through drachtio-server)',
        description: 'INVITEs and OPTIONS from addresses outside every trunk\'s sources get 403. With `auth`, INVITEs are challenged (401) too.',
        body: CreateTrunk,
        response: { 201: TrunkSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await trunks.create(req.actor, req.body)),
  );
  app.patch(
    '/trunks/:name',
    { preHandler: write, schema: { tags, summary: 'Change a SIP trunk', params: Params, body: UpdateTrunk, response: { 200: TrunkSchema } } },
    async (req) => trunks.update(req.actor, req.params.name, req.body),
  );
  app.delete('/trunks/:name', { preHandler: write, schema: { tags, summary: 'Remove a SIP trunk', params: Params } }, async (req, reply) => {
    await trunks.remove(req.actor, req.params.name);
    return reply.status(204).send();
  });
};
