import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryLiveState } from '../routing/live/memory-live-state.ts';
import { AUTH_FAILURE_LIMIT, AuthFailureLimit, PARALLEL_LOOKUPS, addressKey } from './auth-failure-limit.ts';

const GOOD = 'the-right-key';

/** A limiter on in-process live state with a clock the test moves, and a key check that counts its lookups. */
function setup() {
  let now = 1_000_000;
  const clock = () => now;
  const limit = new AuthFailureLimit(new MemoryLiveState({ now: clock }), { log: pino({ level: 'silent' }), now: clock });
  let lookups = 0;
  const check = async (token: string) => {
    lookups++;
    return token === GOOD ? { id: 'someone' } : null;
  };
  return {
    limit,
    signIn: (address: string, token: string | null) => limit.signIn(address, token, check),
    lookups: () => lookups,
    advance: (ms: number) => void (now += ms),
  };
}

describe('AuthFailureLimit (failed sign-ins per address)', () => {
  it('refuses an address after its burst of failures, without looking at keys, and lets it try again later', async () => {
    const t = setup();
    for (let i = 0; i < AUTH_FAILURE_LIMIT.burst; i++) expect(await t.signIn('198.51.100.7', `wrong-${i}`)).toEqual({ outcome: 'refused' });
    expect(await t.signIn('198.51.100.7', 'wrong-again')).toEqual({ outcome: 'limited', retryAfter: 3 });
    const lookups = t.lookups();
    // While blocked even the right key is refused, and nothing is looked up.
    expect(await t.signIn('198.51.100.7', GOOD)).toEqual({ outcome: 'limited', retryAfter: 3 });
    expect(await t.signIn('198.51.100.7', null)).toEqual({ outcome: 'limited', retryAfter: 3 });
    expect(t.lookups()).toBe(lookups);
    // Other addresses are not affected.
    expect(await t.signIn('198.51.100.8', GOOD)).toMatchObject({ outcome: 'ok' });

    t.advance(1000);
    expect(await t.signIn('198.51.100.7', GOOD)).toEqual({ outcome: 'limited', retryAfter: 2 });
    t.advance(2000);
    expect(await t.signIn('198.51.100.7', GOOD)).toMatchObject({ outcome: 'ok' });
    // One failure's worth refilled in those 3 s, and it was not spent by the right key.
    expect(await t.signIn('198.51.100.7', 'wrong')).toEqual({ outcome: 'refused' });
    expect(await t.signIn('198.51.100.7', 'wrong')).toEqual({ outcome: 'limited', retryAfter: 3 });
  });

  it('does not count requests that send no key at all', async () => {
    const t = setup();
    for (let i = 0; i < 50; i++) expect(await t.signIn('198.51.100.7', null)).toEqual({ outcome: 'missing' });
    for (let i = 0; i < AUTH_FAILURE_LIMIT.burst; i++) expect((await t.signIn('198.51.100.7', 'wrong')).outcome).toBe('refused');
    expect(t.lookups()).toBe(AUTH_FAILURE_LIMIT.burst);
  });

  it('lets a flood of parallel guesses from one address reach the key check about a burst of times, not once each', async () => {
    const t = setup();
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => t.signIn('198.51.100.7', `wrong-${i}`)));
    expect(t.lookups()).toBeGreaterThanOrEqual(AUTH_FAILURE_LIMIT.burst);
    expect(t.lookups()).toBeLessThanOrEqual(AUTH_FAILURE_LIMIT.burst + 2 * PARALLEL_LOOKUPS);
    expect(results.filter((r) => r.outcome === 'refused').length).toBeGreaterThanOrEqual(AUTH_FAILURE_LIMIT.burst);
    expect(results.filter((r) => r.outcome !== 'refused').every((r) => r.outcome === 'limited')).toBe(true);
  });

  it('lets a rush of right keys from one address all in, a few lookups at a time', async () => {
    const limit = new AuthFailureLimit(new MemoryLiveState(), { log: pino({ level: 'silent' }) });
    let running = 0;
    let most = 0;
    const slowCheck = async (token: string) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
      return token === GOOD ? 'someone' : null;
    };
    const results = await Promise.all(Array.from({ length: 200 }, () => limit.signIn('198.51.100.7', GOOD, slowCheck)));
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    expect(most).toBe(PARALLEL_LOOKUPS);
  });

  it('lets failures through as plain refusals when they cannot be counted', async () => {
    const limit = new AuthFailureLimit(
      {
        takeToken: () => Promise.reject(new Error('Redis is gone')),
      },
      { log: pino({ level: 'silent' }) },
    );
    for (let i = 0; i < 50; i++) expect(await limit.signIn('198.51.100.7', 'wrong', async () => null)).toEqual({ outcome: 'refused' });
    expect(await limit.signIn('198.51.100.7', GOOD, async () => 'someone')).toEqual({ outcome: 'ok', actor: 'someone' });
  });

  it('counts IPv4 as is and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::203.0.113.9')).toBe('0:0:0:0::/64');
    expect(addressKey('not an address')).toBe('not an address');
  });
});
