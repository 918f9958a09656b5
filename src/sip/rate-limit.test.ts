import { describe, expect, it } from 'vitest';
import { takeCallSlot, type Bucket } from './rate-limit.ts';

/** Takes `n` calls at `now`; how many were let through, and the bucket after. */
function burst(bucket: Bucket | undefined, perSecond: number, now: number, n: number) {
  let taken = 0;
  let waitSeconds = 0;
  for (let i = 0; i < n; i++) {
    const t = takeCallSlot(bucket, perSecond, now);
    bucket = t.bucket;
    if (t.waitSeconds === 0) taken++;
    else waitSeconds = t.waitSeconds;
  }
  return { taken, bucket, waitSeconds };
}

describe('takeCallSlot (a trunk calls-per-second cap)', () => {
  it('lets a trunk place its rate per second and refuses the excess until time passes', () => {
    const first = burst(undefined, 5, 0, 8);
    expect(first.taken).toBe(5);
    expect(first.waitSeconds).toBe(1);
    const later = burst(first.bucket, 5, 200, 2); // one call's worth at 5 per second
    expect(later.taken).toBe(1);
    expect(burst(later.bucket, 5, 10_200, 6).taken).toBe(5); // never more than a second's burst
  });

  it('starts afresh when the cap changes', () => {
    const { bucket } = burst(undefined, 1, 0, 2);
    expect(takeCallSlot(bucket, 3, 0).waitSeconds).toBe(0);
  });
});
