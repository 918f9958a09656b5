import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pop } from '../../src/pop/pop.types.ts';
import { SipLab, sipAvailable } from '../helpers/sip/sip-lab.ts';
import type { SippPhone } from '../helpers/sip/sipp.ts';

const US_TRUNK = '127.0.0.5';
const GB_TRUNK = '127.0.0.7';
const CRLF = '\r\n';

interface Variant {
  name: string;
  trunk?: string;
  from: string;
  headers?: string[];
  expect: {
    raw: string | null;
    e164: string | null;
    name: string | null;
    withheld?: boolean;
    redirecting?: string | null;
  };
  /** What the agent's phone shows as the caller (From of the agent leg). */
  phoneFrom: RegExp;
}

const VARIANTS: Variant[] = [
  {
    name: 'P-Asserted-Identity (sip:) over From',
    from: '"Front desk" <sip:100@pbx.example.com>',
    headers: ['P-Asserted-Identity: "Ada Lovelace" <sip:+14155550123@pbx.example.com>'],
    expect: { raw: '+14155550123', e164: '+14155550123', name: 'Ada Lovelace' },
    phoneFrom: /^"Ada Lovelace" <sip:\+14155550123@/,
  },
  {
    name: 'P-Asserted-Identity as a tel: URI',
    from: '<sip:100@pbx.example.com>',
    headers: ['P-Asserted-Identity: <tel:+14155550124>'],
    expect: { raw: '+14155550124', e164: '+14155550124', name: null },
    phoneFrom: /^<sip:\+14155550124@/,
  },
  {
    name: 'two P-Asserted-Identity headers, a sip: one with the name and a tel: one',
    from: '<sip:100@pbx.example.com>',
    headers: ['P-Asserted-Identity: "Grace Hopper" <sip:4155550125@pbx.example.com;user=phone>', 'P-Asserted-Identity: <tel:+14155550125>'],
    expect: { raw: '+14155550125', e164: '+14155550125', name: 'Grace Hopper' },
    phoneFrom: /^"Grace Hopper" <sip:\+14155550125@/,
  },
  {
    name: 'Remote-Party-ID when there is no P-Asserted-Identity',
    from: '<sip:100@pbx.example.com>',
    headers: ['Remote-Party-ID: "Alan Turing" <sip:+14155550126@pbx.example.com>;party=calling;screen=yes;privacy=off'],
    expect: { raw: '+14155550126', e164: '+14155550126', name: 'Alan Turing' },
    phoneFrom: /^"Alan Turing" <sip:\+14155550126@/,
  },
  {
    name: 'From with a national number, read in the trunk country (US)',
    from: '"Katherine Johnson" <sip:(415)555-0127@pbx.example.com>',
    expect: { raw: '(415)555-0127', e164: '+14155550127', name: 'Katherine Johnson' },
    phoneFrom: /^"Katherine Johnson" <sip:4155550127@/,
  },
  {
    name: 'From with a sips: URI',
    from: '<sips:+14155550128@pbx.example.com>',
    expect: { raw: '+14155550128', e164: '+14155550128', name: null },
    phoneFrom: /^<sip:\+14155550128@/,
  },
  {
    name: 'From with a tel: URI',
    from: '<tel:+14155550129>',
    expect: { raw: '+14155550129', e164: '+14155550129', name: null },
    phoneFrom: /^<sip:\+14155550129@/,
  },
  {
    name: 'a quoted display name with escapes',
    from: '"O\\"Brien \\\\ Sons" <sip:+14155550130@pbx.example.com>',
    expect: { raw: '+14155550130', e164: '+14155550130', name: 'O"Brien \\ Sons' },
    phoneFrom: /^"OBrien  Sons" <sip:\+14155550130@/,
  },
  {
    name: 'a UTF-8 display name, national number on a GB trunk',
    trunk: GB_TRUNK,
    from: '"张伟 Zhāng" <sip:020 7946 0131@pbx.example.com>',
    expect: { raw: '020 7946 0131', e164: '+442079460131', name: '张伟 Zhāng' },
    phoneFrom: /^"张伟 Zhāng" <sip:02079460131@/,
  },
  {
    name: 'Privacy: id withholds the asserted caller',
    from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
    headers: ['P-Asserted-Identity: "Secret Caller" <sip:+14155550132@pbx.example.com>', 'Privacy: id'],
    expect: { raw: null, e164: null, name: null, withheld: true },
    phoneFrom: /^"Anonymous" <sip:anonymous@/,
  },
  {
    name: 'an anonymous From without any identity header',
    from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
    expect: { raw: null, e164: null, name: null, withheld: true },
    phoneFrom: /^"Anonymous" <sip:anonymous@/,
  },
  {
    name: 'Diversion kept as the redirecting number',
    from: '<sip:+14155550133@pbx.example.com>',
    headers: ['Diversion: <sip:+18005550199@pbx.example.com>;reason=unconditional;counter=1'],
    expect: { raw: '+14155550133', e164: '+14155550133', name: null, redirecting: '+18005550199' },
    phoneFrom: /^<sip:\+14155550133@/,
  },
  {
    name: 'History-Info kept as the redirecting number',
    from: '<sip:+14155550134@pbx.example.com>',
    headers: ['History-Info: <sip:+18005550198@pbx.example.com>;index=1,<sip:8200@pbx.example.com;cause=302>;index=1.1'],
    expect: { raw: '+14155550134', e164: '+14155550134', name: null, redirecting: '+18005550198' },
    phoneFrom: /^<sip:\+14155550134@/,
  },
];

describe.skipIf(!sipAvailable())('caller identity of SIP calls, as the pop, the call log and the agent phone show it', () => {
  let lab: SipLab;
  let phone: SippPhone;
  let agent: Awaited<ReturnType<SipLab['cc']['agent']>>;

  beforeAll(async () => {
    lab = await SipLab.start();
    await lab.cc.queue('ids', ['8200'], { ringTimeoutSeconds: 20, wrapUpSeconds: 0 });
    await lab.trunk({ name: 'us-pbx', sources: [US_TRUNK], defaultCountry: 'US' });
    await lab.trunk({ name: 'gb-pbx', sources: [GB_TRUNK], defaultCountry: 'GB' });
    phone = await lab.phone('uas-agent-answer.xml');
    agent = await lab.cc.agent('Ids', ['ids'], { ready: true, sipUri: phone.uri() });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it.each(VARIANTS.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const seen = agent.desk.count('call:offered');
    const result = await lab.call('uac-expect-answer-caller-hangs-up.xml', {
      service: '8200',
      localIp: v.trunk ?? US_TRUNK,
      pauseMs: 100,
      keys: { from: v.from, headers: (v.headers ?? ['User-Agent: screenpop-test']).join(CRLF) },
    });
    expect(result.code, result.output).toBe(0);
    await agent.desk.next('call:offered', () => agent.desk.count('call:offered') > seen);
    const pop = agent.desk.events.filter((e) => e.event === 'call:offered').at(-1)!.args[0] as Pop;

    expect(pop.call.from).toEqual({ raw: v.expect.raw, e164: v.expect.e164 });
    expect(pop.call.callerName).toBe(v.expect.name);
    expect(pop.call.withheld).toBe(v.expect.withheld ?? false);
    expect(pop.call.redirectingNumber).toBe(v.expect.redirecting ?? null);
    expect(pop.call.dialledNumber).toBe('8200');
    if (v.expect.withheld) expect(pop.match.outcome).toBe('withheld');

    const row = await lab.cc.row(pop.call.id, (r) => r.status === 'ended');
    expect(row).toMatchObject({
      from_raw: v.expect.raw,
      from_e164: v.expect.e164,
      caller_name: v.expect.name,
      withheld: v.expect.withheld ?? false,
      redirecting_number: v.expect.redirecting ?? null,
      dialled_number: '8200',
      trunk: v.trunk === GB_TRUNK ? 'gb-pbx' : 'us-pbx',
    });
    expect(phone.invites().find((i) => i.call === pop.call.id)?.from).toMatch(v.phoneFrom);

    const wrap = await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved' });
    expect(wrap.ok, JSON.stringify(wrap)).toBe(true);
  });
});
