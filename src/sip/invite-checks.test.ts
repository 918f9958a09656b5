import { describe, expect, it } from 'vitest';
import { acceptCheck, contactCheck, dialledFromUri, offerCheck, requireCheck, schemeCheck } from './invite-checks.ts';

describe('dialledFromUri', () => {
  it.each([
    ['sip:8005550100@10.0.0.1', '8005550100'],
    ['sip:+18005550100@host;user=phone', '+18005550100'],
    ['sips:800-555-0100@host:5061', '8005550100'],
    ['tel:+1-800-555-0100;phone-context=x', '+18005550100'],
    ['<sip:%2B18005550100@host>', '+18005550100'],
    ['sip:*123#@host', '*123#'],
    ['sip:10.0.0.1:5060', null],
    ['sip:@host', null],
  ])('%s → %s', (uri, dialled) => {
    expect(dialledFromUri(uri)).toEqual({ ok: true, value: dialled });
  });

  it.each([
    ['sip:800CALLNOW@host', 484],
    ['sip:support@host', 484],
    ['sip:---@host', 484],
    [`sip:${'1'.repeat(40)}@host`, 484],
    ['sip:%ZZ@host', 400],
    ['http://example.com', 416],
    [`sip:${'1'.repeat(2000)}@host`, 414],
  ])('%s → %d', (uri, status) => {
    expect(dialledFromUri(uri)).toMatchObject({ ok: false, status });
  });
});

describe('offerCheck', () => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  it('takes SDP and a late offer (no body)', () => {
    expect(offerCheck(sdp, 'application/sdp')).toEqual({ ok: true, value: 'sdp' });
    expect(offerCheck(sdp, 'Application/SDP; charset=utf-8')).toEqual({ ok: true, value: 'sdp' });
    expect(offerCheck('', undefined)).toEqual({ ok: true, value: 'none' });
  });
  it('refuses another body type with 415 and garbage SDP with 400', () => {
    expect(offerCheck('<xml/>', 'application/xml')).toMatchObject({ ok: false, status: 415, headers: { Accept: 'application/sdp' } });
    expect(offerCheck('garbage', 'application/sdp')).toMatchObject({ ok: false, status: 400 });
    expect(offerCheck('v=0\r\ns=-\r\n', 'application/sdp')).toMatchObject({ ok: false, status: 400 });
  });
});

describe('contactCheck', () => {
  it.each([
    ['<sip:caller@192.0.2.1:5060>'],
    ['"Smith, John" <sip:caller@192.0.2.1>;expires=60'],
    ['sip:192.0.2.1:5060;transport=tcp'],
    ['<sips:caller@pbx.example>'],
  ])('takes %j', (contact) => {
    expect(contactCheck(contact)).toEqual({ ok: true, value: null });
  });

  it.each([
    [undefined, 'INVITE without Contact'],
    ['', 'INVITE without Contact'],
    ['*', 'INVITE Contact is not a SIP URI'],
    ['<tel:+14155550123>', 'INVITE Contact is not a SIP URI'],
    ['<sip:>', 'INVITE Contact is not a SIP URI'],
    ['<sip:a@192.0.2.1>, <sip:b@192.0.2.2>', 'INVITE with more than one Contact'],
  ])('refuses %j with 400', (contact, why) => {
    expect(contactCheck(contact)).toEqual({ ok: false, status: 400, why });
  });
});

describe('requireCheck', () => {
  it('takes a request that requires nothing', () => {
    expect(requireCheck(undefined)).toEqual({ ok: true, value: null });
    expect(requireCheck(' ')).toEqual({ ok: true, value: null });
  });
  it('refuses any required extension with 420 and names it in Unsupported', () => {
    expect(requireCheck('100rel')).toMatchObject({ ok: false, status: 420, headers: { Unsupported: '100rel' } });
    expect(requireCheck('timer, 100rel,foo')).toMatchObject({ ok: false, status: 420, headers: { Unsupported: 'timer, 100rel, foo' } });
    expect(requireCheck('bad\r\nInjected: yes')).toMatchObject({ headers: { Unsupported: 'badInjectedyes' } });
  });
});

describe('acceptCheck', () => {
  it.each([[undefined], ['application/sdp'], ['application/SDP;level=1, text/plain'], ['application/*'], ['*/*;q=0.1'], ['text/plain, application/sdp;q=0.5']])(
    'takes %j',
    (accept) => {
      expect(acceptCheck(accept)).toEqual({ ok: true, value: null });
    },
  );
  it.each([['text/plain'], [''], ['application/sdp;q=0'], ['application/pidf+xml, text/*']])('refuses %j with 406', (accept) => {
    expect(acceptCheck(accept)).toMatchObject({ ok: false, status: 406 });
  });
});

describe('schemeCheck', () => {
  it.each([['sip:pbx.example'], ['sips:x@y'], ['tel:+14155550123'], ['<sip:x@y>']])('takes %j', (uri) => {
    expect(schemeCheck(uri)).toEqual({ ok: true, value: null });
  });
  it.each([['mailto:a@b.c'], ['http://example.com'], ['urn:service:sos']])('refuses %j with 416', (uri) => {
    expect(schemeCheck(uri)).toMatchObject({ ok: false, status: 416 });
  });
});
