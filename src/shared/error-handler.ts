import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, type ErrorCode } from './errors.ts';
import { toClientError } from './error-mapping.ts';

/** How long a client should wait before retrying a 503 (a blip of PostgreSQL or Redis). */
const RETRY_AFTER_SECONDS = 5;

/** Maps every failure to `{ error: { code, message } }`; 5xx bodies never carry internals. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = toClientError(err);
    if (known) {
      if (known.code === 'UNAVAILABLE') {
        req.log.warn({ err }, 'request failed: a store is unavailable');
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      }
      return reply.status(known.statusCode).send(errorBody(known.code, known.message, known.details));
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

/**
 * Errors the router meets before any route or hook runs (a bad `%ff` escape, a path parameter
 * longer than the router takes): the same shape as every other error. A Fastify option.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send(errorBody('URI_TOO_LONG', 'A part of the URL is too long'));
    return;
  }
  void reply.status(400).send(errorBody('BAD_URL', 'The URL is not valid (a bad %-escape?)'));
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large, a malformed
 * request line): answered on the socket in the same shape, then the connection is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'The request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive']
        : [400, 'BAD_REQUEST', 'The request is not valid HTTP'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${code.replace(/_/g, ' ')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
