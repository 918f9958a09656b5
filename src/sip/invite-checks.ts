// Checks on an INVITE before it becomes a call: pure functions that name the SIP response.

export type Check<T> = { ok: true; value: T } | { ok: false; status: number; why: string; headers?: Record<string, string> };

const MAX_URI = 1024;

/**
 * The dialled number from the Request-URI user part. Visual separators are allowed ("800-555-0100",
 * "+1.800.555.0100"); letters are not (484 Address Incomplete). No user part (sip:host) is no number:
 * the call goes to the default queue.
 */
export function dialledFromUri(uri: string): Check<string | null> {
  if (uri.length > MAX_URI) return { ok: false, status: 414, why: 'Request-URI too long' };
  const m = /^<?\s*(sips?|tel):([^>]*)>?\s*$/i.exec(uri);
  if (!m) return { ok: false, status: 416, why: 'Request-URI scheme is not sip, sips or tel' };
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  let user: string;
  if (scheme === 'tel') {
    user = rest.split(';')[0] ?? '';
  } else {
    const at = rest.lastIndexOf('@');
    if (at < 0) return { ok: true, value: null };
    user = (rest.slice(0, at).split(';')[0] ?? '').split(':')[0] ?? '';
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(user);
  } catch {
    return { ok: false, status: 400, why: 'Request-URI user part is badly escaped' };
  }
  if (decoded === '') return { ok: true, value: null };
  if (!/^\+?[\d\-.() *#]+$/.test(decoded) || !/\d/.test(decoded)) return { ok: false, status: 484, why: 'dialled number is not a number' };
  const digits = decoded.replace(/[\-.() ]/g, '');
  if (digits.length > 32) return { ok: false, status: 484, why: 'dialled number too long' };
  return { ok: true, value: digits };
}

/**
 * The caller's offer: none (late offer: the agent's phone makes the offer and the caller answers
 * in its ACK), or SDP. Another body type is refused with 415, something that is not SDP with 400.
 */
export function offerCheck(body: string, contentType: string | undefined): Check<'sdp' | 'none'> {
  if (!body || body.trim() === '') return { ok: true, value: 'none' };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/sdp') return { ok: false, status: 415, why: 'body is not SDP', headers: { Accept: 'application/sdp' } };
  if (!/^v=0\r?\n/.test(body.trimStart()) || !/^m=/m.test(body)) return { ok: false, status: 400, why: 'malformed SDP' };
  return { ok: true, value: 'sdp' };
}

/**
 * An INVITE must carry one Contact with a SIP URI: it is where the caller's dialog lives. Without
 * it drachtio-srf 5.0.29 fails to create the caller's leg after the agent answered, and sends the
 * 200 anyway; so such an INVITE is refused before it becomes a call.
 */
export function contactCheck(contact: string | undefined): Check<null> {
  const value = (contact ?? '').trim();
  if (value === '') return { ok: false, status: 400, why: 'INVITE without Contact' };
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (unquoted.replace(/<[^>]*>/g, '<>').includes(',')) return { ok: false, status: 400, why: 'INVITE with more than one Contact' };
  const uri = (/<\s*([^>]*)>/.exec(unquoted)?.[1] ?? unquoted.split(';')[0] ?? '').trim();
  if (!/^sips?:(?:[^@\s]*@)?[^@\s;:?]+/i.test(uri)) return { ok: false, status: 400, why: 'INVITE Contact is not a SIP URI' };
  return { ok: true, value: null };
}

/** SIP extensions screenpop supports when a request requires them (Require): none (no 100rel, no session timers). */
export const SUPPORTED_EXTENSIONS: readonly string[] = [];

/** A request that requires an extension screenpop does not support: 420 with Unsupported naming them (RFC 3261 §8.2.2.3). */
export function requireCheck(require: string | undefined): Check<null> {
  const tags = (require ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .slice(0, 32);
  const unsupported = tags.filter((t) => !SUPPORTED_EXTENSIONS.includes(t.toLowerCase()));
  if (unsupported.length === 0) return { ok: true, value: null };
  return { ok: false, status: 420, why: 'requires an unsupported extension', headers: { Unsupported: unsupported.map((t) => t.replace(/[^\w.!%*+`'~-]/g, '')).join(', ') } };
}

/**
 * The caller must accept SDP: the answer (or, for a late offer, the offer) in the 200 is SDP. No
 * Accept means SDP (RFC 3261 §20.1); one that lists no range matching application/sdp (or only
 * with q=0), or is empty, gets 406.
 */
export function acceptCheck(accept: string | undefined): Check<null> {
  if (accept === undefined) return { ok: true, value: null };
  const ranges = accept.split(',').slice(0, 32);
  const takesSdp = ranges.some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => /^q\s*=/.test(p));
    if (q && Number(q.split('=')[1]) === 0) return false;
    return type === 'application/sdp' || type === 'application/*' || type === '*/*';
  });
  return takesSdp ? { ok: true, value: null } : { ok: false, status: 406, why: 'Accept excludes SDP', headers: { Accept: 'application/sdp' } };
}

/** The Request-URI scheme of a request outside a call (OPTIONS): sip, sips or tel, else 416. */
export function schemeCheck(uri: string): Check<null> {
  return /^<?\s*(?:sips?|tel):/i.test(uri) ? { ok: true, value: null } : { ok: false, status: 416, why: 'Request-URI scheme is not sip, sips or tel' };
}
