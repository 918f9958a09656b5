import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challenge, ha1, parseAuthorization, trunkNonceSigner, verifyDigest, type NonceSigner } from './digest-auth.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const signer: NonceSigner = { secret: Buffer.from('0123456789abcdef0123456789abcdef'), ttlMs: 300_000 };
const trunk = { username: 'pbx1', realm: 'screenpop', ha1: ha1('pbx1', 'screenpop', 's3cret') };
const NOW = 1_700_000_000_000;

/** What a SIP phone sends back for a challenge (qop=auth). */
function answer(chal: string, opts: { password?: string; method?: string; uri?: string; username?: string } = {}) {
  const nonce = /nonce="([^"]+)"/.exec(chal)![1]!;
  const username = opts.username ?? 'pbx1';
  const uri = opts.uri ?? 'sip:8005550100@127.0.0.1';
  const h1 = md5(`${username}:screenpop:${opts.password ?? 's3cret'}`);
  const h2 = md5(`${opts.method ?? 'INVITE'}:${uri}`);
  const response = md5(`${h1}:${nonce}:00000001:abc123:auth:${h2}`);
  return `Digest username="${username}", realm="screenpop", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, cnonce="abc123", qop=auth, nc=00000001`;
}

describe('digest authentication', () => {
  it('computes HA1 like RFC 2617', () => {
    expect(ha1('Mufasa', 'testrealm@host.com', 'Circle Of Life')).toBe('939e7578ed9e3c518a452acee763bce9');
  });

  it('accepts the right password and refuses a wrong one, another user or another method', () => {
    const chal = challenge(signer, 'screenpop', NOW);
    expect(chal).toMatch(/^Digest realm="screenpop", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    const check = (authorization: string, method = 'INVITE') => verifyDigest(signer, trunk, { method, authorization }, NOW + 1000);
    expect(check(answer(chal))).toEqual({ ok: true });
    expect(check(answer(chal, { password: 'wrong' }))).toMatchObject({ ok: false, reason: 'response' });
    expect(check(answer(chal, { username: 'other' }))).toMatchObject({ ok: false, reason: 'user' });
    expect(check(answer(chal), 'OPTIONS')).toMatchObject({ ok: false, reason: 'response' });
  });

  it('accepts the old form without qop', () => {
    const nonce = /nonce="([^"]+)"/.exec(challenge(signer, 'screenpop', NOW))![1]!;
    const uri = 'sip:1@h';
    const response = md5(`${trunk.ha1}:${nonce}:${md5(`INVITE:${uri}`)}`);
    const auth = `Digest username="pbx1",realm="screenpop",nonce="${nonce}",uri="${uri}",response="${response}"`;
    expect(verifyDigest(signer, trunk, { method: 'INVITE', authorization: auth }, NOW)).toEqual({ ok: true });
  });

  it('never accepts a forged or expired nonce, and asks for a fresh one (stale) rather than refusing', () => {
    const forged = answer('nonce="lq2x0.AAAAAAAAAAAAAAAAAAAAAA"');
    expect(verifyDigest(signer, trunk, { method: 'INVITE', authorization: forged }, NOW)).toMatchObject({ ok: false, reason: 'nonce', stale: true });
    const old = answer(challenge(signer, 'screenpop', NOW));
    expect(verifyDigest(signer, trunk, { method: 'INVITE', authorization: old }, NOW + 301_000)).toMatchObject({ ok: false, stale: true });
  });

  it("accepts a nonce another node issued for the same trunk, not one issued for another trunk", () => {
    const nodeA = trunkNonceSigner(trunk.ha1, 300_000);
    const nodeB = trunkNonceSigner(trunk.ha1, 300_000);
    const fromA = answer(challenge(nodeA, 'screenpop', NOW));
    expect(verifyDigest(nodeB, trunk, { method: 'INVITE', authorization: fromA }, NOW + 1000)).toEqual({ ok: true });
    const otherTrunk = trunkNonceSigner(ha1('pbx2', 'screenpop', 'other'), 300_000);
    const fromOther = answer(challenge(otherTrunk, 'screenpop', NOW));
    expect(verifyDigest(nodeB, trunk, { method: 'INVITE', authorization: fromOther }, NOW + 1000)).toMatchObject({ ok: false, reason: 'nonce' });
    // The same after the trunk's password changed: the old nonce is not ours any more, so the PBX is challenged again.
    const newPassword = { ...trunk, ha1: ha1('pbx1', 'screenpop', 'changed') };
    const beforeChange = answer(challenge(nodeA, 'screenpop', NOW), { password: 'changed' });
    expect(verifyDigest(trunkNonceSigner(newPassword.ha1, 300_000), newPassword, { method: 'INVITE', authorization: beforeChange }, NOW + 1000)).toMatchObject({ ok: false, stale: true });
  });

  it('treats missing and malformed credentials as such', () => {
    expect(verifyDigest(signer, trunk, { method: 'INVITE', authorization: undefined }, NOW)).toMatchObject({ reason: 'missing' });
    for (const bad of ['Basic abc', 'Digest', 'Digest username="x"', 'Digest ' + 'a'.repeat(5000), 'Digest username="pbx1", nonce="x", uri="u", response="r", algorithm=SHA-512']) {
      expect(verifyDigest(signer, trunk, { method: 'INVITE', authorization: bad }, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('parses quoted values with commas and escapes', () => {
    expect({ ...parseAuthorization('Digest username="a\\"b", uri="sip:x@y;a=b,c", qop=auth') }).toEqual({ username: 'a"b', uri: 'sip:x@y;a=b,c', qop: 'auth' });
  });
});
