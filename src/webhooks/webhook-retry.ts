/** When a failed delivery is tried again, and when it is given up. */
export interface RetryPolicy {
  /** Wait after the first failure; doubles with each failure after it. */
  baseMs: number;
  /** No wait is longer than this, so a receiver that comes back gets its deliveries within this long. */
  capMs: number;
  /** A delivery still failing this long after its event is given up (failed_at). */
  maxAgeMs: number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, 'maxAgeMs'> = { baseMs: 1000, capMs: 5 * 60_000 };

export type RetryDecision = { retryInMs: number } | { giveUp: true };

/**
 * The wait before the next try after `failures` failed attempts (1 = the first one failed):
 * exponential, capped, with "equal jitter" (between half and all of the step) so the nodes of a
 * cluster and the deliveries of many receivers do not all knock at the same instant, while the
 * wait never exceeds the cap. `random` is in [0, 1).
 */
export function retryDelayMs(failures: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: number = Math.random()): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(step / 2 + (step / 2) * random);
}

/**
 * After a failed attempt: retry (when) or give up. Age is what matters, not the number of
 * attempts, so a receiver down for an hour loses nothing however often it was tried meanwhile.
 */
export function afterFailure(failures: number, ageMs: number, policy: RetryPolicy, random: number = Math.random()): RetryDecision {
  if (ageMs >= policy.maxAgeMs) return { giveUp: true };
  return { retryInMs: retryDelayMs(failures, policy, random) };
}
