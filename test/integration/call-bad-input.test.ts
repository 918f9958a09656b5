import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import { TestClient } from '../helpers/agent-client.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

describe.each(databaseKinds())('bad input on the call path on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  beforeAll(async () => {
    t = await createTestApp(kind, { DISPOSITIONS: 'resolved,sale' });
    cc = await CallCenter.on(t);
    await cc.queue('bad', ['8000'], { ringTimeoutSeconds: 30, wrapUpSeconds: 0 });
    await cc.queue('busy', ['8001'], { ringTimeoutSeconds: 30, wrapUpSeconds: 0 });
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  const rows = async (externalId: string) =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM calls WHERE external_id = ${externalId}`.execute(t.database.db)).rows[0]?.n);

  it('answers events for calls never offered with 404, and events out of order without a second log row', async () => {
    const ended = await cc.event({ type: 'ended', callId: 'never-offered' });
    expect(ended.status).toBe(404);
    expect(ended.body.error.code).toBe('CALL_NOT_FOUND');
    expect((await cc.event({ type: 'answered', callId: 'never-offered' })).status).toBe(404);

    const first = await cc.offer('dup-1', '+1 415 555 0100', '8000');
    const again = await cc.offer('dup-1', '+1 415 555 0100', '8000');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const noAgent = await cc.event({ type: 'answered', callId: 'dup-1' });
    expect(noAgent.status).toBe(409);
    expect(noAgent.body.error.code).toBe('INVALID_STATE');
    expect((await cc.event({ type: 'ended', callId: 'dup-1' })).body.status).toBe('abandoned');
    const twice = await cc.event({ type: 'ended', callId: 'dup-1' });
    expect(twice.status).toBe(200);
    expect(twice.body.status).toBe('abandoned');
    expect((await cc.event({ type: 'answered', callId: 'dup-1' })).status).toBe(409);
    await cc.row(first.body.id, (r) => r.ended_at !== null);
    // Offered again after it ended: the same call, still one row.
    expect((await cc.offer('dup-1', '+1 415 555 0100', '8000')).body.id).toBe(first.body.id);
    expect(await rows('dup-1')).toBe(1);
  });

  it('answers twice as a no-op', async () => {
    const a = await cc.agent('Twice', ['bad'], { ready: true });
    await cc.offer('twice-1', '+1 415 555 0101', '8000');
    await a.desk.next('call:offered');
    const one = await cc.event({ type: 'answered', callId: 'twice-1' });
    const two = await cc.event({ type: 'answered', callId: 'twice-1' });
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body).toEqual(one.body);
    await cc.event({ type: 'ended', callId: 'twice-1' });
    await cc.row(one.body.id, (r) => r.ended_at !== null); // the log is written just after the event
    expect(await rows('twice-1')).toBe(1);
  });

  it("refuses a wrap-up for someone else's call, before the call ended, with an unknown disposition or too long notes, and twice", async () => {
    const owner = await cc.agent('Owner', ['bad'], { ready: true });
    const other = await cc.agent('Other', [], {});
    await cc.offer('wrap-1', '+1 415 555 0102', '8000');
    const pop = await owner.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'wrap-1');
    await cc.event({ type: 'answered', callId: 'wrap-1' });

    const early = await owner.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
    expect(early.error?.code).toBe('INVALID_STATE');
    await cc.event({ type: 'ended', callId: 'wrap-1' });
    await owner.desk.next('call:ended');

    const foreign = await other.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
    expect(foreign.error?.code).toBe('FORBIDDEN');
    const rest = await cc.api('POST', `/v1/calls/${pop.call.id}/wrap-up`, { disposition: 'resolved' }, other.key);
    expect(rest.status).toBe(403);
    const unknown = await owner.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'made-up' });
    expect(unknown.error?.code).toBe('VALIDATION_FAILED');
    const long = await owner.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved', notes: 'x'.repeat(5001) });
    expect(long.error?.code).toBe('VALIDATION_FAILED');
    expect((await cc.row(pop.call.id)).disposition).toBeNull();

    const exactly = 'é'.repeat(5000);
    const ok = await owner.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'sale', notes: exactly });
    expect(ok.ok).toBe(true);
    expect((await cc.row(pop.call.id)).notes).toBe(exactly);
    const again = await owner.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
    expect(again.error?.code).toBe('CONFLICT');
    expect((await cc.row(pop.call.id)).disposition).toBe('sale');
  });

  it('refuses "ready" while on a call, and an unknown not-ready reason', async () => {
    const a = await cc.agent('Busy', ['busy'], { ready: true });
    await cc.offer('busy-1', '+1 415 555 0103', '8001');
    await a.desk.next('call:offered');
    await cc.event({ type: 'answered', callId: 'busy-1' });
    const ready = await a.desk.emit('agent:set-state', { status: 'ready' });
    expect(ready.error?.code).toBe('INVALID_STATE');
    const reason = await a.desk.emit('agent:set-state', { status: 'not_ready', reason: 'nap' });
    expect(reason.error?.code).toMatch(/VALIDATION_FAILED|INVALID_STATE/);
    await cc.event({ type: 'ended', callId: 'busy-1' });
  });

  it('refuses sockets with a bad key, a revoked key, or a key of the wrong role', async () => {
    await expect(TestClient.connect(cc.url, '/agent', 'sp_age_not-a-real-key-at-all')).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    await expect(TestClient.connect(cc.url, '/agent', '')).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    const sup = (await cc.api('POST', '/v1/api-keys', { name: 'sup', role: 'supervisor' })).body;
    await expect(TestClient.connect(cc.url, '/agent', sup.key)).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });

    const a = await cc.agent('Revoked', ['bad']);
    const agentRow = await t.database.db.selectFrom('agents').select('api_key_id').where('id', '=', Number(a.id)).executeTakeFirstOrThrow();
    const gone = new Promise((r) => a.desk.socket.once('disconnect', r));
    expect((await cc.api('DELETE', `/v1/api-keys/${agentRow.api_key_id}`)).status).toBe(204);
    await gone; // the live socket is closed
    await expect(TestClient.connect(cc.url, '/agent', a.key)).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
  });

  it('answers a 1 MB body, broken JSON and unknown fields with a coded 4xx and writes nothing', async () => {
    const big = await t.app.inject({
      method: 'POST',
      url: '/v1/call-events',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ type: 'offered', callId: 'big', from: '1', to: '8000', callerName: 'x'.repeat(1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const broken = await t.app.inject({ method: 'POST', url: '/v1/call-events', headers: { ...t.admin, 'content-type': 'application/json' }, payload: '{"type":"offered",' });
    expect(broken.json().error.code).toBe('INVALID_JSON');
    const extra = await cc.event({ type: 'offered', callId: 'extra', to: '8000', colour: 'red' });
    expect(extra.status).toBe(400);
    const longName = await cc.event({ type: 'offered', callId: 'long-name', to: '8000', callerName: 'y'.repeat(10_000) });
    expect(longName.status).toBe(400);
    for (const id of ['big', 'extra', 'long-name']) expect(await rows(id)).toBe(0);
  });

  it('takes a number with letters or garbage as a caller without a match, never a crash', async () => {
    const r = await cc.offer('letters-1', '1-800-FLOWERS', '8000');
    expect(r.status).toBe(200);
    const g = await cc.offer('garbage-1', '<<<%%%>>>', '8000');
    expect(g.status).toBe(200);
    expect(g.body.matchOutcome).toBe('none');
    for (const id of ['letters-1', 'garbage-1']) await cc.event({ type: 'ended', callId: id });
  });
});
