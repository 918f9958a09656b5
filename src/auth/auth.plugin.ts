import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/schema.ts';
import { AppError } from '../shared/errors.ts';
import type { Actor } from './actor.ts';
import type { ApiKeyService } from './api-key.service.ts';

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

/** Authenticates every request in the scope it is registered in: `Authorization: Bearer <key>`. */
export const authPlugin = fp(async (app: FastifyInstance, { apiKeys }: { apiKeys: ApiKeyService }) => {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"');
    const actor = await apiKeys.authenticate(token);
    if (!actor) throw new AppError('UNAUTHENTICATED', 'Unknown or revoked API key');
    req.actor = actor;
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
