/**
 * A trunk's calls-per-second cap as a token bucket: up to `perSecond` calls each second, with a
 * burst of the same size. Pure, so the in-process live state runs it as is and the Redis one runs
 * the same arithmetic in Lua (redis-scripts.ts) — which is what makes the cap hold for the whole
 * service, not per node, when several nodes sit behind one drachtio-server.
 */
export interface Bucket {
  readonly tokens: number;
  /** ms, when `tokens` was computed. */
  readonly at: number;
  readonly rate: number;
}

export interface Take {
  readonly bucket: Bucket;
  /** 0 when a call was taken; otherwise the seconds until the next one would be (Retry-After, ≥ 1). */
  readonly waitSeconds: number;
}

export function takeCallSlot(bucket: Bucket | undefined, perSecond: number, now: number): Take {
  // A new trunk, or a changed cap, starts with a full bucket.
  const start = !bucket || bucket.rate !== perSecond ? { tokens: perSecond, at: now, rate: perSecond } : bucket;
  const tokens = Math.min(perSecond, start.tokens + (Math.max(0, now - start.at) / 1000) * perSecond);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now, rate: perSecond }, waitSeconds: 0 };
  return { bucket: { tokens, at: now, rate: perSecond }, waitSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
}
