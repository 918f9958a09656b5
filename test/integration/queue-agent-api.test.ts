import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

describe.each(databaseKinds())('queues, agents and the call log over REST on %s', (kind) => {
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

  it('manages queues: a dialled number selects one queue only, time zones are checked, the default stays', async () => {
    expect((await cc.queue('sales', ['+1 800 555 0100', '8100'])).dialledNumbers).toEqual(['+1 800 555 0100', '8100']);
    const clash = await cc.api('POST', '/v1/queues', { id: 'other', name: 'Other', skill: 'other', dialledNumbers: ['18005550100'] });
    expect(clash.status).toBe(409);
    const tz = await cc.api('POST', '/v1/queues', { id: 'mars', name: 'Mars', skill: 'mars', timeZone: 'Mars/Olympus' });
    expect(tz.body.error.code).toBe('VALIDATION_FAILED');
    expect((await cc.api('DELETE', '/v1/queues/general')).status).toBe(409);
    const patched = await cc.api('PATCH', '/v1/queues/sales', { ringTimeoutSeconds: 12, timeZone: 'Europe/Berlin' });
    expect(patched.body).toMatchObject({ ringTimeoutSeconds: 12, timeZone: 'Europe/Berlin' });
    const agentKey = (await cc.api('POST', '/v1/agents', { name: 'NoAdmin', skills: [] })).body.key;
    expect((await cc.api('POST', '/v1/queues', { id: 'x', name: 'x', skill: 'x' }, agentKey)).status).toBe(403);
    const audit = await sql<{ action: string }>`SELECT action FROM audit_log WHERE entity = 'queue' ORDER BY id`.execute(t.database.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['queue.create', 'queue.update']);

    // An unknown dialled number goes to the default queue.
    const call = await cc.offer('dnis-1', '+1 415 555 0199', '5555');
    expect(call.body.queueId).toBe('general');
    expect((await cc.offer('dnis-2', '+1 415 555 0199', '1-800-555-0100')).body.queueId).toBe('sales');
    for (const id of ['dnis-1', 'dnis-2']) await cc.event({ type: 'ended', callId: id });
  });

  it('lets an agent set their state over REST, and ends an automatic wrap-up after the queue wrap-up time', async () => {
    await cc.queue('auto', ['8200'], { wrapUpSeconds: 1, ringTimeoutSeconds: 30 });
    const a = await cc.agent('Auto', ['auto']);
    const ready = await cc.api('PUT', '/v1/agents/me/state', { status: 'ready' }, a.key);
    expect(ready.body.status).toBe('ready');
    const again = await cc.api('PUT', '/v1/agents/me/state', { status: 'ready' }, a.key);
    expect(again.body).toEqual(ready.body); // a second click changes nothing, not even the time in state
    const noReason = await cc.api('PUT', '/v1/agents/me/state', { status: 'not_ready' }, a.key);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    expect((await cc.api('GET', '/v1/agents/me', undefined, a.key)).body.state.status).toBe('ready');

    await cc.offer('auto-1', '+1 415 555 0198', '8200');
    const pop = await a.desk.next<Pop>('call:offered');
    await cc.event({ type: 'answered', callId: 'auto-1' });
    await cc.event({ type: 'ended', callId: 'auto-1' });
    const ended = await a.desk.next<{ wrapUpUntil: string | null }>('call:ended');
    expect(ended.wrapUpUntil).not.toBeNull();
    await a.desk.next<any>('agent:state', (s) => s.status === 'ready' && s.since >= ended.wrapUpUntil!.slice(0, 19));
    const row = await cc.row(pop.call.id, (r) => r.wrap_seconds !== null);
    expect(Number(row.wrap_seconds)).toBe(1);
    // Wrapping up after the automatic end still stores the disposition, and the after-call work stays 1 s.
    expect((await a.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' })).ok).toBe(true);
    expect(Number((await cc.row(pop.call.id, (r) => r.disposition !== null)).wrap_seconds)).toBe(1);
    expect((await cc.api('PUT', '/v1/agents/me/state', { status: 'logged_out' }, a.key)).body.status).toBe('logged_out');
  });

  it('pages a customer\'s interactions and lists the call log for integrators', async () => {
    const c = await cc.customer('Paged', '+1 415 555 0197');
    const a = await cc.agent('Pager', ['auto'], { ready: true });
    for (const id of ['p-1', 'p-2', 'p-3']) {
      await cc.offer(id, '+1 415 555 0197', '8200');
      const pop = await a.desk.next<Pop>('call:offered', (p) => p.call.externalId === id);
      await cc.event({ type: 'answered', callId: id });
      await cc.event({ type: 'ended', callId: id });
      await a.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved', notes: `note ${id}` });
    }
    const page1 = await cc.api('GET', `/v1/customers/${c.id}/interactions?limit=2`);
    expect(page1.body.map((i: { notes: string }) => i.notes)).toEqual(['note p-3', 'note p-2']);
    const page2 = await cc.api('GET', `/v1/customers/${c.id}/interactions?limit=2&before=${encodeURIComponent(page1.body[1].at)}`);
    expect(page2.body.map((i: { notes: string }) => i.notes)).toEqual(['note p-1']);

    const integrator = (await cc.api('POST', '/v1/api-keys', { name: 'crm', role: 'integrator' })).body.key;
    const since = new Date(Date.now() - 3600_000).toISOString();
    const log = await cc.api('GET', `/v1/calls?since=${encodeURIComponent(since)}&queue=auto&status=ended`, undefined, integrator);
    expect(log.status).toBe(200);
    expect(log.body.map((r: { externalId: string }) => r.externalId)).toEqual(['auto-1', 'p-1', 'p-2', 'p-3']);
    expect(log.body[1]).toMatchObject({ disposition: 'resolved', endReason: 'caller_hangup' });
    expect((await cc.api('GET', `/v1/calls?since=${encodeURIComponent(since)}`, undefined, a.key)).status).toBe(403);
  });
});
