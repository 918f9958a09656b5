import { describe, expect, it } from 'vitest';
import { refillMs, takeToken, type Bucket, type TokenLimit } from './token-bucket.ts';

/** Takes `n` tokens at `now`; how many were given, the last wait, and the bucket after. */
function burst(bucket: Bucket | undefined, limit: TokenLimit, now: number, n: number) {
  let taken = 0;
  let waitSeconds = 0;
  for (let i = 0; i < n; i++) {
    const t = takeToken(bucket, limit, now);
    bucket = t.bucket;
    if (t.waitSeconds === 0) taken++;
    else waitSeconds = t.waitSeconds;
  }
  return { taken, bucket, waitSeconds };
}

describe('takeToken (a token bucket)', () => {
  const perMinute20: TokenLimit = { burst: 20, perSecond: 20 / 60 };

  it('gives a burst, then refuses with the seconds until the next token', () => {
    const first = burst(undefined, perMinute20, 0, 25);
    expect(first.taken).toBe(20);
    expect(first.waitSeconds).toBe(3); // one token every 3 s
    expect(burst(first.bucket, perMinute20, 2_000, 1).taken).toBe(0);
    const later = burst(first.bucket, perMinute20, 3_000, 2);
    expect(later.taken).toBe(1);
    expect(later.waitSeconds).toBe(3);
  });

  it('refills to the burst and no further', () => {
    const { bucket } = burst(undefined, perMinute20, 0, 20);
    expect(burst(bucket, perMinute20, 600_000, 30).taken).toBe(20);
    expect(refillMs(perMinute20)).toBe(60_000);
  });

  it('starts a full bucket when the limit changes', () => {
    const { bucket } = burst(undefined, perMinute20, 0, 20);
    expect(burst(bucket, { burst: 5, perSecond: 20 / 60 }, 0, 6).taken).toBe(5);
  });
});
