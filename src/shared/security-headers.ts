import type { FastifyInstance } from 'fastify';

/** On every response: no MIME sniffing, no framing, no referrer, no cross-origin windows or embedding. */
const HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** For everything that is not a page (JSON, errors, assets): nothing in it may load or run, nor be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The /docs page (swagger-ui): its own scripts, the API on this origin. Set by swagger-ui's own
 * hook (`staticCSP`), which runs after ours for its routes. swagger-ui injects a <style> element;
 * inline styles are allowed for it (the page shows only the API's description, no customer data).
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Security headers on every response — routes, errors, 404s, files. A content policy a route set
 * itself (the web pages') is kept; everything else gets API_CSP.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(HEADERS);
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP);
    return payload;
  });
}
