import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, liveStateKinds, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

// Both live-state implementations pass the same call flow (Redis when one is reachable).
const setups = databaseKinds().flatMap((kind) => liveStateKinds().map((state) => ({ kind, state })));

describe.each(setups)('a call from offer to wrap-up on $kind with $state live state', ({ kind, state }) => {
  let t: TestApp;
  let cc: CallCenter;
  beforeAll(async () => {
    t = await createTestApp(kind, { DISPOSITIONS: 'resolved,sale,complaint' }, { state });
    cc = await CallCenter.on(t);
    await cc.queue('support', ['8000'], { ringTimeoutSeconds: 2, wrapUpSeconds: 0 });
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  it('pops the single matching customer with history on the ready agent, and writes the wrap-up back', async () => {
    const ada = await cc.customer('Ada Lovelace', '(415) 555-0123', { valueSegment: 'platinum' });
    const agent = await cc.agent('Grace', ['support'], { ready: true });

    const offered = await cc.offer('pbx-1', '+1 415 555 0123', '8000');
    expect(offered.status).toBe(200);
    const pop = await agent.desk.next<Pop>('call:offered');
    expect(pop.match.outcome).toBe('single');
    expect(pop.customer?.displayName).toBe('Ada Lovelace');
    expect(pop.call.queue.id).toBe('support');
    expect(pop.call.from.e164).toBe('+14155550123');
    expect(pop.historyAvailable).toBe(true);

    expect((await cc.event({ type: 'answered', callId: 'pbx-1' })).body.status).toBe('answered');
    expect((await cc.event({ type: 'ended', callId: 'pbx-1', hangupBy: 'caller' })).body).toMatchObject({ status: 'ended', hangupBy: 'caller' });
    const wrap = await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved', notes: 'Asked about the mortgage offer' });
    expect(wrap.error).toBeUndefined();
    expect(wrap.ok).toBe(true);
    const row = await cc.row(pop.call.id, (r) => r.disposition !== null);
    expect(row).toMatchObject({ status: 'ended', customer_id: ada.id, agent_id: Number(agent.id), disposition: 'resolved', hangup_by: 'caller', queued: true });
    expect(Number(row.talk_seconds)).toBeGreaterThanOrEqual(0);
    expect(row.pop_acked_at).not.toBeNull(); // the desktop acknowledged the pop
    const { api_key_id } = await t.database.db.selectFrom('agents').select('api_key_id').where('id', '=', Number(agent.id)).executeTakeFirstOrThrow();
    const audit = await t.database.db.selectFrom('audit_log').select(['actor', 'before', 'after']).where('action', '=', 'call.wrap_up').where('entity_id', '=', pop.call.id).execute();
    expect(audit).toEqual([{ actor: `key:${api_key_id}`, before: { disposition: null, notes: null }, after: { disposition: 'resolved', notes: 'Asked about the mortgage offer' } }]);

    // The next call from Ada shows that one in her history.
    await agent.desk.next('agent:state', (s: any) => s.status === 'ready');
    await cc.offer('pbx-2', '4155550123', '8000');
    const second = await agent.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'pbx-2');
    expect(second.customer?.interactions[0]).toMatchObject({ callId: pop.call.id, disposition: 'resolved', notes: 'Asked about the mortgage offer' });
  });
});
