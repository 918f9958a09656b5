import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe.each(databaseKinds())('the default queue on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url, headers: t.admin, ...(payload ? { payload } : {}) });
  const defaults = async () => ((await api('GET', '/v1/queues')).json() as { id: string; isDefault: boolean }[]).filter((q) => q.isDefault).map((q) => q.id);

  it('moves to a new queue created as the default, and back by a change, one default at a time', async () => {
    expect(await defaults()).toEqual(['general']);
    const created = await api('POST', '/v1/queues', { id: 'support', name: 'Support', skill: 'support', isDefault: true });
    expect(created.statusCode).toBe(201);
    expect(await defaults()).toEqual(['support']);

    const changed = await api('PATCH', '/v1/queues/general', { isDefault: true });
    expect(changed.statusCode).toBe(200);
    expect(await defaults()).toEqual(['general']);
  });
});
