import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from './container.ts';
import { authPlugin } from './auth/auth.plugin.ts';
import { apiKeyRoutes } from './auth/api-key.routes.ts';
import { customerRoutes } from './customers/customer.routes.ts';
import { customerImportRoutes } from './customers/customer-import.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { installErrorHandler } from './shared/error-handler.ts';

export const API_VERSION = '0.1.0';

/** Builds the HTTP app from ready dependencies. It never listens and never reads the environment. */
export async function buildApp(c: Container): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Unknown fields are an error the client should hear about, not something to drop silently.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);

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
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { checks: c.readiness });
  await app.register(
    async (v1) => {
      await v1.register(authPlugin, { apiKeys: c.apiKeys });
      await v1.register(apiKeyRoutes, { apiKeys: c.apiKeys });
      await v1.register(customerRoutes, { customers: c.customers });
      await v1.register(customerImportRoutes, { customers: c.customers });
    },
    { prefix: '/v1' },
  );
  return app;
}
