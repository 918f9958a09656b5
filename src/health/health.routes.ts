import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

export interface ReadinessCheck {
  name: string;
  /** Resolves to a short status; throws or returns ok:false when the part is not usable. */
  check(): Promise<{ ok: boolean; detail?: string }>;
}

const Status = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) })),
});

export function databaseCheck(database: Database, expectedMigrations: readonly string[]): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      const rows = await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(database.db);
      const applied = new Set(rows.rows.map((r) => r.name));
      const missing = expectedMigrations.filter((m) => !applied.has(m));
      return missing.length ? { ok: false, detail: `migrations not applied: ${missing.join(', ')}` } : { ok: true, detail: database.kind };
    },
  };
}

/** Redis answers a PING in time and the bus subscriber is connected (else this node misses other nodes' messages). */
export function redisCheck(command: { ping(): Promise<unknown> }, subscriber: { readonly status: string }, timeoutMs = 2000): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to PING within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([command.ping(), timeout]);
      } finally {
        clearTimeout(timer);
      }
      return subscriber.status === 'ready' ? { ok: true, detail: 'shared state' } : { ok: false, detail: `bus subscriber ${subscriber.status}` };
    },
  };
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ checks: ReadinessCheck[] }> = async (app, { checks }) => {
  app.get('/health', { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/ready',
    { schema: { tags: ['operations'], summary: 'Database reachable, migrations applied, SIP and Redis state', response: { 200: Status, 503: Status } } },
    async (_req, reply) => {
      const results: Record<string, { ok: boolean; detail?: string }> = {};
      await Promise.all(
        checks.map(async (c) => {
          results[c.name] = await c.check().catch((err: Error) => ({ ok: false, detail: err.message.slice(0, 200) }));
        }),
      );
      const ok = Object.values(results).every((r) => r.ok);
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: results });
    },
  );
};
