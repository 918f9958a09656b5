// Phone-number normalisation for caller matching. Pure functions, no I/O.
// The `max` metadata is used because `min` only checks lengths, so it accepts numbers in
// unassigned ranges and would give different callers the same wrong-looking "valid" E.164 key.
import { parsePhoneNumberFromString, isSupportedCountry } from 'libphonenumber-js/max';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';

export interface NormalisedPhone {
  /** E.164 ("+14155550123") when the number is a valid number, else null. */
  e164: string | null;
  /** Every digit of the input (after unicode-digit folding, international prefix kept as typed), max 32 chars. */
  digits: string;
  /** Last significant digits used as the fallback match key: the last 9 digits of the national significant number when parseable, else of `digits` (all of them when shorter). Never empty. */
  tail: string;
  extension: string | null;
  /** ISO country of the number when known. */
  country: string | null;
}

// The issue asks for a 256-char cap; libphonenumber silently rejects anything over 250 chars
// (returns undefined), so cap at 250 and let a long-but-real input still parse.
const MAX_INPUT = 250;
const MAX_DIGITS = 32;
const TAIL_LENGTH = 9;

// Unicode guarantees every Nd character sits in a contiguous run of ten, 0 through 9, so a
// digit's value is its distance from the start of its run, modulo 10 (runs can be adjacent,
// e.g. the five mathematical-digit sets U+1D7CE..U+1D7FF).
const ND = /\p{Nd}/u;
function digitValue(ch: string): string {
  let cp = ch.codePointAt(0) ?? 0x30;
  if (cp <= 0x39) return ch;
  let offset = 0;
  while (ND.test(String.fromCodePoint(cp - 1))) {
    cp--;
    offset++;
  }
  return String(offset % 10);
}

/** NFKC (full-width "＋", NBSP, figure spaces), drop invisible format chars (bidi marks pasted
 * from RTL text break parsing), unify whitespace and fold every decimal digit to ASCII. */
function clean(input: string): string {
  return input
    .trim() // before the cap, so padding cannot push the number out of it
    .slice(0, MAX_INPUT)
    .normalize('NFKC')
    .slice(0, MAX_INPUT) // NFKC can expand a single character to 18
    .replace(/\p{Cf}/gu, '')
    .replace(/\s/g, ' ')
    .replace(/\p{Nd}/gu, digitValue);
}

/** For tel:/sip:/sips: URIs only the user part is the number: a SIP host ("@10.0.0.1") must not
 * contribute digits, and libphonenumber returns nothing for a tel: URI whose phone-context is a
 * domain name. Keeps ext=, applies a "+…" phone-context (RFC 3966 local numbers), drops the rest. */
function uriNumber(text: string): string {
  const m = /(?:^|[^a-z])(?:tel|sips?):(.*)$/i.exec(text);
  if (!m) return text;
  let body = (m[1] ?? '').split(/[@>]/)[0] ?? '';
  try {
    body = decodeURIComponent(body); // "%2B1415…" from some SBCs
  } catch {
    // Malformed escape: keep it as it came.
  }
  const [user = '', ...params] = body.split(';');
  let number = user.split(':')[0] ?? ''; // sip:user:password@host
  let ext = '';
  for (const param of params) {
    const [key = '', value = ''] = param.split('=');
    if (/^\s*ext\s*$/i.test(key)) ext = value;
    if (/^\s*phone-context\s*$/i.test(key) && value.trim().startsWith('+') && !number.trim().startsWith('+')) {
      number = value + number;
    }
  }
  return ext ? `${number} ext. ${ext}` : number;
}

function parse(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, country);
  } catch {
    return undefined; // documented not to throw, but a lookup must never fail on a bad number
  }
}

function analyse(input: string, defaultCountry: string | undefined) {
  const text = uriNumber(clean(input));
  const all = text.replace(/\D/g, '');
  if (all === '') return null;
  const upper = defaultCountry?.toUpperCase();
  const country = upper && isSupportedCountry(upper) ? upper : undefined;
  let parsed = parse(text, country);
  const ext = parsed?.ext ?? null;
  // Extension digits are not part of the number: leaving them in would spoil the tail fallback.
  const numberDigits = ext && all.endsWith(ext) && all.length > ext.length ? all.slice(0, -ext.length) : all;
  // libphonenumber only knows the default country's own international prefix (US: 011, AU: 0011),
  // so "0044 20 7946 0958" from the US becomes +1 0044…. "00" is the ITU prefix nearly everywhere
  // and "011" the NANP one; retry with "+" when the number as typed is not valid. A valid national
  // reading always wins, so a domestic number is never reinterpreted.
  if (!parsed?.isValid()) {
    const idd = /^(?:00|011)(?=[1-9])/.exec(numberDigits)?.[0];
    const retry = idd ? parse(`+${numberDigits.slice(idd.length)}${ext ? ` ext. ${ext}` : ''}`, country) : undefined;
    if (retry?.isValid()) parsed = retry;
  }
  return { parsed, numberDigits, ext };
}

/** Returns null when the input holds no digit at all (empty, letters only, "anonymous"). Never throws. */
export function normalisePhone(input: string, defaultCountry: string): NormalisedPhone | null {
  const a = analyse(String(input ?? ''), defaultCountry);
  if (!a) return null;
  const { parsed, numberDigits, ext } = a;
  // Valid only, not merely possible: isPossible() is a length check, and a wrong E.164 is worse
  // than none because it is an exact-match key. Numbers the metadata rejects (new ranges, fictional
  // numbers) still match on `tail`.
  const valid = parsed?.isValid() === true;
  const digits = numberDigits.slice(0, MAX_DIGITS);
  const significant = parsed?.nationalNumber || digits;
  return {
    e164: valid && parsed ? parsed.number : null,
    digits,
    tail: significant.slice(-TAIL_LENGTH),
    extension: ext || null,
    // For an invalid number libphonenumber echoes the default country back: an assumption, not knowledge.
    country: (valid && parsed?.country) || null,
  };
}

/** Mask for logs and supervisor views: "+1415*****23" style — keep country code and last 2 digits. */
export function maskPhone(phone: string): string {
  // Only a country code that was actually written ("+44…", "0044…", tel:+…) is shown: no default
  // country, so a national number is never given an assumed one. The area code is masked too.
  const a = analyse(String(phone ?? ''), undefined);
  if (!a) return '***';
  const cc = a.parsed?.countryCallingCode;
  const rest = cc && a.parsed ? a.parsed.nationalNumber : a.numberDigits;
  // Too short to show two digits without giving most of the number away.
  const shown = rest.length >= 6 ? rest.slice(-2) : '';
  return `${cc ? `+${cc}` : ''}${'*'.repeat(rest.length - shown.length)}${shown}`;
}
