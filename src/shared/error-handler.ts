import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorBody } from './errors.ts';

/** Maps every failure to `{ error: { code, message } }`; 5xx bodies never carry internals. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const details = err.validation.map((v) => ({
        path: v.instancePath || (v.params as { missingProperty?: string })?.missingProperty || '',
        message: v.message,
        ...((v.params as { additionalProperty?: string })?.additionalProperty
          ? { field: (v.params as { additionalProperty: string }).additionalProperty }
          : {}),
      }));
      return reply.status(400).send(errorBody('VALIDATION_FAILED', `Invalid ${err.validationContext ?? 'request'}`, details));
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send(errorBody('INVALID_JSON', 'The body is not valid JSON'));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', 'The body is too large'));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type'));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(errorBody('VALIDATION_FAILED', err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('INTERNAL', 'Something went wrong on our side; it is logged'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`));
  });
}
