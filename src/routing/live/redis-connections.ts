import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';
import { DependencyDownError } from '../../shared/errors.ts';

/** The node's Redis connections. */
export interface RedisConnections {
  /** Live state and bus publishing: fails fast (a few retries) so a call never hangs on Redis. */
  readonly command: Redis;
  /** The bus subscriber (a subscribed connection can run nothing else). */
  readonly subscriber: Redis;
  /**
   * For the socket.io adapter, which duplicates it for its own reader and subscriber. It waits
   * for Redis instead of failing: the adapter drops some of its promises unhandled (storing a
   * session when a desktop disconnects), and a rejection there would end the process.
   */
  readonly sockets: Redis;
  /** Quits them all, waiting for replies still on their way. */
  close(): Promise<void>;
}

/** The URL without its password, for logs and errors. */
export function redisUrlForLog(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable)';
  }
}

/**
 * Opens the connections and waits until Redis answers, so a node that cannot reach the shared
 * state refuses to start instead of serving calls on its own. Afterwards ioredis reconnects by
 * itself; commands fail after a few retries rather than hanging a call for long.
 */
export async function connectRedis(url: string, log: Logger, { commandTimeoutMs = 2000 } = {}): Promise<RedisConnections> {
  const where = redisUrlForLog(url);
  // A silent Redis (packets dropped, no reset) must cost a command its timeout, not hang it.
  const options = { lazyConnect: true, maxRetriesPerRequest: 3, connectionName: 'screenpop', connectTimeout: commandTimeoutMs, commandTimeout: commandTimeoutMs } as const;
  const command = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, connectionName: 'screenpop-bus' });
  // No command timeout here: the adapter's blocking stream reads wait longer by design.
  const sockets = new Redis(url, { ...options, commandTimeout: undefined, maxRetriesPerRequest: null, connectionName: 'screenpop-sockets' });
  const all = [command, subscriber, sockets];
  for (const [name, client] of [['command', command], ['subscriber', subscriber], ['sockets', sockets]] as const) {
    // One line per outage, not one per reconnect attempt; without a listener an error would crash the process.
    let down = false;
    client.on('error', (err: Error) => {
      if (!down) log.warn({ err: err.message, redis: where, connection: name }, 'Redis connection failed; reconnecting');
      down = true;
    });
    client.on('ready', () => {
      if (down) log.info({ redis: where, connection: name }, 'Redis connection back');
      down = false;
    });
  }
  const close = async () => {
    await Promise.all(all.map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  };
  try {
    // The sockets connection opens when the adapter first uses it (tools without socket.io never do).
    await Promise.all([command.connect(), subscriber.connect()]);
  } catch (err) {
    all.forEach((c) => c.disconnect());
    throw new DependencyDownError('redis', `Redis at ${where} is not reachable: ${(err as Error).message}`, err);
  }
  return { command, subscriber, sockets, close };
}
