import { describe, expect, it } from 'vitest';
import { CallRateLimiter } from './rate-limit.ts';

describe('CallRateLimiter', () => {
  it('lets a trunk place its rate per second and refuses the excess until time passes', () => {
    let now = 0;
    const limiter = new CallRateLimiter(() => now);
    const taken = Array.from({ length: 8 }, () => limiter.take('pbx', 5));
    expect(taken.filter(Boolean)).toHaveLength(5);
    expect(limiter.retryAfter('pbx')).toBe(1);
    now += 200; // one call's worth at 5 per second
    expect(limiter.take('pbx', 5)).toBe(true);
    expect(limiter.take('pbx', 5)).toBe(false);
    now += 10_000;
    expect(Array.from({ length: 6 }, () => limiter.take('pbx', 5)).filter(Boolean)).toHaveLength(5);
  });

  it('keeps trunks apart and never limits a trunk without a cap', () => {
    const limiter = new CallRateLimiter(() => 0);
    expect(limiter.take('a', 1)).toBe(true);
    expect(limiter.take('a', 1)).toBe(false);
    expect(limiter.take('b', 1)).toBe(true);
    expect(Array.from({ length: 1000 }, () => limiter.take('c', null)).every(Boolean)).toBe(true);
  });

  it('starts afresh when the cap changes', () => {
    const limiter = new CallRateLimiter(() => 0);
    expect(limiter.take('a', 1)).toBe(true);
    expect(limiter.take('a', 1)).toBe(false);
    expect(limiter.take('a', 3)).toBe(true);
  });
});
