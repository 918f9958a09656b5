import { takeToken, type Bucket, type Take } from '../shared/token-bucket.ts';

export type { Bucket, Take };

/**
 * A trunk's calls-per-second cap as a token bucket (shared/token-bucket.ts): up to `perSecond`
 * calls each second, with a burst of the same size. Counted in the shared live state, so the cap
 * holds for the whole service, not per node, when several nodes sit behind one drachtio-server.
 */
export function takeCallSlot(bucket: Bucket | undefined, perSecond: number, now: number): Take {
  return takeToken(bucket, { burst: perSecond, perSecond }, now);
}
