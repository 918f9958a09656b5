// Serves the built agent desktop (/ and /agent) and wallboard (/wallboard) from dist/web.
// The pages are static; they talk to the API and the sockets of the same origin with the key the
// user signs in with. When the bundle is missing the pages say how to build it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

// Built pages load only their own hashed scripts and styles and talk only to this origin;
// customer data is rendered as text, and this stops anything injected from running anyway.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = (file: string) =>
  `The web desktop is not built (${file} is missing).\n\nRun \`npm run build\` (npm start does it for you), then restart screenpop.\n`;

export const webRoutes: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  const root = opts.root ?? WEB_ROOT;
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    // Hashed file names: cache for a year; a new build has new names.
    await app.register(fastifyStatic, { root: join(root, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', index: false });
  }
  const page = (file: string) => async (_req: unknown, reply: FastifyReply) => {
    if (!built || !existsSync(join(root, file))) {
      return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT(join(root, file)));
    }
    return reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP) // kept by the app's security headers (shared/security-headers.ts), which add the rest
      .sendFile(file, root, { cacheControl: false }); // the page must not be cached like its hashed assets
  };
  const hide = { schema: { hide: true } };
  app.get('/', hide, page('index.html'));
  app.get('/agent', hide, page('index.html'));
  app.get('/wallboard', hide, page('wallboard.html'));
};
