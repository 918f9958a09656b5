// SIP digest authentication (RFC 3261 §22, RFC 2617, MD5 with qop=auth) for trunks that need it.
// Pure functions; nonces are stateless (a timestamp signed with a key derived from the trunk's
// HA1), so any request can be checked without remembering the challenge — on any node: with
// several screenpop nodes behind one drachtio-server, the INVITE carrying the credentials often
// reaches another node than the one that sent the 401.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** What a trunk stores: never the password, only HA1 = MD5(username:realm:password). */
export function ha1(username: string, realm: string, password: string): string {
  return md5(`${username}:${realm}:${password}`);
}

export interface NonceSigner {
  readonly secret: Buffer;
  /** How long a nonce stays good; after that the peer is told it is stale and retries at once. */
  readonly ttlMs: number;
}

/**
 * The signer for one trunk's nonces: keyed by its HA1, which every node reads from the store and
 * only the trunk's PBX can also compute — a per-node random key would refuse every INVITE whose
 * challenge came from another node.
 */
export function trunkNonceSigner(trunkHa1: string, ttlMs: number): NonceSigner {
  return { secret: createHmac('sha256', 'screenpop-sip-nonce').update(trunkHa1).digest(), ttlMs };
}

function sign(secret: Buffer, stamp: string): string {
  return createHmac('sha256', secret).update(stamp).digest('base64url').slice(0, 22);
}

export function makeNonce(signer: NonceSigner, now: number): string {
  const stamp = now.toString(36);
  return `${stamp}.${sign(signer.secret, stamp)}`;
}

type NonceCheck = 'ok' | 'stale' | 'invalid';

function checkNonce(signer: NonceSigner, nonce: string, now: number): NonceCheck {
  const [stamp = '', mac = '', ...rest] = nonce.split('.');
  if (rest.length || !/^[0-9a-z]{1,12}$/.test(stamp)) return 'invalid';
  const expected = Buffer.from(sign(signer.secret, stamp));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  const at = parseInt(stamp, 36);
  return now - at > signer.ttlMs || at - now > 60_000 ? 'stale' : 'ok';
}

/** The WWW-Authenticate value of a 401 challenge. */
export function challenge(signer: NonceSigner, realm: string, now: number, stale = false): string {
  return `Digest realm="${realm}", nonce="${makeNonce(signer, now)}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
}

/** Parses `Digest k=v, k="v"` into lower-case keys; null when it is not a digest credential. */
export function parseAuthorization(header: string | undefined): Record<string, string> | null {
  if (!header || header.length > 4096) return null;
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m?.[1]) return null;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/giy;
  const text = m[1];
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(text)) !== null) {
    out[(match[1] ?? '').toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    consumed = re.lastIndex;
    while (text[re.lastIndex] === ' ') re.lastIndex++;
  }
  return consumed === 0 ? null : out;
}

export type DigestResult = { ok: true } | { ok: false; stale: boolean; reason: 'missing' | 'malformed' | 'user' | 'realm' | 'nonce' | 'response' };

/**
 * Checks the credentials a request carries against a trunk's username and HA1.
 * `stale` tells the caller to challenge again with stale=true (the peer then retries without asking its user).
 */
export function verifyDigest(
  signer: NonceSigner,
  expected: { username: string; realm: string; ha1: string },
  request: { method: string; authorization: string | undefined },
  now: number,
): DigestResult {
  if (!request.authorization) return { ok: false, stale: false, reason: 'missing' };
  const a = parseAuthorization(request.authorization);
  if (!a || !a.username || !a.nonce || !a.uri || !a.response) return { ok: false, stale: false, reason: 'malformed' };
  if (a.algorithm && a.algorithm.toUpperCase() !== 'MD5') return { ok: false, stale: false, reason: 'malformed' };
  if (a.username !== expected.username) return { ok: false, stale: false, reason: 'user' };
  if (a.realm !== expected.realm) return { ok: false, stale: false, reason: 'realm' };
  const nonce = checkNonce(signer, a.nonce, now);
  // Not one of ours (forged, or issued before the trunk's password changed): challenge afresh, as
  // for a stale one. Wrong credentials then fail on the response, with no loop.
  if (nonce === 'invalid') return { ok: false, stale: true, reason: 'nonce' };
  const ha2 = md5(`${request.method}:${a.uri}`);
  let response: string;
  if (a.qop) {
    if (a.qop.toLowerCase() !== 'auth' || !a.nc || !a.cnonce) return { ok: false, stale: false, reason: 'malformed' };
    response = md5(`${expected.ha1}:${a.nonce}:${a.nc}:${a.cnonce}:${a.qop}:${ha2}`);
  } else {
    response = md5(`${expected.ha1}:${a.nonce}:${ha2}`);
  }
  const given = Buffer.from(a.response.toLowerCase());
  const want = Buffer.from(response);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, stale: false, reason: 'response' };
  // Right password on an old nonce: ask again with a fresh one, marked stale.
  if (nonce === 'stale') return { ok: false, stale: true, reason: 'nonce' };
  return { ok: true };
}
