/**
 * The error catalogue: every error a client can see has a stable code and an HTTP status.
 * HTTP bodies are `{ error: { code, message, details? } }`; 5xx never carry internals.
 */
export const ERRORS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_TEXT: 400,
  BAD_URL: 400,
  BAD_REQUEST: 400,
  INVALID_PHONE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  CALL_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  TRUNK_NOT_FOUND: 404,
  DUPLICATE_CUSTOMER: 409,
  CONFLICT: 409,
  INVALID_STATE: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
    this.name = 'AppError';
    this.statusCode = ERRORS[code];
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const errorBody = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** PostgreSQL or Redis could not be reached while the node started; worth waiting for. */
export class DependencyDownError extends Error {
  readonly dependency: 'database' | 'redis';
  constructor(dependency: 'database' | 'redis', message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DependencyDownError';
    this.dependency = dependency;
  }
}
