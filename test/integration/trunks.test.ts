import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';

describe.each(databaseKinds())('SIP trunks and click-to-dial without SIP on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-trunks-'));
  const file = join(dir, 'trunks.json');

  beforeAll(async () => {
    writeFileSync(
      file,
      JSON.stringify({ trunks: [{ name: 'from-file', sources: ['198.51.100.0/24'], defaultCountry: 'GB', dialledQueues: { '02079460000': 'not-yet' }, auth: { username: 'pbx', password: 'file-secret-1' } }] }),
    );
    t = await createTestApp(kind, { TRUNKS_FILE: file });
    cc = await CallCenter.on(t);
    await cc.queue('support', ['8000']);
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the trunks file at start, without its password', async () => {
    const r = await cc.api('GET', '/v1/trunks/from-file');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      name: 'from-file',
      description: null,
      sources: ['198.51.100.0/24'],
      auth: { username: 'pbx', realm: 'screenpop' },
      defaultCountry: 'GB',
      dialledQueues: { '02079460000': 'not-yet' },
      maxCallsPerSecond: null,
      outboundUri: null,
    });
    expect(JSON.stringify(r.body)).not.toContain('file-secret');
  });

  it('declaring the same file again writes nothing; a changed trunk is updated and audited', async () => {
    const audits = async () => (await t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'trunk').execute()).length;
    const before = await audits();
    const trunks = [{ name: 'from-file', sources: ['198.51.100.0/24'], defaultCountry: 'GB', dialledQueues: { '02079460000': 'not-yet' }, auth: { username: 'pbx', password: 'file-secret-1' } }];
    expect(await t.container.trunks.declare({ id: 'system:test', role: 'admin', keyId: null, name: 'test' }, trunks)).toMatchObject({ created: 0, updated: 0 });
    expect(await audits()).toBe(before);
    trunks[0]!.sources = ['198.51.100.0/25'];
    expect(await t.container.trunks.declare({ id: 'system:test', role: 'admin', keyId: null, name: 'test' }, trunks)).toMatchObject({ updated: 1 });
    expect(await audits()).toBe(before + 1);
  });

  it('creates, changes and removes a trunk over the API, audited, for integrators only', async () => {
    const key = await cc.api<{ key: string }>('POST', '/v1/api-keys', { name: 'integrator', role: 'integrator' });
    const agentKey = await cc.api<{ key: string }>('POST', '/v1/api-keys', { name: 'agent', role: 'agent' });
    const body = { name: 'asterisk-1', sources: ['203.0.113.7', '2001:db8::/32'], defaultCountry: 'DE', dialledQueues: { '+49 30 1234567': 'support' }, maxCallsPerSecond: 20, outboundUri: 'sip:203.0.113.7:5060' };
    expect((await cc.api('POST', '/v1/trunks', body, agentKey.body.key)).status).toBe(403);

    const created = await cc.api('POST', '/v1/trunks', body, key.body.key);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'asterisk-1', sources: ['203.0.113.7/32', '2001:db8::/32'], auth: null, maxCallsPerSecond: 20 });
    expect((await cc.api('POST', '/v1/trunks', body, key.body.key)).status).toBe(409);

    // The INVITE path finds it by source address and maps its dialled number (any format) to the queue.
    const entry = t.container.trunks.forSource('203.0.113.7')!;
    expect(entry.trunk.name).toBe('asterisk-1');
    expect(t.container.trunks.queueFor(entry, '0301234567')).toBe('support');
    expect(t.container.trunks.queueFor(entry, '+49301234567')).toBe('support');
    expect(t.container.trunks.queueFor(entry, '999')).toBeNull();
    expect(t.container.trunks.forSource('203.0.113.8')).toBeNull();

    const patched = await cc.api('PATCH', '/v1/trunks/asterisk-1', { auth: { username: 'ast', password: 'long-enough-secret' } }, key.body.key);
    expect(patched.status).toBe(200);
    expect(patched.body.auth).toEqual({ username: 'ast', realm: 'screenpop' });
    const stored = await t.database.db.selectFrom('trunks').selectAll().where('name', '=', 'asterisk-1').executeTakeFirstOrThrow();
    expect(stored.auth_ha1).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(stored)).not.toContain('long-enough-secret');

    expect((await cc.api('DELETE', '/v1/trunks/asterisk-1', undefined, key.body.key)).status).toBe(204);
    expect((await cc.api('GET', '/v1/trunks/asterisk-1')).body.error.code).toBe('TRUNK_NOT_FOUND');
    const actions = (await t.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', 'asterisk-1').orderBy('id').execute()).map((a) => a.action);
    expect(actions).toEqual(['trunk.create', 'trunk.update', 'trunk.delete']);
  });

  it('refuses bad trunks with a clear error', async () => {
    const bad = async (body: object) => (await cc.api('POST', '/v1/trunks', { name: 'bad', sources: ['10.0.0.0/8'], ...body })).body.error;
    expect(await bad({ sources: ['10.0.0.0/33'] })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await bad({ sources: [] })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await bad({ dialledQueues: { '8000': 'nope' } })).toMatchObject({ code: 'QUEUE_NOT_FOUND' });
    expect(await bad({ dialledQueues: { abc: 'support' } })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await bad({ defaultCountry: 'XX' })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await bad({ auth: { username: 'x', password: 'short' } })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await bad({ outboundUri: 'http://x' })).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers click-to-dial with 503 when SIP is not configured, and /ready has no SIP check', async () => {
    const agent = await cc.agent('Dialer', ['support'], { ready: true });
    const r = await cc.api('POST', '/v1/calls/dial', { number: '+1 415 555 0123' }, agent.key);
    expect(r.status).toBe(503);
    expect(r.body.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(r.body.error.message).toContain('DRACHTIO_HOST');
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(Object.keys(ready.json().checks)).toEqual(['database']);
  });
});

describe('a bad trunks file', () => {
  it('stops the start with every problem listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'screenpop-trunks-'));
    const file = join(dir, 'trunks.json');
    writeFileSync(file, JSON.stringify({ trunks: [{ name: 'Bad Name', sources: 'x' }] }));
    try {
      await expect(createTestApp('pglite', { TRUNKS_FILE: file })).rejects.toThrow(/TRUNKS_FILE .* is not valid:[\s\S]*\/trunks\/0\/name[\s\S]*\/trunks\/0\/sources/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
