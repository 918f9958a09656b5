import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, deliveryHeaders, signatureHeader, verifySignature } from './webhook-signing.ts';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"at": "2025-01-01T12:00:00.000Z", "data": {"id": "c-1"}, "event": "call.offered"}';
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const T = NOW / 1000;

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256, as a receiver can recompute with any HMAC library', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('carries the event name and the delivery id beside the signature', () => {
    const h = deliveryHeaders({ secret: SECRET, deliveryId: 42, event: 'call.offered', body: BODY, now: NOW + 999 });
    expect(h[EVENT_HEADER]).toBe('call.offered');
    expect(h[DELIVERY_HEADER]).toBe('42');
    expect(h[SIGNATURE_HEADER]).toBe(signatureHeader(SECRET, BODY, T));
  });

  it('accepts a good signature, from a string or the raw bytes, within the tolerance either side', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, 300, NOW)).toEqual({ ok: true, timestamp: T });
    expect(verifySignature(SECRET, header, Buffer.from(BODY), 300, NOW + 299_000).ok).toBe(true);
    expect(verifySignature(SECRET, header, BODY, 300, NOW - 299_000).ok).toBe(true);
  });

  it('refuses a tampered body, even one that parses to the same JSON', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY.replace('c-1', 'c-2'), 300, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, header, JSON.stringify(JSON.parse(BODY)), 300, NOW)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a signature made with another secret', () => {
    const header = signatureHeader('another-secret-0123456789', BODY, T);
    expect(verifySignature(SECRET, header, BODY, 300, NOW)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a timestamp that was changed after signing (it is part of the MAC)', () => {
    const header = signatureHeader(SECRET, BODY, T).replace(`t=${T}`, `t=${T + 60}`);
    expect(verifySignature(SECRET, header, BODY, 300, NOW)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a stale (replayed) or far-future timestamp even when the MAC is right', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, 300, NOW + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(SECRET, header, BODY, 300, NOW - 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(SECRET, header, BODY, 10, NOW + 11_000)).toEqual({ ok: false, reason: 'stale' });
  });

  it('accepts any matching v1 (secret rotation) and ignores schemes it does not know', () => {
    const good = signatureHeader(SECRET, BODY, T).split(',')[1];
    const old = signatureHeader('old-secret-0123456789ab', BODY, T).split(',')[1];
    expect(verifySignature(SECRET, `t=${T},${old},${good},v2=whatever`, BODY, 300, NOW).ok).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no v1', `t=${T}`],
    ['timestamp not a number', `t=soon,v1=${'a'.repeat(64)}`],
    ['two timestamps', `t=${T},t=${T},v1=${'a'.repeat(64)}`],
    ['v1 not hex', `t=${T},v1=${'z'.repeat(64)}`],
    ['v1 too short', `t=${T},v1=abcd`],
    ['part without =', `t=${T},v1`],
    ['absurdly long', `t=${T},v1=${'a'.repeat(64)},${'x=1,'.repeat(500)}`],
  ])('refuses a malformed header (%s) without throwing', (_what, header) => {
    expect(verifySignature(SECRET, header, BODY, 300, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});
