// Caller identity from SIP INVITE headers (P-Asserted-Identity, Remote-Party-ID, From, Privacy,
// Diversion, History-Info). Pure functions, no I/O; never throws on garbage input.
import { normalisePhone } from '../customers/phone-number.ts';

export interface SipHeaders {
  get(name: string): string | string[] | undefined;
}

export interface CallerIdentity {
  /** Number as received (user part / tel number, escapes resolved), null when withheld, absent or not a phone number. Max 64 chars. */
  number: string | null;
  /** Display name, unquoted and unescaped, trimmed to 100 chars, control chars removed; null if none. */
  displayName: string | null;
  withheld: boolean;
  source: 'p-asserted-identity' | 'remote-party-id' | 'from' | 'none';
  /** Redirecting number from Diversion (first entry) or History-Info (the entry before the last), or null. */
  redirectingNumber: string | null;
  normalised: ReturnType<typeof normalisePhone>;
}

export interface NameAddr {
  displayName: string | null;
  uri: string | null;
  params: Record<string, string>;
}

const MAX_HEADER = 2048;
const MAX_NUMBER = 64;
const MAX_NAME = 100;
const MAX_ENTRIES = 32;
const WITHHELD_USERS = new Set(['anonymous', 'restricted', 'unavailable', 'unknown', 'private']);

/** Bounds parsing work to 2 kB per header value. An over-long value keeps its first and last
 * 1 kB: a 10 kB display name then still ends in its closing quote and <uri>, so the caller's number
 * survives (the name is truncated to 100 chars anyway), and a long list keeps its first and last entries. */
function clip(value: unknown): string {
  if (typeof value !== 'string') return '';
  if (value.length <= MAX_HEADER) return value;
  const half = MAX_HEADER / 2;
  return value.slice(0, half) + value.slice(-half);
}

/** All values of a header: repeated headers and comma-joined values, commas inside quotes or <> kept. */
function headerValues(headers: SipHeaders, name: string): string[] {
  let raw: string | string[] | undefined;
  try {
    raw = headers.get(name);
  } catch {
    return [];
  }
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: string[] = [];
  for (const item of list.slice(0, MAX_ENTRIES)) {
    for (const part of splitCommas(clip(item))) {
      if (out.length >= MAX_ENTRIES) return out;
      if (part.trim() !== '') out.push(part.trim());
    }
  }
  return out;
}

function splitCommas(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] ?? '';
    if (inQuote) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) {
        current += value[++i] ?? '';
      } else if (ch === '"') {
        inQuote = false;
      }
      continue;
    }
    if (ch === '"' && !inAngle) inQuote = true;
    else if (ch === '<') inAngle = true;
    else if (ch === '>') inAngle = false;
    else if (ch === ',' && !inAngle) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

function cleanName(name: string): string | null {
  const cleaned = name.replace(/\p{Cc}/gu, '').trim();
  if (cleaned === '') return null;
  const chars = Array.from(cleaned); // code points, so a surrogate pair is never split
  const cut = chars.length > MAX_NAME ? chars.slice(0, MAX_NAME).join('').trim() : cleaned;
  return cut === '' ? null : cut;
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const piece of text.split(';').slice(0, MAX_ENTRIES)) {
    const eq = piece.indexOf('=');
    const key = (eq < 0 ? piece : piece.slice(0, eq)).trim().toLowerCase();
    if (key === '') continue;
    let value = eq < 0 ? '' : piece.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params[key] = value;
  }
  return params;
}

/** Parses one name-addr/addr-spec ("\"Ada\" <sip:+1415...@host>;tag=x", "<tel:+1...>", "sip:x@y") — exported for tests.
 * Returns null for anything that is not a name-addr or a sip:/sips:/tel: addr-spec. */
export function parseNameAddr(value: string): NameAddr | null {
  const text = clip(value).trim();
  if (text === '') return null;
  let displayName: string | null = null;
  let rest = text;
  if (text.startsWith('"')) {
    let name = '';
    let i = 1;
    let closed = false;
    for (; i < text.length; i++) {
      const ch = text[i] ?? '';
      if (ch === '\\' && i + 1 < text.length) {
        name += text[++i] ?? '';
      } else if (ch === '"') {
        closed = true;
        break;
      } else {
        name += ch;
      }
    }
    if (!closed) return null;
    displayName = cleanName(name);
    rest = text.slice(i + 1).trim();
    if (!rest.startsWith('<')) return null;
  }
  const lt = rest.indexOf('<');
  if (lt >= 0) {
    const gt = rest.indexOf('>', lt + 1);
    if (gt < 0) return null;
    if (lt > 0) {
      const token = rest.slice(0, lt);
      if (token.includes('"') || token.includes('>')) return null;
      displayName = cleanName(token);
    }
    const uri = rest.slice(lt + 1, gt).trim();
    if (uri === '' || uri.includes('<')) return null;
    const after = rest.slice(gt + 1).trim();
    if (after !== '' && !after.startsWith(';')) return null;
    return { displayName, uri, params: parseParams(after.slice(1)) };
  }
  // addr-spec: no display name; ";params" after it are header parameters (RFC 3261 §20.10).
  if (!/^(?:sips?|tel):/i.test(rest)) return null;
  const isTel = /^tel:/i.test(rest);
  if (isTel) {
    // tel: parameters (phone-context, ext) belong to the URI itself.
    return { displayName: null, uri: rest, params: {} };
  }
  const semi = rest.indexOf(';');
  const uri = semi < 0 ? rest : rest.slice(0, semi);
  return { displayName: null, uri: uri.trim(), params: semi < 0 ? {} : parseParams(rest.slice(semi + 1)) };
}

interface UriUser {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | null;
  host: string;
}

/** User part of a sip:/sips: URI or the number of a tel: URI; null scheme when it is neither. */
function uriUser(uri: string): UriUser | null {
  const m = /^\s*(sips?|tel):(.*)$/i.exec(uri);
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase() as UriUser['scheme'];
  const body = (m[2] ?? '').split('?')[0] ?? '';
  if (scheme === 'tel') {
    const user = (body.split(';')[0] ?? '').trim();
    return { scheme, user: user === '' ? null : user.slice(0, MAX_NUMBER), host: '' };
  }
  const at = body.lastIndexOf('@');
  if (at < 0) return { scheme, user: null, host: (body.split(';')[0] ?? '').trim() };
  const userinfo = body.slice(0, at);
  const host = (body.slice(at + 1).split(/[;:]/)[0] ?? '').trim();
  const user = (userinfo.split(';')[0] ?? '').split(':')[0]?.trim() ?? '';
  return { scheme, user: user === '' ? null : user.slice(0, MAX_NUMBER), host };
}

/**
 * The user part as a phone number, escapes resolved ("%2B1415…" → "+1415…"), or null: digits
 * with an optional leading + and visual separators (RFC 3966) only. A user of escaped words
 * ("I%20have%20spaces", whose escapes hold digits) or letters and digits ("agent7") is no number.
 */
export function phoneUser(user: string | null): string | null {
  if (user === null) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(user);
  } catch {
    return null; // a broken escape is not a number either
  }
  decoded = decoded.trim();
  if (!/^\+?[\p{Nd}\-.() *#]+$/u.test(decoded) || !/\p{Nd}/u.test(decoded)) return null;
  return decoded.slice(0, MAX_NUMBER);
}

function isNumber(text: string | null): boolean {
  return phoneUser(text) !== null;
}

function isWithheldUser(u: UriUser): boolean {
  if (u.host.toLowerCase() === 'anonymous.invalid') return true;
  if (u.user === null) return false;
  let user = u.user;
  try {
    user = decodeURIComponent(user);
  } catch {
    // a broken escape: compare it as it came
  }
  return WITHHELD_USERS.has(user.trim().toLowerCase());
}

interface Candidate {
  addr: NameAddr;
  uri: string;
  user: UriUser;
}

function candidates(values: string[]): Candidate[] {
  const out: Candidate[] = [];
  for (const value of values) {
    const addr = parseNameAddr(value);
    if (!addr?.uri) continue;
    const user = uriUser(addr.uri);
    if (!user) continue;
    out.push({ addr, uri: addr.uri, user });
  }
  return out;
}

/** Privacy: id (RFC 3325) in any repeated/comma/semicolon-separated form. */
function privacyId(headers: SipHeaders): boolean {
  return headerValues(headers, 'Privacy').some((v) =>
    v.split(/[;,\s]+/).some((token) => token.trim().toLowerCase() === 'id'),
  );
}

function numberOf(user: UriUser): string | null {
  return phoneUser(user.user);
}

/** Picks the best PAI: a tel: URI first, then one whose user part is a number, then the first. */
function pickPai(list: Candidate[]): Candidate | undefined {
  return (
    list.find((c) => c.user.scheme === 'tel' && isNumber(c.user.user)) ??
    list.find((c) => isNumber(c.user.user)) ??
    list[0]
  );
}

/** Picks the calling-party RPID, preferring screened (screen=yes) entries. */
function pickRpid(list: Candidate[]): Candidate | undefined {
  const calling = list.filter((c) => {
    const party = c.addr.params['party']?.toLowerCase();
    return party === undefined || party === '' || party === 'calling';
  });
  return calling.find((c) => c.addr.params['screen']?.toLowerCase() === 'yes') ?? calling[0];
}

function redirecting(headers: SipHeaders): string | null {
  const diversion = candidates(headerValues(headers, 'Diversion'))[0];
  if (diversion) return numberOf(diversion.user);
  const history = candidates(headerValues(headers, 'History-Info'));
  const previous = history.length >= 2 ? history[history.length - 2] : undefined;
  return previous ? numberOf(previous.user) : null;
}

export function parseCallerIdentity(headers: SipHeaders, defaultCountry: string): CallerIdentity {
  const redirectingNumber = redirecting(headers);
  const fromList = candidates(headerValues(headers, 'From').slice(0, 1));
  const from = fromList[0];
  const paiList = candidates(headerValues(headers, 'P-Asserted-Identity'));
  const pai = pickPai(paiList);
  const rpid = pai ? undefined : pickRpid(candidates(headerValues(headers, 'Remote-Party-ID')));
  const chosen = pai ?? rpid ?? from;
  const source: CallerIdentity['source'] = pai
    ? 'p-asserted-identity'
    : rpid
      ? 'remote-party-id'
      : from
        ? 'from'
        : 'none';
  if (!chosen) {
    return { number: null, displayName: null, withheld: privacyId(headers), source, redirectingNumber, normalised: null };
  }
  let withheld = privacyId(headers) || isWithheldUser(chosen.user);
  let hideName = false;
  if (rpid && chosen === rpid) {
    const privacy = (rpid.addr.params['privacy'] ?? '').toLowerCase();
    if (privacy === 'full' || privacy === 'uri') withheld = true;
    if (privacy === 'name') hideName = true;
  }
  if (withheld) {
    return { number: null, displayName: null, withheld, source, redirectingNumber, normalised: null };
  }
  const number = numberOf(chosen.user);
  // PAI often carries the name on only one of its entries (sip: + tel:), or none while From has
  // one: fall back to another PAI entry's name, then From's (From is not anonymous here).
  let displayName = hideName ? null : chosen.addr.displayName;
  if (displayName === null && chosen === pai) {
    displayName = paiList.find((c) => c.addr.displayName !== null && !isWithheldUser(c.user))?.addr.displayName ?? null;
  }
  if (displayName === null && !hideName && chosen !== from && from && !isWithheldUser(from.user)) {
    displayName = from.addr.displayName;
  }
  let normalised: CallerIdentity['normalised'] = null;
  if (number !== null) {
    try {
      // The whole URI, so tel: phone-context and ext are applied (and escapes resolved).
      normalised = normalisePhone(chosen.uri, defaultCountry);
    } catch {
      normalised = null;
    }
  }
  return { number, displayName, withheld: false, source, redirectingNumber, normalised };
}

/** Dialled number (DNIS) from a Request-URI like sip:8000@host;user=phone or tel:+1800...
 * Null when the URI is not sip:/sips:/tel: or its user part has no digit. */
export function dialledNumber(requestUri: string): string | null {
  let text = clip(requestUri).trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim();
  const user = uriUser(text);
  return user ? numberOf(user) : null;
}
