import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';

// What the pop bench reads from and cleans in the stores after a run.

/** Per accepted offer, exactly one call-log row, closed: what is missing, doubled or still open. */
export async function callLogCheck(db: Kysely<DB>, ids: string[]) {
  const rows = (
    await sql<{ external_id: string; status: string; match_outcome: string; ended_at: Date | null; wrapped_up_at: Date | null }>`
      SELECT external_id, status, match_outcome, ended_at, wrapped_up_at FROM calls WHERE source = 'api' AND external_id = ANY(${ids})`.execute(db)
  ).rows;
  const per = new Map<string, number>();
  for (const r of rows) per.set(r.external_id, (per.get(r.external_id) ?? 0) + 1);
  const count = (f: (r: (typeof rows)[number]) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(f(r), (m.get(f(r)) ?? 0) + 1);
    return [...m].map(([k, n]) => `${k} ${n}`).join(', ');
  };
  return {
    missing: ids.filter((id) => !per.has(id)).length,
    duplicates: [...per.values()].filter((n) => n > 1).length,
    open: rows.filter((r) => r.ended_at === null).length,
    notWrapped: rows.filter((r) => r.status === 'ended' && r.wrapped_up_at === null).length,
    outcomes: `status: ${count((r) => r.status)}; match: ${count((r) => r.match_outcome)}`,
  };
}


/** Transactions committed or rolled back in the bench database so far (by every client). */
export async function transactions(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ n: string }>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`.execute(db);
  return Number(r.rows[0]?.n ?? NaN);
}


/** The run's keys in Redis (agent states, queues, the socket.io stream): the next run starts clean. */
export async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (err) {
    console.log(`pop: could not remove the run's Redis keys (${prefix}*): ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
