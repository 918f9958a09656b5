import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { CallService } from '../calls/call.service.ts';
import type { LiveCall } from '../calls/call.types.ts';
import type { AgentRecord } from '../routing/agent.service.ts';
import { SipCall } from './sip-call.ts';
import type { B2buaOptions, Dialog, SipRequest, SipResponse, SrfClient } from './srf.ts';

// The races of one inbound call, with drachtio-srf and the call service replaced by fakes that
// record what the channel does. The real thing runs in the SIP system tests.

class FakeReq extends EventEmitter {
  body = 'v=0\r\nm=audio 4000 RTP/AVP 0\r\n';
  source_address = '192.0.2.7';
  source_port = 5060;
  get(name: string) {
    return name.toLowerCase() === 'call-id' ? 'abc@pbx' : undefined;
  }
}

function fakeDialog(): Dialog & EventEmitter {
  const d = new EventEmitter() as Dialog & EventEmitter;
  Object.assign(d, { sip: { callId: 'x' }, local: { sdp: '' }, remote: { sdp: 'v=0' }, destroy: vi.fn(async () => {}) });
  return d;
}

interface Leg {
  uri: string;
  opts: B2buaOptions;
  uacReq: { cancel: ReturnType<typeof vi.fn> };
  /** The phone answers: the B2BUA asks for the caller's SDP (the call service must take the answer first). */
  answer(): Promise<'bridged' | 'refused'>;
  /** The phone answers, the call service takes it, then the caller's 200 cannot be sent (the caller's transport is gone). */
  answerThenCallerFails(): Promise<void>;
  /** drachtio-srf 5.0.29 with an INVITE without Contact: fails the caller's leg, then still asks for its SDP. */
  failThenAnswer(): Promise<'refused' | 'answered'>;
  fail(status: number): void;
  /** The bridged dialogs, once answer() bridged them. */
  dialogs?: { uas: Dialog & EventEmitter; uac: Dialog & EventEmitter };
}

function setup() {
  const legs: Leg[] = [];
  const srf = {
    createB2BUA: vi.fn((_req, _res, uri: string, opts: B2buaOptions, progress?: { cbRequest?: (e: Error | null, r: SipRequest) => void }) => {
      return new Promise((resolve, reject) => {
        const uacReq = { cancel: vi.fn((cb: () => void) => cb()) };
        const leg: Leg = {
          uri,
          opts,
          uacReq,
          async answer() {
            try {
              await opts.localSdpA!('v=0 agent');
            } catch (err) {
              reject(err);
              return 'refused';
            }
            leg.dialogs = { uas: fakeDialog(), uac: fakeDialog() };
            resolve(leg.dialogs);
            return 'bridged';
          },
          async answerThenCallerFails() {
            await opts.localSdpA!('v=0 agent');
            reject(new Error('transport for response has been shutdown or closed'));
          },
          async failThenAnswer() {
            reject(new Error('createUAS: Request is missing Contact header'));
            try {
              await opts.localSdpA!('v=0 agent');
              return 'answered';
            } catch {
              return 'refused';
            }
          },
          fail: (status) => reject(Object.assign(new Error('failed'), { status })),
        };
        legs.push(leg);
        // drachtio-srf reports the sent INVITE on a later tick
        setImmediate(() => progress?.cbRequest?.(null, uacReq as unknown as SipRequest));
      });
    }),
  } as unknown as SrfClient;
  const calls = {
    answer: vi.fn(async () => ({})),
    end: vi.fn(async () => ({})),
    ringEnded: vi.fn(async () => {}),
    idFor: vi.fn(async () => {
      throw new Error('not offered yet');
    }),
  };
  const req = new FakeReq();
  const sent: number[] = [];
  const res: SipResponse = {
    get finalResponseSent() {
      return sent.some((s) => s >= 200);
    },
    send: ((status: number) => void sent.push(status)) as SipResponse['send'],
  };
  const call = new SipCall({ srf, calls: calls as unknown as CallService, log: pino({ level: 'silent' }), bridgeTimeoutMs: 50 }, req as unknown as SipRequest, res, { number: '+14155550123', name: 'Ada', withheld: false });
  const agent = (id: string): AgentRecord => ({ id, name: id, sipUri: `sip:${id}@phones`, skills: [], team: null, apiKeyId: null, locale: 'en' });
  const live = (attempt: number) => ({ id: 'call-1', attempt, customer: { id: 42 } }) as unknown as LiveCall;
  const tick = () => new Promise((r) => setImmediate(r));
  // The call offered and agent 7's phone ringing: where most tests start.
  const ringing = async () => {
    call.offered('call-1');
    call.ringAgent(agent('7'), live(1));
    await tick();
  };
  return { call, calls, legs, req, sent, agent, live, tick, ringing };
}

describe('SipCall', () => {
  it('rings the agent with screenpop headers and answers the caller only after the call service took the answer', async () => {
    const { call, calls, legs, agent, live, tick } = setup();
    call.ringback();
    call.ringAgent(agent('7'), live(1));
    await tick();
    expect(legs[0]!.uri).toBe('sip:7@phones');
    expect(legs[0]!.opts).toMatchObject({ passFailure: false, headers: { 'X-Screenpop-Call-Id': 'call-1', 'X-Screenpop-Customer-Id': '42', From: '"Ada" <sip:+14155550123@localhost>' } });
    expect(await legs[0]!.answer()).toBe('bridged');
    expect(calls.answer).toHaveBeenCalledWith('call-1', '7');
  });

  it('reports a busy phone as a rejected ring, so the call moves on', async () => {
    const { call, calls, legs, agent, live, tick } = setup();
    call.ringAgent(agent('7'), live(3));
    await tick();
    legs[0]!.fail(486);
    await tick();
    expect(calls.ringEnded).toHaveBeenCalledWith('call-1', '7', 3, 'rejected');
  });

  it('cancels a ring the call service stopped, even before drachtio reported the INVITE sent, and refuses its late answer', async () => {
    const { call, calls, legs, agent, live, tick } = setup();
    call.ringAgent(agent('7'), live(1));
    call.stopRinging('7'); // ring timeout at once
    await tick();
    expect(legs[0]!.uacReq.cancel).toHaveBeenCalled();
    expect(await legs[0]!.answer()).toBe('refused');
    expect(calls.answer).not.toHaveBeenCalled();
    await tick();
    expect(calls.ringEnded).not.toHaveBeenCalled(); // the service already moved the call on
  });

  it('ends a call whose caller hung up while it was still being offered, once it has an id', async () => {
    const { call, calls, req, tick } = setup();
    req.emit('cancel');
    await tick();
    expect(calls.end).not.toHaveBeenCalled();
    call.offered('call-1');
    await tick();
    expect(calls.end).toHaveBeenCalledWith('call-1', 'caller');
  });

  it('cancels the ringing phone and ends the call when the caller gives up', async () => {
    const { call, calls, legs, req, tick, ringing } = setup();
    await ringing();
    req.emit('cancel');
    await tick();
    expect(legs[0]!.uacReq.cancel).toHaveBeenCalled();
    expect(calls.end).toHaveBeenCalledWith('call-1', 'caller');
    legs[0]!.fail(487);
    await tick();
    expect(calls.ringEnded).not.toHaveBeenCalled();
  });

  it('answers 480 when there is no overflow target, and 503 with Retry-After when the service stops', () => {
    const a = setup();
    a.call.overflow(null);
    expect(a.sent).toEqual([480]);
    const b = setup();
    b.call.ringback();
    b.call.hangup('service_stopped');
    expect(b.sent).toEqual([180, 503]);
  });

  it('ends a call drachtio-server lost, by the system', async () => {
    const { call, calls, tick } = setup();
    call.offered('call-1');
    call.connectionLost();
    await tick();
    expect(calls.end).toHaveBeenCalledWith('call-1', 'system');
    expect(call.finished).toBe(true);
  });

  describe("a leg that fails after the agent answered ends the call, both legs and the agent's part", () => {
    it("the caller's 200 cannot be sent: the call ends by the system with the reason", async () => {
      const { call, calls, legs, tick, ringing } = setup();
      await ringing();
      await legs[0]!.answerThenCallerFails();
      await tick();
      expect(calls.answer).toHaveBeenCalledWith('call-1', '7');
      expect(calls.end).toHaveBeenCalledWith('call-1', 'system', { reason: 'caller_leg_failed' });
      expect(calls.ringEnded).not.toHaveBeenCalled();
      expect(call.finished).toBe(true);
    });

    it('the caller\'s leg fails while the answer is being taken: the call ends and no 200 goes out', async () => {
      const { call, calls, legs, sent, tick, ringing } = setup();
      await ringing();
      expect(await legs[0]!.failThenAnswer()).toBe('refused');
      await tick();
      expect(calls.end).toHaveBeenCalledWith('call-1', 'system', { reason: 'caller_leg_failed' });
      expect(sent).toEqual([500]);
    });

    it('drachtio-server ends a bridged leg itself (no ACK): a failed leg, not a hang-up by the caller', async () => {
      const { call, calls, legs, tick, ringing } = setup();
      await ringing();
      await legs[0]!.answer();
      await tick();
      const { uas, uac } = legs[0]!.dialogs!;
      uas.emit('destroy', { source: 'application' }, 'ACK timeout');
      await tick();
      expect(uac.destroy).toHaveBeenCalled();
      expect(calls.end).toHaveBeenCalledWith('call-1', 'system', { reason: 'caller_leg_failed' });
      uac.emit('destroy', { source: 'network' });
      await tick();
      expect(calls.end).toHaveBeenCalledTimes(1);
    });

    it('a BYE from the network is still a hang-up', async () => {
      const { call, calls, legs, tick, ringing } = setup();
      await ringing();
      await legs[0]!.answer();
      await tick();
      legs[0]!.dialogs!.uac.emit('destroy', { source: 'network' }, 'normal release');
      await tick();
      expect(legs[0]!.dialogs!.uas.destroy).toHaveBeenCalled();
      expect(calls.end).toHaveBeenCalledWith('call-1', 'agent');
    });

    it('an answered call never bridged (a late-offer caller that never ACKs) ends once the bridge timeout passes', async () => {
      const { call, calls, legs, req, tick, ringing } = setup();
      req.body = '';
      await ringing();
      await legs[0]!.opts.localSdpA!('v=0 agent'); // answered; the B2BUA now waits for the caller's ACK
      await vi.waitFor(() => expect(calls.end).toHaveBeenCalledWith('call-1', 'system', { reason: 'caller_leg_failed' }));
      expect(call.finished).toBe(true);
    });

    it('a bridged call is not ended by the bridge timeout', async () => {
      const { call, calls, legs, tick, ringing } = setup();
      await ringing();
      await legs[0]!.answer();
      await new Promise((r) => setTimeout(r, 120));
      expect(calls.end).not.toHaveBeenCalled();
      expect(call.finished).toBe(false);
    });
  });
});
