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
