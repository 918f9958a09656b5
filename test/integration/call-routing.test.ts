import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

describe.each(databaseKinds())('routing a call on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  beforeAll(async () => {
    t = await createTestApp(kind);
    cc = await CallCenter.on(t);
    await cc.queue('ring', ['8001'], { ringTimeoutSeconds: 1, maxWaitSeconds: 60, wrapUpSeconds: 0 });
    await cc.queue('wait', ['8002'], { ringTimeoutSeconds: 5, maxWaitSeconds: 1, overflowTarget: 'sip:voicemail@pbx.example' });
    await cc.queue('vip', ['8003'], { ringTimeoutSeconds: 30, maxWaitSeconds: 60, wrapUpSeconds: 0 });
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  it('moves an unanswered call and its pop to the next agent, the first goes not ready (missed)', async () => {
    const first = await cc.agent('First', ['ring'], { ready: true });
    await new Promise((r) => setTimeout(r, 20)); // First has been idle longest
    const second = await cc.agent('Second', ['ring'], { ready: true });
    await cc.offer('ring-1', '+44 20 7946 0958', '8001');

    const pop1 = await first.desk.next<Pop>('call:offered');
    expect(pop1.call.attempt).toBe(1);
    const withdrawn = await first.desk.next<{ callId: string; reason: string }>('call:withdrawn');
    expect(withdrawn).toEqual({ callId: pop1.call.id, reason: 'ring_timeout' });
    expect(await first.desk.next<any>('agent:state', (s) => s.status === 'not_ready')).toMatchObject({ reason: 'missed' });

    const pop2 = await second.desk.next<Pop>('call:offered');
    expect(pop2.call).toMatchObject({ id: pop1.call.id, attempt: 2 });
    await cc.event({ type: 'answered', callId: 'ring-1' });
    const row = await cc.row(pop1.call.id, (r) => r.status === 'answered');
    expect(row.agent_id).toBe(Number(second.id));
    expect(row.ring_attempts).toBe(2);
    const attempts = await t.database.db.selectFrom('call_attempts').select(['agent_id', 'result']).where('call_id', '=', pop1.call.id).orderBy('id').execute();
    expect(attempts).toEqual([
      { agent_id: Number(first.id), result: 'missed' },
      { agent_id: Number(second.id), result: 'answered' },
    ]);
    await cc.event({ type: 'ended', callId: 'ring-1', hangupBy: 'agent' });
    expect((await cc.row(pop1.call.id, (r) => r.status === 'ended')).hangup_by).toBe('agent');
    await first.desk.emit('agent:set-state', { status: 'logged_out' });
    await second.desk.emit('call:wrap-up', { callId: pop1.call.id, disposition: 'resolved' });
    await second.desk.emit('agent:set-state', { status: 'logged_out' });
  });

  it('records a caller who gives up in the queue as abandoned, with the wait', async () => {
    const offered = await cc.offer('wait-1', '+1 212 555 0100', '8003');
    await new Promise((r) => setTimeout(r, 300));
    await cc.event({ type: 'ended', callId: 'wait-1' });
    const row = await cc.row(offered.body.id, (r) => r.ended_at !== null);
    expect(row).toMatchObject({ status: 'abandoned', queued: true, hangup_by: 'caller', agent_id: null });
    expect(Number(row.wait_seconds)).toBeGreaterThanOrEqual(0.25);
  });

  it('withdraws the pop when the caller hangs up while the agent rings, and the agent is ready again', async () => {
    const a = await cc.agent('Ringer', ['vip'], { ready: true });
    await cc.offer('ringing-gone', '+1 212 555 0101', '8003');
    const pop = await a.desk.next<Pop>('call:offered');
    await cc.event({ type: 'ended', callId: 'ringing-gone' });
    expect(await a.desk.next('call:withdrawn')).toEqual({ callId: pop.call.id, reason: 'caller_gone' });
    await a.desk.next<any>('agent:state', (s) => s.status === 'ready' && !s.callId);
    const row = await cc.row(pop.call.id, (r) => r.ended_at !== null);
    expect(row).toMatchObject({ status: 'abandoned', agent_id: Number(a.id) });
    await a.desk.emit('agent:set-state', { status: 'logged_out' });
  });

  it('sends a call nobody takes within max wait to the overflow target', async () => {
    const offered = await cc.offer('overflow-1', '+1 212 555 0102', '8002');
    const row = await cc.row(offered.body.id, (r) => r.ended_at !== null);
    expect(row).toMatchObject({ status: 'overflowed', overflow_target: 'sip:voicemail@pbx.example', queued: true, hangup_by: 'system' });
  });

  it('offers the VIP caller first when an agent becomes ready, whatever the order they called in', async () => {
    await cc.customer('Standard Sam', '+1 646 555 0140', { valueSegment: 'standard' });
    await cc.customer('Platinum Pat', '+1 646 555 0141', { valueSegment: 'platinum' });
    await cc.offer('prio-standard', '+1 646 555 0140', '8003');
    await new Promise((r) => setTimeout(r, 50));
    await cc.offer('prio-vip', '+1 646 555 0141', '8003');
    const a = await cc.agent('Picker', ['vip'], { ready: true });
    const pop = await a.desk.next<Pop>('call:offered');
    expect(pop.customer?.displayName).toBe('Platinum Pat');
    expect(pop.call.priority).toBeGreaterThan(10);
    for (const id of ['prio-standard', 'prio-vip']) await cc.event({ type: 'ended', callId: id });
  });
});
