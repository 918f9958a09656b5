import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { webRoutes } from './web.routes.ts';

describe('the web pages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-web-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the desktop and the wallboard with a strict content policy, and hashed assets for a year', async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<title>agent</title>');
    writeFileSync(join(dir, 'wallboard.html'), '<title>board</title>');
    writeFileSync(join(dir, 'assets', 'agent-abc123.js'), 'console.log(1)');
    const app = Fastify();
    await app.register(webRoutes, { root: dir });
    for (const [url, body] of [['/', 'agent'], ['/agent', 'agent'], ['/wallboard', 'board']]) {
      const res = await app.inject(url!);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(body);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    const asset = await app.inject('/assets/agent-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await app.close();
  });

  it('says how to build the pages when the bundle is missing', async () => {
    const app = Fastify();
    await app.register(webRoutes, { root: join(dir, 'nothing-here') });
    const res = await app.inject('/wallboard');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await app.close();
  });
});
