import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/schema.ts';
import { AppError, errorBody } from '../shared/errors.ts';
import type { Actor } from './actor.ts';
import type { ApiKeyService } from './api-key.service.ts';
import { tooManyFailures, type AuthFailureLimit } from './auth-failure-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every authenticated route; routes in the `/v1` scope are all authenticated. */
    actor: Actor;
  }
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

/**
 * Authenticates every request in the scope it is registered in: `Authorization: Bearer <key>`.
 * An address with too many failed keys gets 429 with Retry-After (auth-failure-limit.ts).
 */
export const authPlugin = fp(async (app: FastifyInstance, { apiKeys, limit }: { apiKeys: ApiKeyService; limit: AuthFailureLimit }) => {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (req, reply) => {
    const signIn = await limit.signIn(req.ip, bearerToken(req.headers.authorization), (token) => apiKeys.authenticate(token), (token) => apiKeys.known(token));
    switch (signIn.outcome) {
      case 'ok':
        req.actor = signIn.actor;
        return;
      case 'missing':
        throw new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"');
      case 'refused':
        throw new AppError('UNAUTHENTICATED', 'Unknown or revoked API key');
      case 'limited':
        return reply.status(429).header('retry-after', String(signIn.retryAfter)).send(errorBody('RATE_LIMITED', tooManyFailures(signIn.retryAfter)));
    }
  });
});

/** Route guard: only these roles may call the route (admin always may). */
export function requireRole(...roles: Role[]): preHandlerHookHandler {
  return async (req) => {
    if (req.actor.role !== 'admin' && !roles.includes(req.actor.role)) {
      throw new AppError('FORBIDDEN', `This needs one of the roles: ${['admin', ...roles].join(', ')}`);
    }
  };
}
