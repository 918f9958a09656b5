import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pop } from '../../src/pop/pop.types.ts';
import { until } from '../helpers/sip/ports.ts';
import { SipLab, sipAvailable } from '../helpers/sip/sip-lab.ts';

// The trunk (sipp as the PBX) sends from 127.0.0.5; the agents' phones are sipp on 127.0.0.1.
const TRUNK_IP = '127.0.0.5';
const AUTH_TRUNK_IP = '127.0.0.6';
const UNKNOWN_IP = '127.0.0.9';

describe.skipIf(!sipAvailable())('SIP calls through drachtio-server', () => {
  let lab: SipLab;
  let queueNo = 0;

  /** A queue of its own for each test, so agents of one test never take another's call. */
  async function queue(extra: Record<string, unknown> = {}) {
    const id = `q${++queueNo}`;
    const dnis = `81${String(queueNo).padStart(2, '0')}`;
    await lab.cc.queue(id, [dnis], { ringTimeoutSeconds: 20, wrapUpSeconds: 0, maxWaitSeconds: 60, ...extra });
    return { id, dnis };
  }

  const callRow = (where: (r: Record<string, any>) => boolean) =>
    lab.sipRow(where, (q) => q.where('source', '=', 'sip'));

  beforeAll(async () => {
    lab = await SipLab.start();
    await lab.cc.queue('support', ['8000'], { ringTimeoutSeconds: 3, wrapUpSeconds: 0, maxWaitSeconds: 60 });
    await lab.trunk({ name: 'pbx', sources: [`${TRUNK_IP}/32`], dialledQueues: { '8000': 'support' } });
    await lab.trunk({ name: 'secured', sources: [`${AUTH_TRUNK_IP}/32`], auth: { username: 'pbx2', password: 'trunk-secret-2' } });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('pops the caller on the agent while the phone rings, bridges the call, and logs answer and caller hang-up', async () => {
    const phone = await lab.phone('uas-agent-answer.xml');
    const ada = await lab.cc.customer('Ada Lovelace', '+1 415 555 0123');
    const agent = await lab.cc.agent('Grace', ['support'], { ready: true, sipUri: phone.uri('grace') });

    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', {
      service: '8000',
      localIp: TRUNK_IP,
      pauseMs: 500,
      keys: { from: '"Ada Lovelace" <sip:+14155550123@pbx.example.com>' },
    });
    expect(result.code, result.output).toBe(0);

    const pop = await agent.desk.next<Pop>('call:offered');
    expect(pop.customer?.id).toBe(ada.id);
    expect(pop.call.source).toBe('sip');
    expect(pop.call.from.e164).toBe('+14155550123');
    // The pop reached the desktop before the phone was answered.
    await agent.desk.next('call:answered', (e: any) => e.callId === pop.call.id);
    const kinds = agent.desk.events.map((e) => e.event);
    expect(kinds.indexOf('call:offered')).toBeLessThan(kinds.indexOf('call:answered'));

    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ source: 'sip', trunk: 'pbx', queue_id: 'support', agent_id: Number(agent.id), customer_id: ada.id, hangup_by: 'caller', end_reason: 'caller_hangup' });
    expect(row.answered_at).not.toBeNull();

    // The agent's phone saw screenpop's call id and the customer, and the caller as From.
    const invite = phone.invites().find((i) => i.call === pop.call.id);
    expect(invite).toMatchObject({ customer: String(ada.id), sdp: true });
    expect(invite?.from).toContain('"Ada Lovelace" <sip:+14155550123@');
  });

  it('logs the agent hanging up', async () => {
    const q = await queue();
    const phone = await lab.phone('uas-agent-answer-then-hang-up.xml', { pauseMs: 400 });
    const agent = await lab.cc.agent('Hopper', [q.id], { ready: true, sipUri: phone.uri() });
    const result = await lab.call('uac-expect-answer-agent-hangs-up.xml', { service: q.dnis, localIp: TRUNK_IP });
    expect(result.code, result.output).toBe(0);
    const pop = await agent.desk.next<Pop>('call:offered');
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ hangup_by: 'agent', end_reason: 'agent_hangup', agent_id: Number(agent.id) });
    await agent.desk.next('call:ended', (e: any) => e.callId === pop.call.id && e.hangupBy === 'agent');
  });

  it('logs a caller who gives up while queued as abandoned', async () => {
    const q = await queue();
    // The caller gives up well after the call is queued (the offer takes milliseconds).
    const result = await lab.call('uac-cancel-while-waiting.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 2000 });
    expect(result.code, result.output).toBe(0);
    const row = await callRow((r) => r.queue_id === q.id && r.status === 'abandoned');
    expect(row).toMatchObject({ hangup_by: 'caller', queued: true, agent_id: null });
  });

  it("withdraws the pop and stops the agent's phone when the caller gives up while it rings", async () => {
    const q = await queue();
    const phone = await lab.phone('uas-agent-no-answer.xml');
    const agent = await lab.cc.agent('Lamarr', [q.id], { ready: true, sipUri: phone.uri() });
    // The caller gives up well after the agent's phone started ringing (that takes milliseconds).
    const result = await lab.call('uac-cancel-while-waiting.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 4000 });
    expect(result.code, result.output).toBe(0);
    const pop = await agent.desk.next<Pop>('call:offered');
    await agent.desk.next('call:withdrawn', (e: any) => e.callId === pop.call.id && e.reason === 'caller_gone');
    await phone.waitForLog(/^cancelled$/);
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'abandoned');
    expect(row).toMatchObject({ hangup_by: 'caller', agent_id: Number(agent.id) });
    const attempts = await lab.t.database.db.selectFrom('call_attempts').selectAll().where('call_id', '=', pop.call.id).execute();
    expect(attempts.map((a) => a.result)).toEqual(['caller_gone']);
    await agent.desk.next('agent:state', (s: any) => s.status === 'ready');
  });

  it('moves the call and its pop to the next agent when the first does not answer in time', async () => {
    const q = await queue({ ringTimeoutSeconds: 1 });
    const silent = await lab.phone('uas-agent-no-answer.xml');
    const answering = await lab.phone('uas-agent-answer.xml');
    const first = await lab.cc.agent('First', [q.id], { ready: true, sipUri: silent.uri() });
    const second = await lab.cc.agent('Second', [q.id], { ready: true, sipUri: answering.uri() });

    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 300 });
    expect(result.code, result.output).toBe(0);
    const firstPop = await first.desk.next<Pop>('call:offered');
    await first.desk.next('call:withdrawn', (e: any) => e.callId === firstPop.call.id && e.reason === 'ring_timeout');
    const secondPop = await second.desk.next<Pop>('call:offered');
    expect(secondPop.call.id).toBe(firstPop.call.id);
    expect(secondPop.call.attempt).toBe(2);
    await silent.waitForLog(/^cancelled$/);

    const row = await lab.cc.row(firstPop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ agent_id: Number(second.id), ring_attempts: 2, hangup_by: 'caller' });
    const attempts = await lab.t.database.db.selectFrom('call_attempts').select(['agent_id', 'result']).where('call_id', '=', row.id).orderBy('id').execute();
    expect(attempts).toEqual([
      { agent_id: Number(first.id), result: 'missed' },
      { agent_id: Number(second.id), result: 'answered' },
    ]);
    await first.desk.next('agent:state', (s: any) => s.status === 'not_ready' && s.reason === 'missed');
  });

  it("moves the call on when the agent's phone is busy, without failing the caller's leg", async () => {
    const q = await queue();
    const busy = await lab.phone('uas-agent-busy.xml');
    const answering = await lab.phone('uas-agent-answer.xml');
    const first = await lab.cc.agent('Busy', [q.id], { ready: true, sipUri: busy.uri() });
    const second = await lab.cc.agent('Free', [q.id], { ready: true, sipUri: answering.uri() });
    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 300 });
    expect(result.code, result.output).toBe(0);
    const pop = await first.desk.next<Pop>('call:offered');
    await first.desk.next('call:withdrawn', (e: any) => e.callId === pop.call.id && e.reason === 'rejected');
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row.agent_id).toBe(Number(second.id));
    const attempts = await lab.t.database.db.selectFrom('call_attempts').select(['agent_id', 'result']).where('call_id', '=', row.id).orderBy('id').execute();
    expect(attempts).toEqual([
      { agent_id: Number(first.id), result: 'rejected' },
      { agent_id: Number(second.id), result: 'answered' },
    ]);
  });

  it('turns the caller away with 480 when no agent takes the call within max wait and there is no overflow target', async () => {
    const q = await queue({ maxWaitSeconds: 1 });
    const result = await lab.call('uac-expect-480.xml', { service: q.dnis, localIp: TRUNK_IP });
    expect(result.code, result.output).toBe(0);
    const row = await callRow((r) => r.queue_id === q.id && r.status === 'overflowed');
    expect(row).toMatchObject({ end_reason: 'max_wait', hangup_by: 'system', overflow_target: null });
  });

  it('sends the call to the overflow target when no agent takes it within max wait', async () => {
    const target = await lab.phone('uas-agent-answer.xml');
    const q = await queue({ maxWaitSeconds: 1, overflowTarget: target.uri('voicemail') });
    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 300 });
    expect(result.code, result.output).toBe(0);
    const row = await callRow((r) => r.queue_id === q.id && r.status === 'overflowed');
    expect(row).toMatchObject({ end_reason: 'overflow', overflow_target: target.uri('voicemail') });
    await target.waitForLog(/^bye received$/);
  });

  it('connects a caller whose INVITE has no SDP (late offer): the agent phone offers, the caller answers in its ACK', async () => {
    const q = await queue();
    const phone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent('Late', [q.id], { ready: true, sipUri: phone.uri() });
    const result = await lab.call('uac-late-offer-expect-answer.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 300 });
    expect(result.code, result.output).toBe(0);
    const pop = await agent.desk.next<Pop>('call:offered');
    await lab.cc.row(pop.call.id, (r) => r.status === 'ended' && r.answered_at !== null);
    expect(phone.invites().find((i) => i.call === pop.call.id)?.sdp).toBe(false);
  });

  it('refuses INVITEs and OPTIONS from an unknown source with 403 and logs no call; a known trunk gets 200 to OPTIONS', async () => {
    const q = await queue();
    const refused = await lab.call('uac-expect-403.xml', { service: q.dnis, localIp: UNKNOWN_IP });
    expect(refused.code, refused.output).toBe(0);
    expect((await lab.call('uac-options-expect-403.xml', { service: 'x', localIp: UNKNOWN_IP })).code).toBe(0);
    expect((await lab.call('uac-options-expect-200.xml', { service: 'x', localIp: TRUNK_IP })).code).toBe(0);
    const rows = await lab.t.database.db.selectFrom('calls').select('id').where('queue_id', '=', q.id).execute();
    expect(rows).toEqual([]);
  });

  it('challenges a trunk with digest credentials (401) and takes the call once it answers the challenge', async () => {
    const q = await queue();
    const phone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent('Digest', [q.id], { ready: true, sipUri: phone.uri() });
    const unauthenticated = await lab.call('uac-expect-refusal.xml', { service: q.dnis, localIp: AUTH_TRUNK_IP });
    expect(unauthenticated.logs).toContain('final 401');
    const result = await lab.call('uac-auth-expect-answer.xml', { service: q.dnis, localIp: AUTH_TRUNK_IP, pauseMs: 300, auth: { username: 'pbx2', password: 'trunk-secret-2' } });
    expect(result.code, result.output).toBe(0);
    const pop = await agent.desk.next<Pop>('call:offered');
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row.trunk).toBe('secured');
  });

  it('reports SIP on /ready, ends the calls drachtio-server lost when it restarts, and reconnects by itself', async () => {
    const ready = async () => (await lab.t.app.inject({ method: 'GET', url: '/ready' })).json();
    expect((await ready()).checks.sip).toMatchObject({ ok: true });

    // A call in progress when drachtio-server restarts: its dialogs are gone, so no BYE will ever come.
    const q0 = await queue();
    const phone0 = await lab.phone('uas-agent-answer.xml');
    const agent0 = await lab.cc.agent('Before restart', [q0.id], { ready: true, sipUri: phone0.uri() });
    const talking = lab.call('uac-expect-answer-caller-hangs-up.xml', { service: q0.dnis, localIp: TRUNK_IP, pauseMs: 8000 });
    const pop0 = await agent0.desk.next<Pop>('call:offered');
    await lab.cc.row(pop0.call.id, (r) => r.status === 'answered');

    const before = lab.t.container.sip!.connections;
    await lab.drachtio.restart();
    await until('a new connection to drachtio-server', () => lab.t.container.sip!.connections > before, 20_000);
    expect((await ready()).checks.sip.ok).toBe(true);
    const lost = await lab.cc.row(pop0.call.id, (r) => r.status === 'ended');
    expect(lost).toMatchObject({ hangup_by: 'system', end_reason: 'system' });
    await talking; // its BYE now meets a drachtio-server that never heard of the call

    const q = await queue();
    const phone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent('After restart', [q.id], { ready: true, sipUri: phone.uri() });
    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: q.dnis, localIp: TRUNK_IP, pauseMs: 200 });
    expect(result.code, result.output).toBe(0);
    const pop = await agent.desk.next<Pop>('call:offered');
    await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(lab.t.container.sip!.callsInProgress).toBe(0);
  });

  it('says SIP is down on /ready while drachtio-server is stopped', async () => {
    await lab.drachtio.stopOnly();
    try {
      const r = await until('/ready to say SIP is down', async () => {
        const res = await lab.t.app.inject({ method: 'GET', url: '/ready' });
        return res.statusCode === 503 ? res.json() : undefined;
      });
      expect(r.checks.sip.ok).toBe(false);
      expect(r.checks.sip.detail).toMatch(/not connected to drachtio-server/);
    } finally {
      await lab.drachtio.startAgain();
      await lab.connected(20_000);
    }
  });

  it('leaves nothing behind once every call has ended: no call in progress, no SIP dialog', async () => {
    const sip = lab.t.container.sip!;
    const counts = () => ({ inProgress: sip.callsInProgress, dialogs: sip.openDialogs, live: lab.t.container.calls.liveCount });
    await until('every call to be over', () => Object.values(counts()).every((n) => n === 0)).catch(() => {});
    expect(counts()).toEqual({ inProgress: 0, dialogs: 0, live: 0 });
  });
});
