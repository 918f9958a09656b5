import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';

describe.each(databaseKinds())('an agent keeps their desktop language on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  beforeAll(async () => {
    t = await createTestApp(kind);
    cc = await CallCenter.on(t);
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  it('stores the language the agent picks, audits it, and greets every new desktop in it', async () => {
    const mei = await cc.agent('Mei', ['general']);
    const put = await cc.api('PUT', '/v1/agents/me/locale', { locale: 'zh-CN' }, mei.key);
    expect(put.status).toBe(200);
    expect(put.body.locale).toBe('zh-CN');
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'agent.update').where('entity_id', '=', mei.id).execute();
    expect(audit).toHaveLength(1);
    const desk = await cc.desk(mei.key);
    expect((await desk.next<{ agent: { locale: string } }>('agent:hello')).agent.locale).toBe('zh-CN');
  });

  it('refuses a language it does not have, and keys that are not an agent', async () => {
    const ann = await cc.agent('Ann', ['general']);
    const bad = await cc.api('PUT', '/v1/agents/me/locale', { locale: 'fr' }, ann.key);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const supervisor = await cc.api<{ key: string }>('POST', '/v1/api-keys', { name: 'sup', role: 'supervisor' });
    const forbidden = await cc.api('PUT', '/v1/agents/me/locale', { locale: 'en' }, supervisor.body.key);
    expect(forbidden.status).toBe(403);
  });
});
