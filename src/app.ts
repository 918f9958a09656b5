import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from './container.ts';
import { authPlugin } from './auth/auth.plugin.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { AuthFailureLimit } from './auth/auth-failure-limit.ts';
import { apiKeyRoutes } from './auth/api-key.routes.ts';
import { customerRoutes } from './customers/customer.routes.ts';
import { customerImportRoutes } from './customers/customer-import.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { callRoutes } from './calls/call.routes.ts';
import { crossSellRoutes } from './cross-sell/cross-sell.routes.ts';
import { followUpRoutes } from './follow-ups/follow-up.routes.ts';
import { metricsRoutes } from './metrics/metrics.routes.ts';
import { agentRoutes } from './routing/agent.routes.ts';
import { queueRoutes } from './routing/queue.routes.ts';
import { ticketRoutes } from './tickets/ticket.routes.ts';
import { clickToDialRoutes } from './sip/click-to-dial.routes.ts';
import { trunkRoutes } from './sip/trunk.routes.ts';
import { wallboardRoutes } from './wallboard/wallboard.routes.ts';
import { webRoutes } from './web/web.routes.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './shared/error-handler.ts';
import { installInputGuards } from './shared/input-hooks.ts';
import { DOCS_CSP, installSecurityHeaders } from './shared/security-headers.ts';

export const API_VERSION = '0.1.0';

/** Builds the HTTP app from ready dependencies. It never listens and never reads the environment. */
export async function buildApp(c: Container): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Unknown fields are an error the client should hear about, not something to drop silently.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, useDefaults: true } },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  installInputGuards(app);
  installSecurityHeaders(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'screenpop API',
        version: API_VERSION,
        description: 'Caller matching, customers, calls, queues, agents and write-back. Authenticate with `Authorization: Bearer <api key>`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });

  await app.register(healthRoutes, { checks: c.readiness });
  await app.register(metricsRoutes, { metrics: c.metrics });
  await app.register(webRoutes);
  // One budget of failed sign-ins per address for REST and socket handshakes, shared by the nodes through the live state.
  const authLimit = new AuthFailureLimit(c.live, { log: c.logger.child({ part: 'auth' }) });
  await app.register(
    async (v1) => {
      await v1.register(authPlugin, { apiKeys: c.apiKeys, limit: authLimit });
      await v1.register(apiKeyRoutes, { apiKeys: c.apiKeys });
      await v1.register(customerRoutes, { customers: c.customers });
      await v1.register(customerImportRoutes, { customers: c.customers });
      await v1.register(queueRoutes, { queues: c.queues });
      await v1.register(agentRoutes, { agents: c.agents });
      await v1.register(callRoutes, { db: c.database.db, calls: c.calls, writeback: c.writeback, agents: c.agents });
      await v1.register(ticketRoutes, { tickets: c.tickets, agents: c.agents });
      await v1.register(followUpRoutes, { followUps: c.followUps, agents: c.agents, queues: c.queues });
      await v1.register(crossSellRoutes, { crossSell: c.crossSell });
      await v1.register(wallboardRoutes, { wallboard: c.wallboard });
      await v1.register(trunkRoutes, { trunks: c.trunks });
      await v1.register(clickToDialRoutes, { dialer: c.dialer });
      await v1.register(auditRoutes, { db: c.database.db });
    },
    { prefix: '/v1' },
  );

  const realtime = c.attachRealtime(app.server);
  realtime.limitAuthFailures(authLimit);
  // Before the HTTP server closes: live calls get their outcome (desktops still hear it), then sockets go.
  app.addHook('preClose', async () => {
    await c.calls.shutdown();
    await realtime.close();
  });
  return app;
}
