import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import type { CrossSellService } from './cross-sell.service.ts';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number> | ReturnType<typeof Type.Array>>(t: T) =>
  Type.Union([t, Type.Null()]);
const ProductCode = Type.String({ minLength: 1, maxLength: 60 });
const conditions = {
  segments: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20, description: 'Value segments it applies to; null = any' }))),
  holdsProduct: Type.Optional(Nullable(ProductCode)),
  notHoldsProduct: Type.Optional(Nullable(ProductCode)),
  minLifetimeValue: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  minTenureMonths: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1200, description: 'Whole months as a customer' }))),
};
const offer = {
  productCode: ProductCode,
  productName: Type.String({ minLength: 1, maxLength: 120 }),
  script: Type.String({ minLength: 1, maxLength: 2000, description: 'What the agent says' }),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: 'Higher first; at most 3 offers reach a pop' })),
  active: Type.Optional(Type.Boolean()),
};
const CreateRule = Type.Object({ name: Type.String({ minLength: 1, maxLength: 120 }), ...conditions, ...offer }, { additionalProperties: false });
const UpdateRule = Type.Partial(CreateRule, { additionalProperties: false, minProperties: 1 });

export const crossSellRoutes: FastifyPluginAsyncTypebox<{ crossSell: CrossSellService }> = async (app, { crossSell }) => {
  const tags = ['cross-sell'];
  app.get('/cross-sell/rules', { schema: { tags, summary: 'Cross-sell rules: conditions → an offer' } }, async () => crossSell.list());
  app.post(
    '/cross-sell/rules',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Add a rule', body: CreateRule } },
    async (req, reply) => reply.status(201).send(await crossSell.create(req.actor, req.body)),
  );
  app.patch(
    '/cross-sell/rules/:id',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Change a rule (active: false retires it)', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: UpdateRule } },
    async (req) => crossSell.update(req.actor, req.params.id, req.body),
  );
  app.get(
    '/cross-sell/conversion',
    { preHandler: requireRole('supervisor', 'integrator'), schema: { tags, summary: 'Per rule: offers shown, accepted, declined, later; conversion = accepted ÷ shown' } },
    async () => crossSell.conversion(),
  );
};
