import { describe, expect, it } from 'vitest';
import { srfParse } from './srf.ts';
import { screenMessage, unfoldHeaders } from './wire-guard.ts';

const CRLF = '\r\n';
const invite = (start: string, headers: string[] = ['From: <sip:+14155550100@pbx>;tag=f6']) =>
  [start, 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', ...headers, 'To: <sip:8000@host>', 'Call-ID: c1', 'CSeq: 1 INVITE', 'Content-Length: 4', '', 'a\r\nb'].join(CRLF);
// msgId|sip|source|length|protocol|address|port|time|transactionId|dialogId
const network = ['m1', 'sip', 'network', '300', 'udp', '192.0.2.1', '5060', '12:00:00', 'txn-1', ''];

describe('unfoldHeaders', () => {
  it('joins a continuation line (space or tab) to its header with one space, and leaves the body alone', () => {
    const text = `INVITE sip:8000@host SIP/2.0${CRLF}From: "Fold Test" <sip:+1@pbx>${CRLF} ;tag=f6${CRLF}Subject: a${CRLF}\t\tb${CRLF}${CRLF}body${CRLF} indented`;
    expect(unfoldHeaders(text)).toBe(`INVITE sip:8000@host SIP/2.0${CRLF}From: "Fold Test" <sip:+1@pbx> ;tag=f6${CRLF}Subject: a b${CRLF}${CRLF}body${CRLF} indented`);
  });
  it('leaves a message without folding as it is', () => {
    const text = invite('INVITE sip:8000@host SIP/2.0');
    expect(unfoldHeaders(text)).toBe(text);
  });
});

describe('screenMessage', () => {
  it('passes a folded request on unfolded, so drachtio-srf reads From with its tag', () => {
    const folded = invite('INVITE sip:8000@host SIP/2.0', ['From: "Fold Test" <sip:+14155550100@pbx>', ' ;tag=f6']);
    const r = screenMessage(network, folded, srfParse);
    expect(r.kind).toBe('pass');
    expect(r.kind === 'pass' && r.text).toContain(`From: "Fold Test" <sip:+14155550100@pbx> ;tag=f6${CRLF}`);
  });

  it('answers 400 for a request drachtio-srf cannot read (extra spaces in the request line)', () => {
    expect(screenMessage(network, invite('INVITE  sip:8000@host  SIP/2.0'), srfParse)).toEqual({
      kind: 'refuse',
      status: 400,
      method: 'INVITE',
      transactionId: 'txn-1',
      why: 'malformed request line',
    });
    expect(screenMessage(network, invite('INVITE sip:8000@host SIP/2.0', ['no colon here']), srfParse)).toMatchObject({ kind: 'refuse', why: 'headers unreadable' });
  });

  it('answers nothing for an unreadable ACK, CANCEL or response, and passes what drachtio-srf sent itself untouched', () => {
    expect(screenMessage(network, invite('ACK  sip:8000@host  SIP/2.0'), srfParse).kind).toBe('drop');
    expect(screenMessage(network, invite('CANCEL  sip:8000@host  SIP/2.0'), srfParse).kind).toBe('drop');
    expect(screenMessage(network, 'SIP/2.0  200  OK\r\nbroken', srfParse).kind).toBe('drop');
    expect(screenMessage(['m', 'sip', 'network', '1', 'udp', 'x', '1', 't', '', ''], invite('INVITE  sip:8000@host  SIP/2.0'), srfParse).kind).toBe('drop');
    const echo = invite('INVITE sip:8000@host SIP/2.0', ['From: <sip:1@a>', ' ;tag=x']);
    expect(screenMessage(['m', 'sip', 'application'], echo, srfParse)).toEqual({ kind: 'pass', text: echo });
  });

  it('passes a readable request as it came', () => {
    const text = invite('INVITE sip:8000@host SIP/2.0');
    expect(screenMessage(network, text, srfParse)).toEqual({ kind: 'pass', text });
  });

  it('answers 482 for a new INVITE with the Call-ID of an INVITE drachtio-srf has not answered yet (it would lose the first one)', () => {
    const text = invite('INVITE sip:8000@host SIP/2.0');
    expect(screenMessage(network, text, srfParse, (callId) => callId === 'c1')).toMatchObject({ kind: 'refuse', status: 482, method: 'INVITE', transactionId: 'txn-1' });
    expect(screenMessage(network, text, srfParse, () => false)).toEqual({ kind: 'pass', text });
    const reInvite = text.replace('To: <sip:8000@host>', 'To: <sip:8000@host>;tag=t1');
    expect(screenMessage(network, reInvite, srfParse, () => true)).toEqual({ kind: 'pass', text: reInvite });
  });
});
