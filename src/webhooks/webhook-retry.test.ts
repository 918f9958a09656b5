import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, afterFailure, retryDelayMs, type RetryPolicy } from './webhook-retry.ts';

const HOUR = 3_600_000;
const POLICY: RetryPolicy = { ...DEFAULT_RETRY, maxAgeMs: 72 * HOUR };

/** The times (ms after the event) of every attempt while the receiver is down from 0 to `downForMs`. */
function attemptsDuringOutage(downForMs: number, random: () => number): number[] {
  const times = [0];
  for (let failures = 1; ; failures++) {
    const decision = afterFailure(failures, times.at(-1)!, POLICY, random());
    if ('giveUp' in decision) throw new Error('gave up during the outage');
    const next = times.at(-1)! + decision.retryInMs;
    times.push(next);
    if (next >= downForMs) return times;
  }
}

describe('webhook retry schedule', () => {
  it.each([
    ['no jitter (longest waits)', () => 0.999999],
    ['shortest waits', () => 0],
    ['random jitter', Math.random],
  ])('keeps trying through an hour-long outage, never more than 5 minutes apart (%s)', (_what, random) => {
    const times = attemptsDuringOutage(HOUR, random);
    const inTheHour = times.filter((t) => t < HOUR);
    expect(inTheHour.length).toBeGreaterThanOrEqual(12);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5 * 60_000);
    // The receiver back at the hour's end gets the delivery within one capped wait.
    expect(times.at(-1)! - HOUR).toBeLessThanOrEqual(5 * 60_000);
  });

  it('starts quickly (a blip costs seconds, not minutes) and doubles up to the cap', () => {
    const longest = (n: number) => retryDelayMs(n, POLICY, 0.999999);
    expect(longest(1)).toBeLessThanOrEqual(1000);
    expect(longest(2)).toBeLessThanOrEqual(2000);
    expect(longest(3)).toBeLessThanOrEqual(4000);
    expect(longest(9)).toBe(256_000);
    expect(longest(10)).toBe(5 * 60_000);
    expect(longest(1000)).toBe(5 * 60_000);
    expect(retryDelayMs(1, POLICY, 0)).toBe(500);
    expect(retryDelayMs(1000, POLICY, 0)).toBe(150_000);
  });

  it('gives up only once the delivery is older than the max age, however many attempts failed', () => {
    expect(afterFailure(1, 0, POLICY)).toHaveProperty('retryInMs');
    expect(afterFailure(5000, 72 * HOUR - 1, POLICY)).toHaveProperty('retryInMs');
    expect(afterFailure(1, 72 * HOUR, POLICY)).toEqual({ giveUp: true });
    expect(afterFailure(900, 80 * HOUR, POLICY)).toEqual({ giveUp: true });
  });

  it('over a 72-hour outage, keeps trying to the end and then gives up', () => {
    let at = 0;
    let failures = 0;
    for (;;) {
      failures++;
      const d = afterFailure(failures, at, POLICY, Math.random());
      if ('giveUp' in d) break;
      at += d.retryInMs;
    }
    expect(at).toBeGreaterThanOrEqual(72 * HOUR);
    expect(at).toBeLessThan(72 * HOUR + 5 * 60_000);
    expect(failures).toBeGreaterThan(72 * 12);
  });
});
