import { isTransient } from '../db/store-errors.ts';
import { AppError } from './errors.ts';

/** ioredis failing a command because Redis is unreachable or silent (RedisLiveState wraps its own already). */
function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown };
  if (e?.name === 'MaxRetriesPerRequestError') return true;
  return typeof e?.message === 'string' && /^(Connection is closed\.|Command timed out|Stream isn't writeable)/.test(e.message);
}

const pgCode = (err: unknown): string => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
};

/**
 * What a client should hear about a failure that is not already an AppError: an unreachable
 * dependency is 503 (try again), input the store refuses is 4xx. Null means a bug (500, logged).
 * The routes validate first; this is the net under them, so no store message reaches a client.
 */
export function toClientError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (isTransient(err) || isRedisUnavailable(err)) {
    return new AppError('UNAVAILABLE', 'A store this needs is not reachable right now; try again shortly');
  }
  const code = pgCode(err);
  if (code === '23505') return new AppError('CONFLICT', 'That exists already');
  if (code === '23503') return new AppError('VALIDATION_FAILED', 'That refers to a record that does not exist');
  // Class 22: data exceptions (out of range, invalid text such as a NUL byte, bad format).
  if (code.startsWith('22')) return new AppError('VALIDATION_FAILED', 'A value is out of range or not valid for the store');
  return null;
}
