import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers every delivery carries (lower-case, as node:http shows them to a receiver). */
export const SIGNATURE_HEADER = 'x-screenpop-signature';
export const EVENT_HEADER = 'x-screenpop-event';
export const DELIVERY_HEADER = 'x-screenpop-delivery';

/** A receiver's default window for the signed timestamp: replays older (or further ahead) than this are refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The timestamp is inside the MAC so a
 * captured delivery cannot be replayed later with a fresh one.
 */
export function signatureHeader(secret: string, body: string | Buffer, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

export interface DeliveryToSign {
  secret: string;
  /** Outbox id: the same for every attempt, so receivers can drop a delivery they already took. */
  deliveryId: number;
  event: string;
  /** The exact bytes sent. */
  body: string;
  /** Milliseconds since the epoch. */
  now: number;
}

/** The screenpop headers of one delivery attempt. */
export function deliveryHeaders(d: DeliveryToSign): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: signatureHeader(d.secret, d.body, Math.floor(d.now / 1000)),
    [EVENT_HEADER]: d.event,
    [DELIVERY_HEADER]: String(d.deliveryId),
  };
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver runs on a delivery: `header` is X-Screenpop-Signature, `body` the raw request
 * body (before any JSON parsing), `now` milliseconds since the epoch. Several `v1=` entries are
 * accepted (one per secret while a secret is being rotated); any one matching is enough.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
  now: number = Date.now(),
): VerifyResult {
  if (typeof header !== 'string' || header.length > 1000) return { ok: false, reason: 'malformed' };
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: 'malformed' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed' };
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'malformed' };
      candidates.push(value);
    }
    // Other keys are ignored so a future scheme (v2=) can be sent alongside v1.
  }
  if (timestamp === null || candidates.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Compare every candidate (no early exit) in constant time per candidate.
  let match = false;
  for (const c of candidates) match = timingSafeEqual(expected, Buffer.from(c, 'hex')) || match;
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
