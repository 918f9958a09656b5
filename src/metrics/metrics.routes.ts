import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from './metrics.ts';

/** Prometheus text format; no personal data in it, so like /health it needs no key. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics: calls per queue, agents by state, pop latency, outbox depth, store errors' } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
};
