import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * pino, pretty only on a TTY. Secrets are redacted wherever they appear in a logged object;
 * phone numbers and names are never passed to info-level logs in the first place (mask them).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
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
