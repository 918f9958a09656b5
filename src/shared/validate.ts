import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AppError } from './errors.ts';
import { findBadInput } from './input-guard.ts';

/**
 * Checks input that did not come through a fastify route (socket events) against the same TypeBox
 * schema the REST route uses, and fails the same way: VALIDATION_FAILED with the bad paths.
 */
export function checkInput<S extends TSchema>(schema: S, value: unknown): Static<S> {
  const bad = findBadInput(value);
  if (bad) throw new AppError('INVALID_TEXT', `Invalid input: ${bad.path || 'the value'} ${bad.message}`, [{ path: bad.path, message: bad.message }]);
  if (Value.Check(schema, value)) return value;
  const details = [...Value.Errors(schema, value)].slice(0, 10).map((e) => ({ path: e.path, message: e.message }));
  throw new AppError('VALIDATION_FAILED', 'Invalid input', details);
}
