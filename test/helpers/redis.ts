import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The Redis the integration and system tiers may use (REDIS_URL or a container); null when none. */
export function testRedisUrl(): string | null {
  return inject('redisUrl');
}

/** A key prefix no other test file (or deployment) uses on the shared Redis. */
export function randomPrefix(label = 'test'): string {
  return `${label}:${randomBytes(6).toString('hex')}:`;
}

/** Opens connections and removes every key under the prefix when closed. */
export class TestRedis {
  private readonly url: string;
  private readonly clients: Redis[] = [];
  readonly prefix: string;

  constructor(url: string, prefix = randomPrefix()) {
    this.url = url;
    this.prefix = prefix;
  }

  connection(): Redis {
    const c = new Redis(this.url, { maxRetriesPerRequest: 1 });
    this.clients.push(c);
    return c;
  }

  async close(): Promise<void> {
    const admin = new Redis(this.url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        if (keys.length) await admin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      await admin.quit();
      await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
    }
  }
}
