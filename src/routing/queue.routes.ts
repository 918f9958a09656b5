import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import type { QueueService } from './queue.service.ts';

const Seconds = (min: number, max: number, description: string) => Type.Integer({ minimum: min, maximum: max, description });
const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  dialledNumbers: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, description: 'Dialled numbers (DNIS) that select this queue' }),
  skill: Type.String({ minLength: 1, maxLength: 60, description: 'Agents with this skill take the calls' }),
  isDefault: Type.Boolean({ description: 'Calls whose dialled number selects no queue come here' }),
  slThresholdSeconds: Seconds(1, 3600, 'Service level threshold T: answered within T counts as within service level'),
  shortAbandonSeconds: Seconds(0, 600, 'Abandoned within this many seconds is a short abandon (listed, counted apart)'),
  maxWaitSeconds: Seconds(1, 86400, 'After this wait the call goes to the overflow target (or is turned away)'),
  ringTimeoutSeconds: Seconds(1, 600, "An agent's phone rings this long before the call moves to the next agent"),
  wrapUpSeconds: Seconds(0, 3600, 'Automatic wrap-up length; 0 = until the agent finishes it'),
  overflowTarget: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: 'SIP URI or number; null = no overflow' }),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone; "today" on the wallboard starts at local midnight here' }),
};
const QueueSchema = Type.Object({ id: Type.String(), ...fields });
const CreateQueue = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }),
    name: fields.name,
    skill: fields.skill,
    dialledNumbers: Type.Optional(fields.dialledNumbers),
    isDefault: Type.Optional(fields.isDefault),
    slThresholdSeconds: Type.Optional(fields.slThresholdSeconds),
    shortAbandonSeconds: Type.Optional(fields.shortAbandonSeconds),
    maxWaitSeconds: Type.Optional(fields.maxWaitSeconds),
    ringTimeoutSeconds: Type.Optional(fields.ringTimeoutSeconds),
    wrapUpSeconds: Type.Optional(fields.wrapUpSeconds),
    overflowTarget: Type.Optional(fields.overflowTarget),
    timeZone: Type.Optional(fields.timeZone),
  },
  { additionalProperties: false },
);
const UpdateQueue = Type.Partial(Type.Omit(CreateQueue, ['id']), { additionalProperties: false, minProperties: 1 });
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });

export const queueRoutes: FastifyPluginAsyncTypebox<{ queues: QueueService }> = async (app, { queues }) => {
  const tags = ['queues'];
  app.get('/queues', { schema: { tags, summary: 'Queues and their thresholds', response: { 200: Type.Array(QueueSchema) } } }, async () => queues.all());
  app.post(
    '/queues',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Create a queue', body: CreateQueue, response: { 201: QueueSchema } } },
    async (req, reply) => {
      const { id, ...input } = req.body;
      const q = await queues.create(req.actor, id, {
        slThresholdSeconds: 20,
        shortAbandonSeconds: 5,
        maxWaitSeconds: 300,
        ringTimeoutSeconds: 20,
        wrapUpSeconds: 60,
        timeZone: 'UTC',
        ...input,
      });
      return reply.status(201).send(q);
    },
  );
  app.patch(
    '/queues/:id',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Change a queue', params: Params, body: UpdateQueue, response: { 200: QueueSchema } } },
    async (req) => queues.update(req.actor, req.params.id, req.body),
  );
  app.delete(
    '/queues/:id',
    { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Delete a queue (not the default one)', params: Params } },
    async (req, reply) => {
      await queues.remove(req.actor, req.params.id);
      return reply.status(204).send();
    },
  );
};
