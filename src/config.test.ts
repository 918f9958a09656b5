import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.url).toBeUndefined();
    expect(c.seedDemo).toBe(true);
    expect(c.redisKeyPrefix).toBe('screenpop:');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes a Redis key prefix so deployments can share one Redis, but no glob characters in it', () => {
    expect(loadConfig({ REDIS_KEY_PREFIX: 'site-b:' }).redisKeyPrefix).toBe('site-b:');
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'site *' })).toThrow(/REDIS_KEY_PREFIX/);
  });

  it('lists every bad variable in one error', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', DEFAULT_COUNTRY: 'usa', DRACHTIO_HOST: 'h' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).message;
      for (const name of ['PORT', 'DATABASE_URL', 'DEFAULT_COUNTRY', 'DRACHTIO_HOST and DRACHTIO_SECRET']) expect(text).toContain(name);
    }
  });

  it('keeps undeliverable webhooks 72 hours unless told otherwise, and checks the value', () => {
    expect(loadConfig({}).webhooks.maxAgeMs).toBe(72 * 3_600_000);
    expect(loadConfig({ WEBHOOK_MAX_AGE_HOURS: '1' }).webhooks.maxAgeMs).toBe(3_600_000);
    expect(() => loadConfig({ WEBHOOK_MAX_AGE_HOURS: '0' })).toThrow(/WEBHOOK_MAX_AGE_HOURS/);
    expect(() => loadConfig({ WEBHOOK_MAX_AGE_HOURS: '72', WEBHOOK_KEEP_DAYS: '2' })).toThrow(/WEBHOOK_KEEP_DAYS must be longer/);
  });

  it('does not echo a secret it rejects', () => {
    expect(() => loadConfig({ SCREENPOP_ADMIN_KEY: 'short-secret' })).toThrow(/SCREENPOP_ADMIN_KEY/);
    expect(() => loadConfig({ SCREENPOP_ADMIN_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
