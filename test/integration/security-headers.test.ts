import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const EVERYWHERE = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

describe('security headers on every response', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('on API answers, errors and 404s, with a content policy that lets nothing load or frame them', async () => {
    const answers = {
      ok: await t.app.inject({ url: '/v1/queues', headers: t.admin }),
      health: await t.app.inject({ url: '/health' }),
      notFound: await t.app.inject({ url: '/v1/nothing-here', headers: t.admin }),
      unauthenticated: await t.app.inject({ url: '/v1/queues' }),
      invalid: await t.app.inject({ method: 'POST', url: '/v1/queues', headers: t.admin, payload: { colour: 'red' } }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.statusCode]))).toEqual({ ok: 200, health: 200, notFound: 404, unauthenticated: 401, invalid: 400 });
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers, name).toMatchObject({ ...EVERYWHERE, 'content-security-policy': API_CSP });
    }
  });

  it('on the web page and the API docs, each with a policy of its own that still forbids framing', async () => {
    // The desktop page when built (npm run build); otherwise the text saying how to build it.
    const page = await t.app.inject({ url: '/' });
    expect(page.headers).toMatchObject(EVERYWHERE);
    if (page.statusCode === 200) expect(page.headers['content-security-policy']).toMatch(/^default-src 'self'; script-src 'self'.*frame-ancestors 'none'/);
    else expect([page.statusCode, page.headers['content-security-policy']]).toEqual([503, API_CSP]);

    const docs = await t.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    expect(docs.headers).toMatchObject(EVERYWHERE);
    expect(docs.headers['content-security-policy']).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    const script = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers).toMatchObject(EVERYWHERE);
  });
});
