/**
 * A token bucket: up to `burst` takes at once, refilled at `perSecond`. Pure, so the in-process
 * live state runs it as is and the Redis one runs the same arithmetic in Lua (redis-scripts.ts) —
 * which is what makes a limit hold for the whole service, not per node. A trunk's calls-per-second
 * cap (LiveState.takeCallSlot: up to its rate each second, a second's burst) and failed sign-ins per address (auth/auth-failure-limit.ts) use it.
 */
export interface TokenLimit {
  /** Takes allowed at once after a quiet spell (the bucket's size). */
  readonly burst: number;
  /** Tokens added back each second, up to `burst`. */
  readonly perSecond: number;
}

export interface Bucket {
  readonly tokens: number;
  /** ms, when `tokens` was computed. */
  readonly at: number;
  /** The limit the bucket was filled under; a changed limit starts a full bucket. */
  readonly limit: TokenLimit;
}

export interface Take {
  readonly bucket: Bucket;
  /** 0 when a token was taken; otherwise the seconds until the next one would be (Retry-After, ≥ 1). */
  readonly waitSeconds: number;
}

export function takeToken(bucket: Bucket | undefined, limit: TokenLimit, now: number): Take {
  const { burst, perSecond } = limit;
  const same = bucket && bucket.limit.burst === burst && bucket.limit.perSecond === perSecond;
  const start = same ? bucket : { tokens: burst, at: now, limit };
  const tokens = Math.min(burst, start.tokens + (Math.max(0, now - start.at) / 1000) * perSecond);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now, limit }, waitSeconds: 0 };
  return { bucket: { tokens, at: now, limit }, waitSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
}

/** ms after which a bucket left alone is full again, i.e. no different from none: it can be forgotten. */
export function refillMs(limit: TokenLimit): number {
  return Math.ceil((limit.burst / limit.perSecond) * 1000);
}
