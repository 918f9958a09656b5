import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pop } from '../../src/pop/pop.types.ts';
import { until } from '../helpers/sip/ports.ts';
import { SipLab, sipAvailable } from '../helpers/sip/sip-lab.ts';
import type { SippPhone } from '../helpers/sip/sipp.ts';

const TRUNK_IP = '127.0.0.5';
const FLOOD_IP = '127.0.0.8';
const CRLF = '\r\n';
const SECRET_NUMBER = '4155550177';
const SECRET_NAME = 'Zebedee Quinlan';

describe.skipIf(!sipAvailable())('bad SIP input gets the right response and the service keeps serving', () => {
  let lab: SipLab;
  let phone: SippPhone;
  let agent: Awaited<ReturnType<SipLab['cc']['agent']>>;

  /** A normal call still goes through: answered by the agent, logged ended. */
  async function stillServing() {
    const seen = agent.desk.count('call:offered');
    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', { service: '8300', localIp: TRUNK_IP, pauseMs: 50 });
    expect(result.code, result.output).toBe(0);
    await agent.desk.next('call:offered', () => agent.desk.count('call:offered') > seen);
    const pop = agent.desk.events.filter((e) => e.event === 'call:offered').at(-1)!.args[0] as Pop;
    await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect((await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' })).ok).toBe(true);
    return pop;
  }

  /** Sends one INVITE that must be refused; returns the status the caller got. */
  async function refused(keys: Record<string, string>, service = '8300') {
    const r = await lab.call('uac-expect-refusal.xml', { service, localIp: TRUNK_IP, keys, timeoutMs: 15_000 });
    const final = r.logs.find((l) => l.startsWith('final '));
    expect(final, r.output).toBeDefined();
    return Number(final!.slice(6));
  }

  beforeAll(async () => {
    lab = await SipLab.start({}, { captureLogs: true });
    await lab.cc.queue('bad', ['8300'], { ringTimeoutSeconds: 20, wrapUpSeconds: 0 });
    await lab.trunk({ name: 'pbx', sources: [TRUNK_IP] });
    await lab.trunk({ name: 'flood', sources: [FLOOD_IP], maxCallsPerSecond: 5 });
    phone = await lab.phone('uas-agent-answer.xml');
    agent = await lab.cc.agent('Steady', ['bad'], { ready: true, sipUri: phone.uri() });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('refuses unparseable P-Asserted-Identity with 400; an identity that is no phone falls back to From', async () => {
    expect(await refused({ headers: 'P-Asserted-Identity: <<<"garbage' })).toBe(400);
    const seen = agent.desk.count('call:offered');
    const r = await lab.call('uac-expect-answer-caller-hangs-up.xml', {
      service: '8300',
      localIp: TRUNK_IP,
      pauseMs: 50,
      keys: { from: `"${SECRET_NAME}" <sip:+1${SECRET_NUMBER}@pbx>`, headers: ['P-Asserted-Identity: <http://example.com/nobody>', 'Remote-Party-ID: <mailto:x@example.com>'].join(CRLF) },
    });
    expect(r.code, r.output).toBe(0);
    await agent.desk.next('call:offered', () => agent.desk.count('call:offered') > seen);
    const pop = agent.desk.events.filter((e) => e.event === 'call:offered').at(-1)!.args[0] as Pop;
    expect(pop.call.from.e164).toBe(`+1${SECRET_NUMBER}`);
    expect(pop.call.callerName).toBe(SECRET_NAME);
    await lab.cc.row(pop.call.id, (row) => row.status === 'ended');
    await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
  });

  it('keeps 100 characters of a 4 kB display name; a 10 kB one is refused by drachtio-server with 400', async () => {
    expect(await refused({ from: `"${'N'.repeat(10_000)}" <sip:+14155550178@pbx>` })).toBe(400);
    const seen = agent.desk.count('call:offered');
    const r = await lab.call('uac-expect-answer-caller-hangs-up.xml', {
      service: '8300',
      localIp: TRUNK_IP,
      pauseMs: 50,
      keys: { from: `"${'N'.repeat(4_000)}" <sip:+14155550178@pbx>` },
    });
    expect(r.code, r.output).toBe(0);
    await agent.desk.next('call:offered', () => agent.desk.count('call:offered') > seen);
    const pop = agent.desk.events.filter((e) => e.event === 'call:offered').at(-1)!.args[0] as Pop;
    expect(pop.call.callerName).toBe('N'.repeat(100));
    expect(pop.call.from.e164).toBe('+14155550178');
    const row = await lab.cc.row(pop.call.id, (row) => row.status === 'ended');
    expect(row.caller_name).toHaveLength(100);
    // The agent's phone shows a bounded name.
    expect(phone.invites().find((i) => i.call === pop.call.id)?.from).toMatch(new RegExp(`^"N{60}" <sip:\\+14155550178@`));
    await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
  });

  it('answers a dialled number with letters with 484', async () => {
    expect(await refused({}, '800CALLNOW')).toBe(484);
    const r = await lab.call('uac-expect-484.xml', { service: 'support', localIp: TRUNK_IP });
    expect(r.code, r.output).toBe(0);
  });

  it('refuses garbage in From, an in-dialog INVITE for no dialog, a body that is not SDP, garbage SDP, and a BYE without To tag for no call', async () => {
    expect(await refused({ from: '<<<garbage' })).toBe(400);
    expect(await refused({ to_params: ';tag=no-such-dialog' })).toBe(481);
    expect(await refused({ body_headers: 'Content-Type: application/xml', body: '<hello/>' })).toBe(415);
    expect(await refused({ body: 'this is not sdp' })).toBe(400);
    const stray = await lab.call('uac-bye-without-dialog-expect-481.xml', { service: '8300', localIp: TRUNK_IP });
    expect(stray.code, stray.output).toBe(0);
  });

  it('answers an oversized header and keeps serving', async () => {
    const status = await refused({ headers: `X-Junk: ${'x'.repeat(30_000)}`, body: 'not sdp either' });
    expect([400, 413, 513]).toContain(status);
  });

  it('turns away a flood from one trunk above its cap with 503 and Retry-After, and takes the rest', async () => {
    const r = await lab.call('uac-flood-expect-503.xml', { service: '8999', localIp: FLOOD_IP, calls: 40, rate: 400, timeoutMs: 30_000 });
    expect(r.code, r.output).toBe(0);
    const refusedCalls = r.logs.filter((l) => /^refused retry-after=\d+$/.test(l));
    const accepted = r.logs.filter((l) => l === 'accepted');
    expect(refusedCalls.length + accepted.length).toBe(40);
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(refusedCalls.length).toBeGreaterThanOrEqual(20);
  });

  it('still serves a normal call after all that, and logged no caller number or name at info level', async () => {
    await stillServing();
    const all = lab.logs.join('\n');
    expect(all).toContain('INVITE refused');
    expect(all).not.toContain(SECRET_NUMBER);
    expect(all).not.toContain(SECRET_NAME);
    expect(all).not.toContain('NNNNNNNNNN');
  });

  it('leaves nothing behind once every call has ended: no call in progress, no SIP dialog', async () => {
    const sip = lab.t.container.sip!;
    const counts = () => ({ inProgress: sip.callsInProgress, dialogs: sip.openDialogs, live: lab.t.container.calls.liveCount });
    await until('every call to be over', () => Object.values(counts()).every((n) => n === 0)).catch(() => {});
    expect(counts()).toEqual({ inProgress: 0, dialogs: 0, live: 0 });
  });

});
