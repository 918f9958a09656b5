import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pop } from '../../src/pop/pop.types.ts';
import { until } from '../helpers/sip/ports.ts';
import { RawSipPeer } from '../helpers/sip/raw-sip.ts';
import { SipLab, sipAvailable } from '../helpers/sip/sip-lab.ts';
import type { SippPhone } from '../helpers/sip/sipp.ts';

// Unusual but legal (and some illegal) SIP through a real drachtio-server: every INVITE ends in a
// final response, and a call whose leg fails after the answer ends with it (it does not stay
// `answered` with the agent on it, so later calls would get 480).
const TRUNK_IP = '127.0.0.5';
const SERVICE = '8400';
const EMPTY_QUEUE = '8401';

describe.skipIf(!sipAvailable())('every INVITE gets a final answer, and no call outlives its legs', () => {
  let lab: SipLab;
  let phone: SippPhone;
  let agent: Awaited<ReturnType<SipLab['cc']['agent']>>;

  const byes = () => phone.logs().filter((l) => l === 'bye received').length;

  /** The next pop on the agent's desktop after `seen` pops. */
  async function nextPop(seen: number): Promise<Pop> {
    await agent.desk.next('call:offered', () => agent.desk.count('call:offered') > seen);
    return agent.desk.events.filter((e) => e.event === 'call:offered').at(-1)!.args[0] as Pop;
  }

  /** The agent finishes the call's wrap-up and is ready for the next one. */
  async function wrapUp(callId: string) {
    await agent.desk.current('agent:state', (s: any) => s.status === 'wrap_up' && s.callId === callId);
    expect((await agent.desk.emit('call:wrap-up', { callId, disposition: 'resolved' })).ok).toBe(true);
    await agent.desk.current('agent:state', (s: any) => s.status === 'ready');
  }

  /** A normal call is still answered by the agent (not 480), and logged ended by the caller. */
  async function stillServing() {
    const seen = agent.desk.count('call:offered');
    const r = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: SERVICE, localIp: TRUNK_IP, pauseMs: 50 });
    expect(r.code, r.output).toBe(0);
    const pop = await nextPop(seen);
    await lab.cc.row(pop.call.id, (row) => row.status === 'ended' && row.hangup_by === 'caller');
    await wrapUp(pop.call.id);
  }

  /** Sends one INVITE that must be refused; returns the final status and whether 180 came first. */
  async function refused(keys: Record<string, string>, extraArgs: string[] = []) {
    const r = await lab.call('uac-expect-refusal.xml', { service: SERVICE, localIp: TRUNK_IP, keys, timeoutMs: 15_000, extraArgs });
    const final = r.logs.find((l) => l.startsWith('final '));
    expect(final, r.output).toBeDefined();
    return { status: Number(final!.slice(6)), rang: r.logs.includes('provisional 180'), unsupported: r.logs.find((l) => l.startsWith('unsupported '))?.slice(12).trim() };
  }

  beforeAll(async () => {
    lab = await SipLab.start({}, { captureLogs: true });
    await lab.cc.queue('answers', [SERVICE], { ringTimeoutSeconds: 20, wrapUpSeconds: 0, maxWaitSeconds: 60 });
    await lab.cc.queue('nobody', [EMPTY_QUEUE], { ringTimeoutSeconds: 20, wrapUpSeconds: 0, maxWaitSeconds: 60 });
    await lab.trunk({ name: 'pbx', sources: [TRUNK_IP] });
    phone = await lab.phone('uas-agent-answer.xml');
    agent = await lab.cc.agent('Steady', ['answers'], { ready: true, sipUri: phone.uri() });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('refuses an INVITE without Contact with 400 before it rings anyone, and keeps serving', async () => {
    const invites = phone.invites().length;
    const r = await lab.call('uac-without-contact-expect-400.xml', { service: SERVICE, localIp: TRUNK_IP });
    expect(r.code, r.output).toBe(0);
    expect(phone.invites()).toHaveLength(invites);
    await stillServing();
  });

  it("ends the call, the agent's phone and the agent's part when the caller's 200 cannot be sent (its TCP connection went away)", async () => {
    const seen = agent.desk.count('call:offered');
    const byesBefore = byes();
    const caller = await RawSipPeer.tcp(TRUNK_IP, { host: lab.drachtio.host, port: lab.drachtio.sipPort });
    try {
      caller.send(caller.invite({ target: lab.drachtio.sipTarget, service: SERVICE, callId: `tcp-gone-${Date.now()}@pbx` }));
      await caller.response((res) => res.status === 180, '180 Ringing');
    } finally {
      caller.close(); // gone before the agent's phone answers (it rings 300 ms)
    }
    const pop = await nextPop(seen);
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ hangup_by: 'system', end_reason: 'caller_leg_failed', agent_id: Number(agent.id) });
    expect(row.answered_at).not.toBeNull();
    await agent.desk.next('call:ended', (e: any) => e.callId === pop.call.id && e.hangupBy === 'system');
    await until("the agent's phone to get BYE", () => byes() > byesBefore);
    expect(lab.logs.join('\n')).toMatch(/"leg":"caller".*call ended: a leg failed after the agent answered/);
    await wrapUp(pop.call.id);
    await stillServing();
  });

  it('answers an INVITE whose request line has extra spaces with 400 (drachtio-srf cannot read it), and keeps serving', async () => {
    const caller = await RawSipPeer.udp(TRUNK_IP, { host: lab.drachtio.host, port: lab.drachtio.sipPort });
    try {
      const invite = caller.invite({ target: lab.drachtio.sipTarget, service: SERVICE, callId: `spaces-${Date.now()}@pbx`, requestLine: `INVITE  sip:${SERVICE}@${lab.drachtio.sipTarget}  SIP/2.0` });
      caller.send(invite);
      const final = await caller.final();
      expect(final.status).toBe(400);
      caller.send(caller.ackFor(invite, final));
    } finally {
      caller.close();
    }
    expect(lab.logs.join('\n')).toContain('SIP request refused: not readable');
    await stillServing();
  });

  it('answers a caller whose From is folded over two lines with the From tag, so its ACK and BYE find the call', async () => {
    const seen = agent.desk.count('call:offered');
    const r = await lab.call('uac-folded-from-expect-answer.xml', {
      service: SERVICE,
      localIp: TRUNK_IP,
      pauseMs: 300,
      keys: { from: '"Fold Test" <sip:+14155550188@pbx>', fold: '\r\n ', tag: 'f6' },
    });
    expect(r.code, r.output).toBe(0);
    const pop = await nextPop(seen);
    expect(pop.call.callerName).toBe('Fold Test');
    expect(pop.call.from.e164).toBe('+14155550188');
    const row = await lab.cc.row(pop.call.id, (row) => row.status === 'ended');
    expect(row).toMatchObject({ hangup_by: 'caller', end_reason: 'caller_hangup' });
    await wrapUp(pop.call.id);
  });

  it('answers REGISTER, MESSAGE, SUBSCRIBE, PUBLISH, INFO and NOTIFY with 405 and Allow (no 503 "No connected clients")', async () => {
    // sipp takes no keyword for a method, so one raw sender sends them all.
    const peer = await RawSipPeer.udp(TRUNK_IP, { host: lab.drachtio.host, port: lab.drachtio.sipPort });
    try {
      for (const method of ['REGISTER', 'MESSAGE', 'SUBSCRIBE', 'PUBLISH', 'INFO', 'NOTIFY']) {
        const callId = `${method.toLowerCase()}-${Date.now()}@pbx`;
        peer.send(peer.request({ method, target: lab.drachtio.sipTarget, service: SERVICE, callId, headers: ['Event: presence', 'Subscription-State: active', 'Expires: 60'] }));
        const final = await peer.response((r) => r.status >= 200 && r.header('Call-ID') === callId, `a final response to ${method}`);
        expect({ method, status: final.status, allow: final.header('Allow') }).toEqual({ method, status: 405, allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS' });
      }
    } finally {
      peer.close();
    }
  });

  it('answers OPTIONS to another URI scheme 416 and one requiring an extension 420 with Unsupported; a keepalive still 200', async () => {
    const options = async (ruri: string, headers = 'User-Agent: screenpop-test') => {
      const r = await lab.call('uac-options-expect-refusal.xml', { service: SERVICE, localIp: TRUNK_IP, keys: { ruri, headers }, timeoutMs: 10_000 });
      expect(r.code, r.output).toBe(0);
      return { final: r.logs.find((l) => l.startsWith('final ')), unsupported: r.logs.find((l) => l.startsWith('unsupported '))?.slice(12).trim() };
    };
    expect(await options('mailto:pbx@example.com')).toMatchObject({ final: 'final 416' });
    expect(await options('http://example.com/keepalive')).toMatchObject({ final: 'final 416' });
    expect(await options(`sip:${lab.drachtio.sipTarget}`, 'Require: foo')).toEqual({ final: 'final 420', unsupported: 'foo' });
    expect(await options(`sip:${lab.drachtio.sipTarget}`)).toMatchObject({ final: 'final 200' });
  });

  it('refuses an INVITE requiring an extension with 420 and Unsupported, and one whose Accept excludes SDP with 406, before ringback', async () => {
    expect(await refused({ headers: 'Require: 100rel' })).toEqual({ status: 420, rang: false, unsupported: '100rel' });
    expect(await refused({ headers: 'Accept: text/plain' })).toMatchObject({ status: 406, rang: false });
    await stillServing();
  });

  it('takes a From user of escaped words as no number: no provisional customer with that string as its phone', async () => {
    const seen = agent.desk.count('call:offered');
    const r = await lab.call('uac-expect-answer-caller-hangs-up.xml', {
      service: SERVICE,
      localIp: TRUNK_IP,
      pauseMs: 50,
      keys: { from: '"Spaces" <sip:I%20have%20spaces@pbx>' },
    });
    expect(r.code, r.output).toBe(0);
    const pop = await nextPop(seen);
    expect(pop.call.from).toEqual({ raw: null, e164: null });
    expect(pop.customer).toBeNull();
    expect(pop.match.outcome).toBe('none');
    const row = await lab.cc.row(pop.call.id, (row) => row.status === 'ended');
    expect(row).toMatchObject({ from_raw: null, from_e164: null, customer_id: null });
    const phones = await lab.t.database.db.selectFrom('customer_phones').select('raw').where('raw', 'like', '%have%').execute();
    expect(phones).toEqual([]);
    await wrapUp(pop.call.id);
  });

  it('takes an INVITE reusing the Call-ID of an ended call as a new call, and refuses one reusing a call in progress with 482 before ringback', async () => {
    const callId = `reused-${Date.now()}@pbx`;
    const pops: Pop[] = [];
    for (let i = 0; i < 2; i++) {
      const seen = agent.desk.count('call:offered');
      const r = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: SERVICE, localIp: TRUNK_IP, pauseMs: 50, extraArgs: ['-cid_str', callId] });
      expect(r.code, r.output).toBe(0);
      const pop = await nextPop(seen);
      await lab.cc.row(pop.call.id, (row) => row.status === 'ended');
      await wrapUp(pop.call.id);
      pops.push(pop);
    }
    expect(pops[1]!.call.id).not.toBe(pops[0]!.call.id);
    const rows = await lab.t.database.db.selectFrom('calls').select(['id', 'external_id', 'status']).where('external_id', 'like', `${callId}%`).orderBy('offered_at').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: pops[0]!.call.id, external_id: callId, status: 'ended' });
    expect(rows[1]).toMatchObject({ id: pops[1]!.call.id, status: 'ended' });
    expect(rows[1]!.external_id).toMatch(new RegExp(`^${callId.replace(/[.]/g, '\\.')};from-tag=.+`));

    // A call waiting in a queue nobody serves; an INVITE with its Call-ID meanwhile is a copy of it.
    const waitingId = `in-progress-${Date.now()}@pbx`;
    const waiting = lab.call('uac-cancel-while-waiting.xml', { service: EMPTY_QUEUE, localIp: TRUNK_IP, pauseMs: 4000, extraArgs: ['-cid_str', waitingId] });
    const queued = await lab.sipRow((row) => row.status === 'queued', (q) => q.where('external_id', '=', waitingId));
    expect(await refused({}, ['-cid_str', waitingId])).toMatchObject({ status: 482, rang: false });
    expect((await waiting).code).toBe(0);
    await lab.cc.row(queued.id, (row) => row.status === 'abandoned');
    const copies = await lab.t.database.db.selectFrom('calls').select('id').where('external_id', 'like', `${waitingId}%`).execute();
    expect(copies).toHaveLength(1);
  });

  it('ends the call by the system when the caller never ACKs the answer: drachtio-server\'s BYE after 32 s is no hang-up by the caller', { timeout: 90_000 }, async () => {
    const seen = agent.desk.count('call:offered');
    const byesBefore = byes();
    const r = await lab.call('uac-no-ack-expect-bye.xml', { service: SERVICE, localIp: TRUNK_IP, timeoutMs: 70_000 });
    expect(r.code, r.output).toBe(0);
    const pop = await nextPop(seen);
    const row = await lab.cc.row(pop.call.id, (row) => row.status === 'ended');
    expect(row).toMatchObject({ hangup_by: 'system', end_reason: 'caller_leg_failed' });
    await until("the agent's phone to get BYE", () => byes() > byesBefore);
    await wrapUp(pop.call.id);
    await stillServing();
  });

  it('leaves nothing behind once every call has ended: no call in progress, no SIP dialog', async () => {
    const sip = lab.t.container.sip!;
    const counts = () => ({ inProgress: sip.callsInProgress, dialogs: sip.openDialogs, live: lab.t.container.calls.liveCount });
    await until('every call to be over', () => Object.values(counts()).every((n) => n === 0)).catch(() => {});
    expect(counts()).toEqual({ inProgress: 0, dialogs: 0, live: 0 });
  });
});
