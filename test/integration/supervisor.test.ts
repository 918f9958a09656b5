import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { Wallboard } from '../../src/wallboard/wallboard.types.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

describe.each(databaseKinds())('the supervisor wallboard on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  let supervisorKey: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    cc = await CallCenter.on(t);
    await cc.queue('board', ['8000'], { ringTimeoutSeconds: 30, wrapUpSeconds: 0, slThresholdSeconds: 20, shortAbandonSeconds: 5, timeZone: 'Asia/Shanghai' });
    supervisorKey = (await cc.api('POST', '/v1/api-keys', { name: 'floor', role: 'supervisor' })).body.key;
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  const queue = (b: Wallboard) => b.queues.find((q) => q.id === 'board')!;

  it('sends a snapshot on connect, then the waiting caller (masked), the agent on the call, and the abandoned call listed', async () => {
    const sup = await cc.desk(supervisorKey, '/supervisor');
    const first = await sup.next<Wallboard>('wallboard');
    expect(queue(first)).toMatchObject({ waiting: [], offered: 0, serviceLevel: null, timeZone: 'Asia/Shanghai' });

    await cc.customer('Katherine Johnson', '+1 757 555 0142', { valueSegment: 'gold' });
    await cc.offer('w-1', '+1 757 555 0142', '8000');
    const waiting = await sup.next<Wallboard>('wallboard', (b) => queue(b).waiting.length === 1);
    const caller = queue(waiting).waiting[0]!;
    expect(caller).toMatchObject({ customerName: 'Katherine Johnson', priority: 20, withheld: false });
    expect(caller.number).not.toContain('555014');
    expect(caller.number).toMatch(/42$/);
    expect(queue(waiting).longestWaitSeconds).not.toBeNull();

    const agent = await cc.agent('Dorothy', ['board'], { ready: true });
    const pop = await agent.desk.next<Pop>('call:offered');
    await cc.event({ type: 'answered', callId: 'w-1' });
    const onCall = await sup.next<Wallboard>('wallboard', (b) => b.agents.some((a) => a.id === agent.id && a.status === 'on_call'));
    expect(queue(onCall).waiting).toHaveLength(0);
    expect(onCall.agents.find((a) => a.id === agent.id)).toMatchObject({ name: 'Dorothy', callId: pop.call.id });
    await cc.event({ type: 'ended', callId: 'w-1' });
    await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
    await agent.desk.emit('agent:set-state', { status: 'not_ready', reason: 'lunch' });

    await cc.offer('w-2', '+44 20 7946 0000', '8000');
    await sup.next<Wallboard>('wallboard', (b) => queue(b).waiting.length === 1);
    await cc.event({ type: 'ended', callId: 'w-2' });
    const after = await sup.next<Wallboard>('wallboard', (b) => queue(b).abandoned === 1 && queue(b).answered === 1);
    const q = queue(after);
    expect(q).toMatchObject({ offered: 2, answered: 1, abandoned: 1, shortAbandoned: 1, answeredWithinThreshold: 1, serviceLevel: 1, abandonmentRate: 0.5 });
    expect(q.abandonedCalls).toHaveLength(1);
    expect(q.abandonedCalls[0]).toMatchObject({ short: true, customerName: 'Unknown caller' });
    expect(q.abandonedCalls[0]!.number).toMatch(/^\+44\*+00$/);
    expect(after.agents.find((a) => a.id === agent.id)).toMatchObject({ status: 'not_ready', reason: 'lunch', handled: 1 });
    expect(after.agentsByState.not_ready).toBeGreaterThanOrEqual(1);
  });

  it('gives the same figures over REST, numbers whole for admins only, and refuses agents', async () => {
    const asSup = await cc.api<Wallboard>('GET', '/v1/wallboard', undefined, supervisorKey);
    expect(queue(asSup.body).abandonedCalls[0]!.number).toContain('*');
    const asAdmin = await cc.api<Wallboard>('GET', '/v1/wallboard');
    expect(queue(asAdmin.body).abandonedCalls[0]!.number).toBe('+44 20 7946 0000');
    const agentKey = (await cc.api('POST', '/v1/agents', { name: 'Nosy', skills: [] })).body.key;
    expect((await cc.api('GET', '/v1/wallboard', undefined, agentKey)).status).toBe(403);
    await expect(cc.desk(agentKey, '/supervisor')).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });

  it('counts calls per queue and agents by state in /metrics', async () => {
    const text = (await t.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/screenpop_calls_offered_total\{queue="board"\} 2/);
    expect(text).toMatch(/screenpop_calls_answered_total\{queue="board"\} 1/);
    expect(text).toMatch(/screenpop_calls_abandoned_total\{queue="board"\} 1/);
    expect(text).toMatch(/screenpop_agents\{state="not_ready"\} 1/);
    expect(text).toMatch(/screenpop_pop_latency_seconds_count 1/);
    expect(text).toMatch(/screenpop_webhook_outbox_depth 0/);
  });
});
