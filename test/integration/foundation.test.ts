import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe.each(databaseKinds())('foundation on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('reports alive and ready with migrations applied', async () => {
    expect((await t.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.database).toEqual({ ok: true, detail: kind });
  });

  it('serves the OpenAPI document generated from the routes', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/api-keys');
  });

  it('refuses writes without a key, with a bad key, and from a role that may not', async () => {
    const body = { name: 'desk 1', role: 'agent' };
    const none = await t.app.inject({ method: 'POST', url: '/v1/api-keys', payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const bad = await t.app.inject({ method: 'POST', url: '/v1/api-keys', payload: body, headers: { authorization: 'Bearer not-a-real-key-000000' } });
    expect(bad.statusCode).toBe(401);

    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', payload: body, headers: t.admin });
    expect(created.statusCode).toBe(201);
    const agentKey = created.json().key as string;
    const asAgent = await t.app.inject({ method: 'POST', url: '/v1/api-keys', payload: body, headers: { authorization: `Bearer ${agentKey}` } });
    expect(asAgent.statusCode).toBe(403);
    expect(asAgent.json().error.code).toBe('FORBIDDEN');
  });

  it('stores only a hash of a key, audits its creation, and refuses it once revoked', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/v1/api-keys', payload: { name: 'ops', role: 'supervisor' }, headers: t.admin })).json();
    const stored = await sql<{ key_hash: string }>`SELECT key_hash FROM api_keys WHERE id = ${created.id}`.execute(t.database.db);
    expect(stored.rows[0]?.key_hash).not.toContain(created.key);
    const audit = await sql<{ actor: string }>`SELECT actor FROM audit_log WHERE action = 'api_key.create' AND entity_id = ${String(created.id)}`.execute(t.database.db);
    expect(audit.rows).toEqual([{ actor: 'bootstrap-admin' }]);

    const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.id}`, headers: t.admin });
    expect(del.statusCode).toBe(204);
    const after = await t.app.inject({ url: '/v1/api-keys', headers: { authorization: `Bearer ${created.key}` } });
    expect(after.statusCode).toBe(401);
  });

  it('answers malformed JSON, unknown fields and unknown routes with a coded error', async () => {
    const broken = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...t.admin, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('INVALID_JSON');
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.admin, payload: { name: 'x', role: 'agent', colour: 'red' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('VALIDATION_FAILED');
    const missing = await t.app.inject({ url: '/v1/nothing-here', headers: t.admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });
});
