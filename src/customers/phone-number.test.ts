import { describe, it, expect } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskPhone, normalisePhone } from './phone-number.ts';

// Every expectation below was checked against libphonenumber-js 1.13 `max` metadata.
// [input as a person or a switch would write it, default country, expected E.164, expected country]
const REAL_WORLD: [string, string, string, string][] = [
  // US (555-01xx is the fictional range, yet valid in the metadata)
  ['(415) 555-0123', 'US', '+14155550123', 'US'],
  ['415.555.0123', 'US', '+14155550123', 'US'],
  ['1 (212) 555-0199', 'US', '+12125550199', 'US'],
  ['+1 646 555 0142', 'US', '+16465550142', 'US'],
  ['2025550173', 'US', '+12025550173', 'US'],
  ['1-800-555-0199', 'US', '+18005550199', 'US'],
  ['+1 (312) 555-0110', 'DE', '+13125550110', 'US'],
  ['00 1 415 555 0123', 'US', '+14155550123', 'US'],
  ['001 415 555 0123', 'DE', '+14155550123', 'US'],
  // CA (shares +1: the country comes from the area code)
  ['(416) 555-0134', 'CA', '+14165550134', 'CA'],
  ['+1 604 555 0187', 'CA', '+16045550187', 'CA'],
  ['514-555-0166', 'CA', '+15145550166', 'CA'],
  ['1 613 555 0191', 'US', '+16135550191', 'CA'],
  // GB
  ['020 7946 0958', 'GB', '+442079460958', 'GB'],
  ['+44 (0)20 7946 0018', 'GB', '+442079460018', 'GB'],
  ['0161 496 0123', 'GB', '+441614960123', 'GB'],
  ['0131 496 0000', 'GB', '+441314960000', 'GB'],
  ['07912 345678', 'GB', '+447912345678', 'GB'],
  ['0044 113 496 0555', 'DE', '+441134960555', 'GB'],
  ['0044 20 7946 0958', 'US', '+442079460958', 'GB'],
  ['011 44 20 7946 0958', 'US', '+442079460958', 'GB'],
  ['+44 7911 123456', 'US', '+447911123456', 'GG'], // +44 7911 is a Guernsey range
  // DE
  ['030 123456', 'DE', '+4930123456', 'DE'],
  ['030 12345678', 'DE', '+493012345678', 'DE'],
  ['+49 (0)89 12345678', 'DE', '+498912345678', 'DE'],
  ['0151 23456789', 'DE', '+4915123456789', 'DE'],
  ['+49 171 2345678', 'US', '+491712345678', 'DE'],
  ['0049 40 1234567', 'GB', '+49401234567', 'DE'],
  ['069 / 123 456 78', 'DE', '+496912345678', 'DE'],
  // FR
  ['01 23 45 67 89', 'FR', '+33123456789', 'FR'],
  ['06 12 34 56 78', 'FR', '+33612345678', 'FR'],
  ['+33 (0)1 42 68 53 00', 'FR', '+33142685300', 'FR'],
  ['0033 4 91 12 34 56', 'DE', '+33491123456', 'FR'],
  ['+33 7 81 23 45 67', 'US', '+33781234567', 'FR'],
  // CN
  ['010 1234 5678', 'CN', '+861012345678', 'CN'],
  ['021-6123-4567', 'CN', '+862161234567', 'CN'],
  ['138 0013 8000', 'CN', '+8613800138000', 'CN'],
  ['0755 8888 8888', 'CN', '+8675588888888', 'CN'],
  ['+86 139 1234 5678', 'US', '+8613912345678', 'CN'],
  ['00 86 10 1234 5678', 'US', '+861012345678', 'CN'],
  // IN
  ['+91 98765 43210', 'IN', '+919876543210', 'IN'],
  ['098765 43210', 'IN', '+919876543210', 'IN'],
  ['022 2345 6789', 'IN', '+912223456789', 'IN'],
  ['011 2345 6789', 'IN', '+911123456789', 'IN'], // Delhi's 011 is a trunk code in India, not an IDD
  ['+91 11 2345 6789', 'US', '+911123456789', 'IN'],
  // JP
  ['03-1234-5678', 'JP', '+81312345678', 'JP'],
  ['090-1234-5678', 'JP', '+819012345678', 'JP'],
  ['+81 6-6123-4567', 'US', '+81661234567', 'JP'],
  ['010 81 3 1234 5678', 'JP', '+81312345678', 'JP'], // Japan's own IDD 010
  // AU
  ['(02) 9374 4000', 'AU', '+61293744000', 'AU'],
  ['0412 345 678', 'AU', '+61412345678', 'AU'],
  ['04 1234 5678', 'AU', '+61412345678', 'AU'],
  ['+61 3 9123 4567', 'US', '+61391234567', 'AU'],
  ['0011 61 2 9374 4000', 'AU', '+61293744000', 'AU'],
  // BR
  ['(11) 91234-5678', 'BR', '+5511912345678', 'BR'],
  ['(61) 3123-4567', 'BR', '+556131234567', 'BR'],
  ['+55 21 2345-6789', 'US', '+552123456789', 'BR'],
  ['011 55 11 3123 4567', 'US', '+551131234567', 'BR'],
  ['0015 44 20 7946 0958', 'BR', '+442079460958', 'GB'], // Brazilian carrier-select IDD
  // MX
  ['55 1234 5678', 'MX', '+525512345678', 'MX'],
  ['81 8123 4567', 'MX', '+528181234567', 'MX'],
  ['+52 33 1234 5678', 'US', '+523312345678', 'MX'],
  // ES
  ['912 34 56 78', 'ES', '+34912345678', 'ES'],
  ['+34 612 34 56 78', 'GB', '+34612345678', 'ES'],
  ['0034 93 123 45 67', 'FR', '+34931234567', 'ES'],
  // IT (the leading 0 is part of an Italian fixed-line number)
  ['06 1234 5678', 'IT', '+390612345678', 'IT'],
  ['+39 02 1234 5678', 'US', '+390212345678', 'IT'],
  ['+39 312 345 6789', 'DE', '+393123456789', 'IT'],
  ['0039 06 6982', 'DE', '+39066982', 'VA'], // Vatican switchboard, inside the Rome range
  // NL
  ['020 123 4567', 'NL', '+31201234567', 'NL'],
  ['06 12345678', 'NL', '+31612345678', 'NL'],
  ['+31 (0)10 123 4567', 'US', '+31101234567', 'NL'],
  // HK
  ['2123 4567', 'HK', '+85221234567', 'HK'],
  ['+852 9123 4567', 'US', '+85291234567', 'HK'],
  ['+852 5123 4567', 'GB', '+85251234567', 'HK'],
  // SG
  ['6123 4567', 'SG', '+6561234567', 'SG'],
  ['+65 9123 4567', 'US', '+6591234567', 'SG'],
  ['+65 8123 4567', 'AU', '+6581234567', 'SG'],
  // elsewhere
  ['+353 1 234 5678', 'US', '+35312345678', 'IE'],
  ['+27 21 123 4567', 'GB', '+27211234567', 'ZA'],
  ['+82 2-312-3456', 'US', '+8223123456', 'KR'],
  ['+7 495 123-45-67', 'DE', '+74951234567', 'RU'],
  ['+41 44 668 18 00', 'DE', '+41446681800', 'CH'],
  ['+46 8 123 456 78', 'US', '+46812345678', 'SE'],
  ['+64 9 379 4000', 'AU', '+6493794000', 'NZ'],
  ['+971 4 312 3456', 'GB', '+97143123456', 'AE'],
];

const lastDigits = (s: string, n = 9) => s.replace(/\D/g, '').slice(-n);

describe('normalisePhone: real-world numbers', () => {
  it('covers enough inputs and countries', () => {
    expect(REAL_WORLD.length).toBeGreaterThanOrEqual(60);
    expect(new Set(REAL_WORLD.map((r) => r[3])).size).toBeGreaterThanOrEqual(10);
  });

  it.each(REAL_WORLD)('%s (default %s) → %s', (input, defaultCountry, e164, country) => {
    const n = normalisePhone(input, defaultCountry);
    expect(n).not.toBeNull();
    expect(n?.e164).toBe(e164);
    expect(n?.country).toBe(country);
    expect(n?.extension).toBeNull();
    // The tail is the end of the national significant number: a suffix of the E.164, at most 9 long.
    expect(n?.tail.length).toBeGreaterThan(0);
    expect(n?.tail.length).toBeLessThanOrEqual(9);
    expect(e164.endsWith(n?.tail ?? 'x')).toBe(true);
    // Digits are kept as typed, international prefix included.
    expect(n?.digits).toBe(input.replace(/\D/g, ''));
  });
});

describe('normalisePhone: trunk prefix and short national numbers', () => {
  it.each([
    ['020 7946 0958', 'GB', '+442079460958', '079460958'],
    ['030 123456', 'DE', '+4930123456', '30123456'], // NSN shorter than 9: the whole NSN, no trunk 0
    ['01 23 45 67 89', 'FR', '+33123456789', '123456789'],
    ['010 1234 5678', 'CN', '+861012345678', '012345678'],
  ])('%s (%s)', (input, country, e164, tail) => {
    expect(normalisePhone(input, country)).toMatchObject({ e164, tail });
  });
});

describe('normalisePhone: same number, many formats', () => {
  it.each([
    ['US', ['(415) 555-0123', '+1 415.555.0123', '1-415-555-0123', 'tel:+1-415-555-0123', 'sip:+14155550123@10.0.0.1;user=phone', '011 1 415 555 0123', '４１５５５５０１２３']],
    ['GB', ['020 7946 0958', '+44 20 7946 0958', '+44 (0)20 7946 0958', '0044 20 7946 0958', 'tel:+44-20-7946-0958', '٠٢٠ ٧٩٤٦ ٠٩٥٨']],
    ['DE', ['030 123456', '+49 30 123456', '0049 (0)30 / 12 34 56', '+49-30-123456', 'sips:+4930123456@sbc.example.de']],
  ])('%s', (country, formats) => {
    const results = formats.map((f) => normalisePhone(f, country));
    const first = results[0];
    expect(first?.e164).toMatch(/^\+\d+$/);
    for (const r of results) {
      expect(r?.e164).toBe(first?.e164);
      expect(r?.tail).toBe(first?.tail);
    }
  });

  it('matches across default countries when written internationally', () => {
    const keys = ['US', 'GB', 'DE', 'CN', 'JP'].map((c) => normalisePhone('+44 20 7946 0958', c)?.e164);
    expect(new Set(keys)).toEqual(new Set(['+442079460958']));
  });
});

describe('normalisePhone: invalid numbers fall back on the tail', () => {
  it.each([
    ['07700 900461', 'GB'], // Ofcom drama range: possible but not valid
    ['+44 7700 900123', 'US'],
    ['555-0123', 'US'], // no area code
    ['0044 20 7946 09', 'US'], // one digit short
    ['12345', 'DE'],
    ['+1 415 555 01234567', 'US'],
    ['+52 1 55 1234 5678', 'MX'], // old Mexican mobile "1", no longer valid in the metadata
    ['415 555 0123', 'GB'], // right number, wrong default country
    ['+999 1234 5678', 'US'], // unassigned country code
  ])('%s (%s)', (input, country) => {
    const n = normalisePhone(input, country);
    expect(n).not.toBeNull();
    expect(n?.e164).toBeNull();
    expect(n?.country).toBeNull();
    expect(n?.tail).toBe(lastDigits(input));
  });

  it('still matches the valid form of the same number by tail', () => {
    const old = normalisePhone('+52 1 55 1234 5678', 'MX');
    const now = normalisePhone('+52 55 1234 5678', 'MX');
    expect(now?.e164).toBe('+525512345678');
    expect(old?.tail).toBe(now?.tail);
  });

  it('keeps vanity letters out of the digits', () => {
    const n = normalisePhone('1-800-FLOWERS', 'US');
    expect(n?.digits).toBe('1800');
    expect(n?.e164).toBeNull();
    expect(n?.tail).toBe('1800');
  });
});

describe('normalisePhone: no digits at all', () => {
  it.each(['', ' ', '\u00a0\t\n ', 'anonymous', 'Anonymous', 'unknown', 'Restricted', 'sip:anonymous@anonymous.invalid', 'sip:alice@10.0.0.1', 'tel:', '+', '---', 'x'.repeat(1024)])(
    '%j → null',
    (input) => {
      expect(normalisePhone(input, 'US')).toBeNull();
    },
  );
});

describe('normalisePhone: long and hostile input', () => {
  it('handles 1 kB inputs quickly without throwing', () => {
    const inputs = [
      '9'.repeat(1024),
      `+1 415 555 0123 ${'x'.repeat(1024)}`,
      `${' '.repeat(1024)}+1 415 555 0123`,
      '+1 415 555 0123; '.repeat(64),
      '(\u0660'.repeat(512),
      'ext.'.repeat(256),
      '%'.repeat(1024),
      `tel:${'%ZZ'.repeat(400)}`,
      `sip:${'1;'.repeat(512)}@host`,
    ];
    const started = performance.now();
    for (let i = 0; i < 20; i++) for (const input of inputs) normalisePhone(input, 'US');
    expect(performance.now() - started).toBeLessThan(2000);

    const nines = normalisePhone('9'.repeat(1024), 'US');
    expect(nines).toMatchObject({ e164: null, tail: '999999999' });
    expect(nines?.digits.length).toBeLessThanOrEqual(32);
    expect(normalisePhone(`+1 415 555 0123 ${'x'.repeat(1024)}`, 'US')?.e164).toBe('+14155550123');
    expect(normalisePhone(`${' '.repeat(1024)}+1 415 555 0123`, 'US')?.e164).toBe('+14155550123');
  });

  it('never throws on an unknown or lower-case default country', () => {
    expect(normalisePhone('(415) 555-0123', 'us')?.e164).toBe('+14155550123');
    expect(normalisePhone('(415) 555-0123', 'XX')).toMatchObject({ e164: null, tail: '155550123' });
    expect(normalisePhone('+44 20 7946 0958', '')?.e164).toBe('+442079460958');
  });

  it('ignores leading/trailing junk, NBSP, odd whitespace and bidi marks', () => {
    for (const input of [
      'Mobile: +44 20 7946 0958 (home)',
      '\u00a0+44\u00a020\u00a07946\u00a00958\u00a0',
      '\t+44\u2007020\u202f7946\u20090958\n',
      '\u200e+44 20 7946 0958\u200f',
      'Tel: +44 20 7946 0958',
    ]) {
      expect(normalisePhone(input, 'US')?.e164, input).toBe('+442079460958');
    }
  });
});

describe('normalisePhone: Unicode digits', () => {
  it.each([
    ['４１５ ５５５ ０１２３', 'US', '+14155550123'], // full-width
    ['＋４４ ２０ ７９４６ ０９５８', 'US', '+442079460958'], // full-width plus too
    ['٤١٥٥٥٥٠١٢٣', 'US', '+14155550123'], // Arabic-Indic
    ['+٩٧١ ٤ ٣١٢ ٣٤٥٦', 'US', '+97143123456'],
    ['۰۲۰ ۷۹۴۶ ۰۹۵۸', 'GB', '+442079460958'], // Extended Arabic-Indic (Persian/Urdu)
    ['०२० ७९४६ ०९५८', 'GB', '+442079460958'], // Devanagari
    ['০২০ ৭৯৪৬ ০৯৫৮', 'GB', '+442079460958'], // Bengali
    ['๐๒๐ ๗๙๔๖ ๐๙๕๘', 'GB', '+442079460958'], // Thai
    ['\u{1D7D2}\u{1D7CF}\u{1D7D3} 555 0123', 'US', '+14155550123'], // mathematical bold, in adjacent runs of ten
  ])('%s', (input, country, e164) => {
    const n = normalisePhone(input, country);
    expect(n?.e164).toBe(e164);
    expect(n?.digits).toMatch(/^[0-9]+$/);
  });
});

describe('normalisePhone: extensions', () => {
  it.each([
    ['(415) 555-0123 x123', 'US', '123'],
    ['415-555-0123 ext. 45', 'US', '45'],
    ['415-555-0123 ext 45', 'US', '45'],
    ['415-555-0123 extension 45', 'US', '45'],
    ['415-555-0123 #45', 'US', '45'],
    ['+14155550123;ext=12', 'US', '12'],
    ['+44 20 7946 0958 x 12', 'US', '12'],
  ])('%s', (input, country, ext) => {
    const n = normalisePhone(input, country);
    expect(n?.extension).toBe(ext);
    expect(n?.e164).toMatch(/^\+(14155550123|442079460958)$/);
    // The extension is not part of the number: not in the digits, not in the tail.
    expect(['4155550123', '14155550123', '442079460958']).toContain(n?.digits);
    expect(n?.e164?.endsWith(n.tail)).toBe(true);
  });
});

describe('normalisePhone: tel: and sip: URIs', () => {
  it.each([
    ['tel:+1-415-555-0123', 'US', '+14155550123', null],
    ['tel:+1-415-555-0123;ext=7', 'US', '+14155550123', '7'],
    ['tel:+1-415-555-0123;ext=7;phone-context=example.com', 'GB', '+14155550123', '7'],
    ['tel:+44-20-7946-0958;isub=1234;ext=9', 'US', '+442079460958', '9'],
    ['tel:7946-0958;phone-context=+44-20', 'US', '+442079460958', null],
    ['<tel:+1-415-555-0123>', 'US', '+14155550123', null],
    ['sip:+14155550123@host;user=phone', 'US', '+14155550123', null],
    ['sip:4155550123@10.0.0.1', 'US', '+14155550123', null],
    ['sip:+14155550123;ext=22@host', 'US', '+14155550123', '22'],
    ['sip:+1-212-555-1212:1234@gateway.com;user=phone', 'US', '+12125551212', null], // :1234 is a password
    ['sips:+442079460958@sbc.example.com:5061;transport=tls', 'US', '+442079460958', null],
    ['SIP:+33142685300@192.0.2.10', 'US', '+33142685300', null],
    ['"Reception 2" <sip:%2B4930123456@192.0.2.7:5060>;tag=a73kszlfl', 'US', '+4930123456', null],
  ])('%s', (input, country, e164, extension) => {
    expect(normalisePhone(input, country)).toMatchObject({ e164, extension });
  });

  it('takes no digits from the SIP host or the display name', () => {
    expect(normalisePhone('"Desk 12" <sip:+14155550123@10.20.30.40:5060>', 'US')?.digits).toBe('14155550123');
  });
});

describe('maskPhone', () => {
  const visibleDigits = (masked: string) => masked.replace(/[^0-9]/g, '');

  it.each([
    ['+14155550123', '+1********23'],
    ['+442079460958', '+44********58'],
    ['+85221234567', '+852******67'],
    ['+14155550123;ext=12', '+1********23'],
    ['tel:+1-415-555-0123;ext=7', '+1********23'],
    ['0044 20 7946 0958', '+44********58'],
    ['(415) 555-0123', '********23'], // no country code written: none shown or assumed
    ['123456', '****56'],
    ['12345', '*****'], // too short to reveal anything
    ['anonymous', '***'],
    ['', '***'],
  ])('%s → %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it.each(REAL_WORLD.map((r) => r[2]))('reveals only the country code and last 2 digits of %s', (e164) => {
    const cc = parsePhoneNumberFromString(e164)?.countryCallingCode ?? '?';
    const hidden = e164.length - 1 - cc.length - 2;
    expect(maskPhone(e164)).toBe(`+${cc}${'*'.repeat(hidden)}${e164.slice(-2)}`);
  });

  it('never throws on hostile input', () => {
    for (const input of ['9'.repeat(1024), 'x'.repeat(1024), '%'.repeat(1024), 'sip:@', 'tel:;ext=']) {
      expect(() => maskPhone(input)).not.toThrow();
      expect(visibleDigits(maskPhone(input)).length).toBeLessThanOrEqual(5);
    }
  });
});
