import { describe, expect, it } from 'vitest';
import { dialledNumber, parseCallerIdentity, parseNameAddr, phoneUser } from './caller-identity.ts';
import type { SipHeaders } from './caller-identity.ts';

function headers(map: Record<string, string | string[]>): SipHeaders {
  const lower = new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name: string) => lower.get(name.toLowerCase()) };
}

describe('parseNameAddr', () => {
  it.each([
    ['"Ada" <sip:+14155550123@host>;tag=x', 'Ada', 'sip:+14155550123@host', { tag: 'x' }],
    ['<tel:+14155550123>', null, 'tel:+14155550123', {}],
    ['sip:x@y', null, 'sip:x@y', {}],
    ['sip:x@y;tag=abc', null, 'sip:x@y', { tag: 'abc' }],
    ['Ada Lovelace <sip:ada@host>', 'Ada Lovelace', 'sip:ada@host', {}],
    ['"O\\"Brien" <sip:1@h>', 'O"Brien', 'sip:1@h', {}],
    ['"张伟" <sip:+8613800138000@h>', '张伟', 'sip:+8613800138000@h', {}],
    ['"Smith, John" <sip:1@h>', 'Smith, John', 'sip:1@h', {}],
    ['"Bell\u0007Ringer" <sip:1@h>', 'BellRinger', 'sip:1@h', {}],
    ['"   " <sip:1@h>', null, 'sip:1@h', {}],
  ])('parses %j', (input, displayName, uri, params) => {
    const r = parseNameAddr(input);
    expect(r).not.toBeNull();
    expect(r?.displayName).toBe(displayName);
    expect(r?.uri).toBe(uri);
    expect({ ...r?.params }).toEqual(params);
  });

  it.each([['<<<'], ['"unterminated'], [''], ['   '], ['Ada'], ['http://x'], ['"Ada" sip:1@h'], ['<sip:1@h'], ['<>']])(
    'rejects garbage %j',
    (input) => {
      expect(parseNameAddr(input)).toBeNull();
    },
  );

  it('truncates a 10 kB display name to 100 chars', () => {
    const r = parseNameAddr(`"${'x'.repeat(10_000)}" <sip:1@h>`);
    // Clipped to its first and last 1 kB, so the closing quote and URI survive.
    expect(r?.displayName).toBe('x'.repeat(100));
    expect(r?.uri).toBe('sip:1@h');
    const short = parseNameAddr(`"${'y'.repeat(1500)}" <sip:1@h>`);
    expect(short?.displayName).toBe('y'.repeat(100));
  });
});

describe('parseCallerIdentity', () => {
  it.each<[string, Record<string, string | string[]>, Partial<ReturnType<typeof parseCallerIdentity>>]>([
    [
      'PAI',
      { 'P-Asserted-Identity': '"Ada" <sip:+14155550123@carrier;user=phone>', From: '<sip:999@pbx>' },
      { number: '+14155550123', displayName: 'Ada', source: 'p-asserted-identity', withheld: false },
    ],
    [
      'RPID',
      { 'Remote-Party-ID': '"Bob" <sip:+14155550124@gw>;party=calling;screen=yes', From: '<sip:999@pbx>' },
      { number: '+14155550124', displayName: 'Bob', source: 'remote-party-id', withheld: false },
    ],
    [
      'From',
      { From: '"Cy" <sip:+14155550125@pbx>;tag=1' },
      { number: '+14155550125', displayName: 'Cy', source: 'from', withheld: false },
    ],
    ['no headers', {}, { number: null, displayName: null, source: 'none', withheld: false, normalised: null }],
    [
      'PAI beats RPID and From',
      {
        'P-Asserted-Identity': '<sip:+14155550123@a>',
        'Remote-Party-ID': '<sip:+14155550124@b>;party=calling',
        From: '<sip:+14155550125@c>',
      },
      { number: '+14155550123', source: 'p-asserted-identity' },
    ],
    [
      'RPID beats From',
      { 'Remote-Party-ID': '<sip:+14155550124@b>', From: '<sip:+14155550125@c>' },
      { number: '+14155550124', source: 'remote-party-id' },
    ],
    [
      'two PAI headers sip+tel: tel wins',
      { 'P-Asserted-Identity': ['"Ada" <sip:ada@carrier>', '<tel:+14155550123>'] },
      { number: '+14155550123', source: 'p-asserted-identity', displayName: 'Ada' },
    ],
    [
      'comma-separated PAI sip+tel: tel wins',
      { 'P-Asserted-Identity': '<sip:+14155559999@carrier>, <tel:+14155550123>' },
      { number: '+14155550123' },
    ],
    [
      'two sip PAIs: the numeric one wins',
      { 'P-Asserted-Identity': '<sip:ada@carrier>, <sip:+14155550123@carrier>' },
      { number: '+14155550123' },
    ],
    [
      'comma in quoted PAI name does not split',
      { 'P-Asserted-Identity': '"Smith, John" <sip:+14155550123@c>' },
      { number: '+14155550123', displayName: 'Smith, John' },
    ],
    [
      'Privacy: id withholds PAI',
      { 'P-Asserted-Identity': '"Ada" <sip:+14155550123@c>', Privacy: 'id' },
      { number: null, displayName: null, withheld: true, source: 'p-asserted-identity', normalised: null },
    ],
    [
      'Privacy: id;header',
      { 'P-Asserted-Identity': '<sip:+14155550123@c>', Privacy: 'id;header' },
      { number: null, withheld: true },
    ],
    [
      'Privacy: header;ID (case, order)',
      { 'P-Asserted-Identity': '<sip:+14155550123@c>', Privacy: 'header; ID' },
      { number: null, withheld: true },
    ],
    [
      'Privacy: none does not withhold',
      { 'P-Asserted-Identity': '<sip:+14155550123@c>', Privacy: 'none' },
      { number: '+14155550123', withheld: false },
    ],
    [
      'Privacy: header alone does not withhold',
      { 'P-Asserted-Identity': '<sip:+14155550123@c>', Privacy: 'header' },
      { number: '+14155550123', withheld: false },
    ],
    [
      'RPID privacy=full',
      { 'Remote-Party-ID': '"Bob" <sip:+14155550124@gw>;privacy=full' },
      { number: null, displayName: null, withheld: true, source: 'remote-party-id' },
    ],
    [
      'RPID privacy=uri',
      { 'Remote-Party-ID': '"Bob" <sip:+14155550124@gw>;privacy=uri' },
      { number: null, withheld: true },
    ],
    [
      'RPID privacy=name hides only the name',
      { 'Remote-Party-ID': '"Bob" <sip:+14155550124@gw>;privacy=name', From: '"Bob" <sip:1@x>' },
      { number: '+14155550124', displayName: null, withheld: false },
    ],
    [
      'RPID privacy=off',
      { 'Remote-Party-ID': '"Bob" <sip:+14155550124@gw>;privacy=off' },
      { number: '+14155550124', displayName: 'Bob', withheld: false },
    ],
    [
      'RPID screened entry preferred, party=called skipped',
      {
        'Remote-Party-ID': [
          '<sip:+14155550000@gw>;party=called;screen=yes',
          '<sip:+14155550001@gw>;party=calling;screen=no',
          '<sip:+14155550124@gw>;party=calling;screen=yes',
        ],
      },
      { number: '+14155550124' },
    ],
    ...(['anonymous', 'restricted', 'unavailable', 'unknown', 'private', 'Anonymous'] as const).map(
      (user): [string, Record<string, string>, Partial<ReturnType<typeof parseCallerIdentity>>] => [
        `From user ${user}`,
        { From: `"${user}" <sip:${user}@example.com>;tag=1` },
        { number: null, displayName: null, withheld: true, source: 'from' },
      ],
    ),
    [
      'From sip:anonymous@anonymous.invalid',
      { From: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1' },
      { number: null, displayName: null, withheld: true },
    ],
    [
      'anonymous PAI is withheld and does not fall through to From',
      { 'P-Asserted-Identity': '<sip:anonymous@anonymous.invalid>', From: '<sip:+14155550125@c>' },
      { number: null, withheld: true, source: 'p-asserted-identity' },
    ],
    [
      'tel: with phone-context',
      { 'P-Asserted-Identity': '<tel:5550123;phone-context=+1415>' },
      { number: '5550123' },
    ],
    ['sips:', { From: '<sips:+14155550125@secure.example>' }, { number: '+14155550125', source: 'from' }],
    [
      'visual separators kept raw',
      { From: '<sip:+1-415-555-0123@c;user=phone>' },
      { number: '+1-415-555-0123' },
    ],
    [
      'params inside user part',
      { From: '<sip:+14155550123;isub=12;npdi@c;user=phone>' },
      { number: '+14155550123' },
    ],
    ['user part without digits', { From: '"Alice" <sip:alice@host>' }, { number: null, displayName: 'Alice', normalised: null, withheld: false }],
    [
      'unquoted token name',
      { From: 'Ada Lovelace <sip:+14155550123@c>;tag=9' },
      { displayName: 'Ada Lovelace' },
    ],
    ['escaped quote', { From: '"O\\"Brien" <sip:+14155550123@c>' }, { displayName: 'O"Brien' }],
    ['UTF-8 name', { From: '"张伟" <sip:+8613800138000@c>' }, { displayName: '张伟', number: '+8613800138000' }],
    [
      'PAI without name takes From name',
      { 'P-Asserted-Identity': '<sip:+14155550123@c>', From: '"Ada" <sip:+14155550123@pbx>' },
      { displayName: 'Ada' },
    ],
    [
      'garbage PAI "<<<" falls back to From',
      { 'P-Asserted-Identity': '<<<', From: '<sip:+14155550125@c>' },
      { number: '+14155550125', source: 'from' },
    ],
    [
      'garbage PAI unterminated quote falls back to RPID',
      { 'P-Asserted-Identity': '"unterminated', 'Remote-Party-ID': '<sip:+14155550124@gw>' },
      { number: '+14155550124', source: 'remote-party-id' },
    ],
    ['empty PAI and From', { 'P-Asserted-Identity': '', From: '' }, { number: null, source: 'none' }],
    ['From "<<<"', { From: '<<<' }, { number: null, source: 'none' }],
    [
      'PAI without <> or sip: is ignored',
      { 'P-Asserted-Identity': 'just some text', From: '<sip:+14155550125@c>' },
      { source: 'from' },
    ],
    [
      'Diversion first entry',
      {
        From: '<sip:+14155550125@c>',
        Diversion: '<sip:+14155550100@pbx>;reason=unconditional, <sip:+14155550101@pbx>;reason=busy',
      },
      { redirectingNumber: '+14155550100' },
    ],
    [
      'History-Info entry before the last',
      {
        From: '<sip:+14155550125@c>',
        'History-Info': '<sip:a@x>;index=1,<sip:+14155550100@y?Reason=SIP%3Bcause%3D302>;index=1.1,<sip:8000@z>;index=1.1.1',
      },
      { redirectingNumber: '+14155550100' },
    ],
    [
      'History-Info with two entries, first has no number',
      { 'History-Info': '<sip:a@x>;index=1,<sip:+14155550100@y?Reason=SIP%3Bcause%3D302>;index=1.1' },
      { redirectingNumber: null },
    ],
    ['no redirection', { From: '<sip:+14155550125@c>' }, { redirectingNumber: null }],
  ])('%s', (_name, map, expected) => {
    expect(parseCallerIdentity(headers(map), 'US')).toMatchObject(expected);
  });

  it('normalises the chosen number', () => {
    const r = parseCallerIdentity(headers({ From: '<sip:+1-415-555-0123@c;user=phone>' }), 'US');
    expect(r.normalised?.tail).toBe('155550123');
    expect(r.normalised?.digits).toBe('14155550123');
  });

  it('applies tel: phone-context when normalising', () => {
    const r = parseCallerIdentity(headers({ 'P-Asserted-Identity': '<tel:5550123;phone-context=+1415>' }), 'GB');
    expect(r.normalised?.digits).toBe('14155550123');
  });

  it.each([
    ['10 kB display name', { From: `"${'x'.repeat(10_000)}" <sip:+14155550125@c>` }],
    ['10 kB unquoted name', { From: `${'x '.repeat(5_000)}<sip:+14155550125@c>` }],
    ['huge header list', { 'P-Asserted-Identity': Array(10_000).fill('<sip:1@x>') }],
    ['throwing getter', null],
  ])('never throws: %s', (_name, map) => {
    const h: SipHeaders = map
      ? headers(map)
      : {
          get: () => {
            throw new Error('boom');
          },
        };
    expect(() => parseCallerIdentity(h, 'US')).not.toThrow();
  });

  it('keeps the number behind a 10 kB display name', () => {
    const r = parseCallerIdentity(headers({ From: `"${'x'.repeat(10_000)}" <sip:+14155550125@c>;tag=1` }), 'US');
    expect(r.displayName).toBe('x'.repeat(100));
    expect(r.number).toBe('+14155550125');
    expect(r.source).toBe('from');
  });

  it('bounds the display name to 100 chars', () => {
    const r = parseCallerIdentity(headers({ From: `"${'z'.repeat(1500)}" <sip:+14155550125@c>` }), 'US');
    expect(r.displayName).toBe('z'.repeat(100));
    expect(r.number).toBe('+14155550125');
  });

  it('bounds the number to 64 chars', () => {
    const r = parseCallerIdentity(headers({ From: `<sip:${'1'.repeat(200)}@c>` }), 'US');
    expect(r.number).toHaveLength(64);
  });
});

describe('phoneUser', () => {
  it.each([
    ['+14155550123', '+14155550123'],
    ['%2B14155550123', '+14155550123'],
    ['+1-415-555-0123', '+1-415-555-0123'],
    ['(415)%20555.0123', '(415) 555.0123'],
    ['*123#', '*123#'],
    ['I%20have%20spaces', null],
    ['agent7', null],
    ['%ZZ12', null],
    ['---', null],
    ['', null],
    [null, null],
  ])('%j → %j', (user, expected) => {
    expect(phoneUser(user)).toBe(expected);
  });
});

describe('a From user that is no phone number', () => {
  it.each([
    ['escaped words whose escapes hold digits', '"Spaces" <sip:I%20have%20spaces@pbx>;tag=1'],
    ['letters and digits', '<sip:agent7@pbx>'],
    ['a broken escape', '<sip:%ZZ4155550123@pbx>'],
  ])('is no number: %s', (_name, from) => {
    const r = parseCallerIdentity(headers({ From: from }), 'US');
    expect(r).toMatchObject({ number: null, normalised: null, withheld: false, source: 'from' });
  });

  it('reads an escaped number as the number it stands for', () => {
    const r = parseCallerIdentity(headers({ From: '<sip:%2B14155550123@pbx>' }), 'US');
    expect(r.number).toBe('+14155550123');
    expect(r.normalised?.e164).toBe('+14155550123');
  });

  it('prefers a P-Asserted-Identity that is a number over one of escaped words', () => {
    const r = parseCallerIdentity(headers({ 'P-Asserted-Identity': ['<sip:I%20am%2020@pbx>', '<sip:+14155550123@pbx>'] }), 'US');
    expect(r.number).toBe('+14155550123');
  });

  it('takes an escaped anonymous user as withheld', () => {
    expect(parseCallerIdentity(headers({ From: '<sip:%41nonymous@pbx>' }), 'US')).toMatchObject({ withheld: true, number: null });
  });
});

describe('dialledNumber', () => {
  it.each([
    ['sip:8000@host;user=phone', '8000'],
    ['tel:+18005550199', '+18005550199'],
    ['tel:5550199;phone-context=+1800', '5550199'],
    ['sips:+442079460958@sbc.example:5061;transport=tls', '+442079460958'],
    ['<sip:8000@host>', '8000'],
    ['sip:support@host', null],
    ['sip:host.example', null],
    ['http://x', null],
    ['', null],
    ['<<<', null],
  ])('%j → %j', (uri, expected) => {
    expect(dialledNumber(uri)).toBe(expected);
  });
});
