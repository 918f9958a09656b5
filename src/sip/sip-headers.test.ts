import { describe, expect, it } from 'vitest';
import { fromHeader, quotedName, uriUser } from './sip-headers.ts';
import { overflowUri } from './sip-call.ts';

describe('headers screenpop writes', () => {
  it('shows the caller on the agent leg, anonymous when withheld or without a number', () => {
    expect(fromHeader({ number: '+14155550123', name: 'Ada Lovelace', withheld: false })).toBe('"Ada Lovelace" <sip:+14155550123@localhost>');
    expect(fromHeader({ number: '+14155550123', name: null, withheld: false })).toBe('<sip:+14155550123@localhost>');
    expect(fromHeader({ number: '+14155550123', name: 'Ada', withheld: true })).toBe('"Anonymous" <sip:anonymous@localhost>');
    expect(fromHeader({ number: null, name: 'Ada', withheld: false })).toBe('"Anonymous" <sip:anonymous@localhost>');
  });

  it('never lets a display name or number break the header', () => {
    expect(quotedName('Ev"il\\ \r\nName')).toBe('"Evil Name"');
    expect(quotedName('x'.repeat(10_000))).toBe(`"${'x'.repeat(60)}"`);
    expect(quotedName('张伟')).toBe('"张伟"');
    expect(uriUser('(415) 555-0123>;evil')).toBe('4155550123');
    expect(uriUser('+1+2')).toBe('+12');
    expect(uriUser('abc')).toBeNull();
  });

  it('sends an overflow number back to the PBX that sent the call; URIs go as they are', () => {
    const req = { source_address: '192.0.2.7', source_port: 5080 };
    expect(overflowUri('sip:voicemail@pbx.example.com', req)).toBe('sip:voicemail@pbx.example.com');
    expect(overflowUri('+1 800 555 0199', req)).toBe('sip:+18005550199@192.0.2.7:5080');
    expect(overflowUri('tel:+18005550199', { source_address: '2001:db8::1', source_port: 5060 })).toBe('sip:+18005550199@[2001:db8::1]:5060');
  });
});
