import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { webRoutes } from '../web/web.routes.ts';
import { API_CSP, installSecurityHeaders } from './security-headers.ts';

describe('security headers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-headers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a page its own content policy, gives everything else the API one, and the rest to all', async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<title>agent</title>');
    writeFileSync(join(dir, 'assets', 'agent-abc123.js'), 'console.log(1)');
    const app = Fastify();
    installSecurityHeaders(app);
    await app.register(webRoutes, { root: dir });
    app.get('/thing', async () => ({ ok: true }));
    app.get('/broken', async () => {
      throw new Error('boom');
    });

    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    for (const url of ['/assets/agent-abc123.js', '/thing', '/broken', '/nothing-here']) {
      const res = await app.inject(url);
      expect(res.headers['content-security-policy'], url).toBe(API_CSP);
    }
    for (const url of ['/', '/assets/agent-abc123.js', '/thing', '/broken', '/nothing-here']) {
      const res = await app.inject(url);
      expect(res.headers, url).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
    }
    await app.close();
  });
});
