import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pop } from '../../src/pop/pop.types.ts';
import { originate, startFreeSwitch, type FreeSwitch } from '../helpers/sip/freeswitch.ts';
import { until } from '../helpers/sip/ports.ts';
import { SipLab, freeswitchAvailable, sipTools } from '../helpers/sip/sip-lab.ts';

// FreeSWITCH is the PBX on 127.0.0.2; sipp callers come from 127.0.0.5.
const FS_IP = '127.0.0.2';
const SIPP_TRUNK = '127.0.0.5';

describe.skipIf(!freeswitchAvailable())('FreeSWITCH as the PBX and as an agent phone', () => {
  let lab: SipLab;
  let fs: FreeSwitch;
  let queueNo = 0;

  async function queue(extra: Record<string, unknown> = {}) {
    const id = `fs${++queueNo}`;
    const dnis = `84${String(queueNo).padStart(2, '0')}`;
    await lab.cc.queue(id, [dnis], { ringTimeoutSeconds: 20, wrapUpSeconds: 0, ...extra });
    return { id, dnis };
  }

  /** The latest pop on a desk once there is one more than `seen`. */
  async function nextPop(desk: Awaited<ReturnType<SipLab['cc']['agent']>>['desk'], seen: number): Promise<Pop> {
    await desk.next('call:offered', () => desk.count('call:offered') > seen, 20_000);
    return desk.events.filter((e) => e.event === 'call:offered').at(-1)!.args[0] as Pop;
  }

  beforeAll(async () => {
    lab = await SipLab.start();
    fs = await startFreeSwitch(sipTools().freeswitch!, FS_IP);
    await lab.trunk({ name: 'freeswitch', sources: [FS_IP], defaultCountry: 'US' });
    await lab.trunk({ name: 'sipp', sources: [SIPP_TRUNK] });
  });
  afterAll(async () => {
    await fs?.stop();
    await lab?.close();
  });

  it.each([
    ['P-Asserted-Identity', 'pid'],
    ['Remote-Party-ID', 'rpid'],
  ] as const)('takes a call from FreeSWITCH with the caller ID sent as %s, and logs the PBX hanging up', async (_name, cidType) => {
    const q = await queue();
    const phone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent(`FS ${cidType}`, [q.id], { ready: true, sipUri: phone.uri() });
    const customer = await lab.cc.customer(`Caller ${cidType}`, cidType === 'pid' ? '+1 415 555 0140' : '+1 415 555 0141');
    const uuid = randomUUID();
    const number = cidType === 'pid' ? '+14155550140' : '+14155550141';
    expect(await originate(fs, { uuid, to: q.dnis, drachtio: lab.drachtio.sipTarget, number, name: 'Ada Lovelace', cidType, fromUser: 'trunk-user' })).toMatch(/^\+OK/);

    const pop = await nextPop(agent.desk, 0);
    // The From user is "trunk-user": the number and name can only have come from the asserted identity.
    expect(pop.call.from.e164).toBe(number);
    expect(pop.call.callerName).toBe('Ada Lovelace');
    expect(pop.customer?.id).toBe(customer.id);
    await lab.cc.row(pop.call.id, (r) => r.status === 'answered');
    await until('the FreeSWITCH leg to be up', async () => (await fs.esl.api(`uuid_exists ${uuid}`)).trim() === 'true');

    await fs.esl.api(`uuid_kill ${uuid} NORMAL_CLEARING`);
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ trunk: 'freeswitch', hangup_by: 'caller', from_e164: number, caller_name: 'Ada Lovelace' });
    await phone.waitForLog(/^bye received$/);
  });

  it('withholds the caller when FreeSWITCH sends Privacy', async () => {
    const q = await queue();
    const phone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent('FS privacy', [q.id], { ready: true, sipUri: phone.uri() });
    const uuid = randomUUID();
    await originate(fs, { uuid, to: q.dnis, drachtio: lab.drachtio.sipTarget, number: '+14155550142', name: 'Hidden Caller', cidType: 'pid', privacy: true });
    const pop = await nextPop(agent.desk, 0);
    expect(pop.call.withheld).toBe(true);
    expect(pop.call.from).toEqual({ raw: null, e164: null });
    expect(pop.match.outcome).toBe('withheld');
    await lab.cc.row(pop.call.id, (r) => r.status === 'answered');
    await fs.esl.api(`uuid_kill ${uuid}`);
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ withheld: true, from_raw: null, caller_name: null });
  });

  it("rings an agent whose phone is a FreeSWITCH extension; the agent's hang-up is logged", async () => {
    const q = await queue();
    const agent = await lab.cc.agent('FS phone', [q.id], { ready: true, sipUri: fs.extension('agent-hangup') });
    const result = await lab.call('uac-expect-answer-agent-hangs-up.xml', { service: q.dnis, localIp: SIPP_TRUNK, timeoutMs: 30_000 });
    expect(result.code, result.output).toBe(0);
    const pop = await nextPop(agent.desk, 0);
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ agent_id: Number(agent.id), hangup_by: 'agent' });
  });

  it('moves the call on when the FreeSWITCH extension is busy, to one that answers; the caller hangs up', async () => {
    const q = await queue();
    const busy = await lab.cc.agent('FS busy', [q.id], { ready: true, sipUri: fs.extension('agent-busy') });
    const answers = await lab.cc.agent('FS answers', [q.id], { ready: true, sipUri: fs.extension('agent-answer') });
    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: q.dnis, localIp: SIPP_TRUNK, pauseMs: 500, timeoutMs: 30_000 });
    expect(result.code, result.output).toBe(0);
    const pop = await nextPop(busy.desk, 0);
    await busy.desk.next('call:withdrawn', (e: any) => e.callId === pop.call.id && e.reason === 'rejected');
    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({ agent_id: Number(answers.id), hangup_by: 'caller', ring_attempts: 2 });
  });
});

describe.skipIf(!freeswitchAvailable())('early media from a media server (FreeSWITCH) while the caller waits', () => {
  let lab: SipLab;
  let fs: FreeSwitch;

  beforeAll(async () => {
    fs = await startFreeSwitch(sipTools().freeswitch!, FS_IP);
    lab = await SipLab.start({ SIP_EARLY_MEDIA_URI: fs.extension('ringback') });
    await lab.trunk({ name: 'sipp', sources: [SIPP_TRUNK] });
    await lab.cc.queue('early', ['8500'], { wrapUpSeconds: 0 });
  });
  afterAll(async () => {
    await lab?.close();
    await fs?.stop();
  });

  // Sessions FreeSWITCH has now (here only the media server's legs); its core counter, not its database.
  const mediaServerSessions = async () => Number(/(\d+) session\(s\) - peak/.exec(await fs.esl.api('status'))?.[1] ?? -1);

  it("plays the media server's early media (183) to a queued caller, and drops it when an agent answers", async () => {
    const calling = lab.call('uac-early-media-expect-answer.xml', { service: '8500', localIp: SIPP_TRUNK, pauseMs: 300, timeoutMs: 40_000 });
    // The caller waits in the queue with the media server's ringback (no agent is ready yet).
    await until('the media server to play to the caller', async () => (await mediaServerSessions()) === 1, 20_000);
    const phone = await lab.phone('uas-agent-answer.xml');
    const agent = await lab.cc.agent('Early', ['early'], { ready: true, sipUri: phone.uri() });

    const result = await calling;
    expect(result.code, result.output).toBe(0);
    expect(result.logs).toContain('early media m=audio');
    const pop = await agent.desk.next<Pop>('call:offered');
    await lab.cc.row(pop.call.id, (r) => r.status === 'ended' && r.answered_at !== null);
    await until('the media server leg to be gone', async () => (await mediaServerSessions()) === 0, 20_000);
  });
});
