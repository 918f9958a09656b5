import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.url).toBeUndefined();
    expect(c.seedDemo).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
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

  it('does not echo a secret it rejects', () => {
    expect(() => loadConfig({ SCREENPOP_ADMIN_KEY: 'short-secret' })).toThrow(/SCREENPOP_ADMIN_KEY/);
    expect(() => loadConfig({ SCREENPOP_ADMIN_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
