import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';
import { decodeUtf8, findBadInput } from './input-guard.ts';

/**
 * Refuses bad text and numbers in every request before its route runs (see input-guard.ts), and
 * parses JSON bodies from strict UTF-8: invalid bytes are refused, as the CSV import refuses them,
 * instead of being turned into U+FFFD and stored.
 */
export function installInputGuards(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === null) return done(new AppError('INVALID_TEXT', 'The body is not valid UTF-8'), undefined);
    parseJson(req, text, done);
  });

  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
      // A streamed body (CSV) is checked row by row by its own reader.
      if (part === 'body' && typeof (value as { pipe?: unknown })?.pipe === 'function') continue;
      const bad = findBadInput(value);
      if (bad) throw new AppError('INVALID_TEXT', `Invalid ${part}: ${bad.path || 'the value'} ${bad.message}`, [{ path: bad.path, message: bad.message }]);
    }
  });
}
