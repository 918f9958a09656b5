import { describe, expect, it } from 'vitest';
import { ALLOW, optionsAnswer, otherRequestAnswer } from './request-handlers.ts';

describe('optionsAnswer', () => {
  const known = { knownSource: true, uri: 'sip:127.0.0.1:5060', require: undefined };
  it('answers a trunk keepalive 200 with what screenpop takes', () => {
    expect(optionsAnswer(known)).toMatchObject({ status: 200, headers: { Allow: ALLOW, Accept: 'application/sdp' } });
    expect(optionsAnswer({ ...known, uri: 'tel:+14155550123' }).status).toBe(200);
  });
  it('refuses an unknown source with 403 before looking at the request', () => {
    expect(optionsAnswer({ knownSource: false, uri: 'mailto:a@b.c', require: '100rel' }).status).toBe(403);
  });
  it('refuses another Request-URI scheme with 416 and a required extension with 420 and Unsupported', () => {
    expect(optionsAnswer({ ...known, uri: 'mailto:a@b.c' }).status).toBe(416);
    expect(optionsAnswer({ ...known, uri: 'http://example.com/x' }).status).toBe(416);
    expect(optionsAnswer({ ...known, require: 'foo' })).toMatchObject({ status: 420, headers: { Unsupported: 'foo' } });
  });
});

describe('otherRequestAnswer', () => {
  it.each(['REGISTER', 'MESSAGE', 'SUBSCRIBE', 'PUBLISH', 'INFO', 'NOTIFY', 'FOO'])('answers %s outside a dialog 405 with Allow', (method) => {
    expect(otherRequestAnswer(method, '<sip:8000@host>')).toEqual({ status: 405, headers: { Allow: ALLOW }, why: `${method} not taken` });
  });
  it('answers a request in a dialog screenpop does not hold 481, and an ACK nothing', () => {
    expect(otherRequestAnswer('INFO', '<sip:8000@host>;tag=abc')?.status).toBe(481);
    expect(otherRequestAnswer('BYE', '<sip:8000@host> ; tag=abc')?.status).toBe(481);
    expect(otherRequestAnswer('ACK', '<sip:8000@host>;tag=abc')).toBeNull();
  });
});
