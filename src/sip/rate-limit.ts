/**
 * A token bucket per trunk: up to `perSecond` calls each second, with a burst of the same size.
 * In-process on each node (several nodes behind one drachtio-server each allow the trunk's rate).
 */
export class CallRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; rate: number }>();
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** Takes one call from the trunk's allowance; false when it is used up for now. */
  take(trunk: string, perSecond: number | null): boolean {
    if (perSecond === null) return true;
    const now = this.now();
    let b = this.buckets.get(trunk);
    if (!b || b.rate !== perSecond) {
      b = { tokens: perSecond, at: now, rate: perSecond };
      this.buckets.set(trunk, b);
    }
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Seconds until the trunk's next call would be accepted (for Retry-After), at least 1. */
  retryAfter(trunk: string): number {
    const b = this.buckets.get(trunk);
    if (!b) return 1;
    return Math.max(1, Math.ceil((1 - b.tokens) / b.rate));
  }

  forget(trunk: string): void {
    this.buckets.delete(trunk);
  }
}
