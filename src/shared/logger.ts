import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * pino, pretty only on a TTY. Secrets are redacted wherever they appear in a logged object;
 * phone numbers and names are never passed to info-level logs in the first place (mask them).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    serializers: {
      // Query strings carry phone numbers and names (/v1/lookup?phone=...): log the path only.
      req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0] }),
      err: pino.stdSerializers.err,
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.password',
        '*.secret',
        '*.token',
        '*.apiKey',
        'auth.token',
      ],
      censor: '[redacted]',
    },
  };
  if (!destination && process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l' } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
