import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { log: createLogger('info', dest as never), text: () => lines.join('') };
}

describe('logger', () => {
  it('logs request paths without their query strings, which carry phone numbers', () => {
    const { log, text } = capture();
    log.info({ req: { id: 'r1', method: 'GET', url: '/v1/lookup?phone=%2B14155550123' } }, 'incoming request');
    expect(text()).toContain('/v1/lookup');
    expect(text()).not.toContain('4155550123');
  });

  it('redacts keys and secrets', () => {
    const { log, text } = capture();
    log.info({ req: { headers: { authorization: 'Bearer sp_adm_topsecret' } }, drachtio: { secret: 'cymru' } }, 'x');
    expect(text()).not.toContain('topsecret');
    expect(text()).not.toContain('cymru');
  });
});
