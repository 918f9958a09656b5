import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /**
   * Holds one connection for `fn`, whose `exec` runs scripts of several statements (migrations)
   * and returns the rows of the last one. Kysely's query path takes one statement at a time on PGlite.
   */
  withScriptSession<T>(fn: (exec: ScriptExec) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// numeric and bigint come back as strings from pg by default; ids and counts fit in a JS number
// for any contact center, money stays a string so no cent is lost.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type ScriptExec = (sql: string) => Promise<Record<string, unknown>[]>;

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent the embedded PGlite store is used. */
  url?: string;
  poolSize?: number;
  /** PGlite data directory; `memory://` (or undefined) keeps the store in memory. */
  dataDir?: string;
}

export function createDatabase(opts: DatabaseOptions): Database {
  return opts.url ? createPostgres(opts.url, opts.poolSize ?? 10) : createPGlite(opts.dataDir);
}

/**
 * Marks a hot query (put it in a raw SQL fragment of the query) to run as a named prepared
 * statement on PostgreSQL: planned once per connection instead of on every call. Planning was
 * most of a caller lookup's time (≈1 ms of ≈1.2). Only for queries whose text never varies.
 */
export const preparedMarker = (name: string) => `/* prepared:${name} */`;
const PREPARED = /\/\* prepared:([\w-]+) \*\//;

function createPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'screenpop' });
  // An idle client losing its server (restart, failover) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const preparingPool = {
    async connect() {
      const client = await pool.connect();
      return {
        query: (text: string, values: unknown[]) => {
          const name = PREPARED.exec(text)?.[1];
          return client.query(name ? { name, text, values } : { text, values });
        },
        release: (err?: Error) => client.release(err),
      };
    },
    end: () => pool.end(),
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool as unknown as pg.Pool }) });
  return {
    db,
    kind: 'postgres',
    async withScriptSession(fn) {
      const client = await pool.connect();
      try {
        // No parameters → pg's simple query protocol, which takes several statements at once.
        return await fn(async (script) => {
          const res = (await client.query(script)) as unknown as pg.QueryResult | pg.QueryResult[];
          return (Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows) as Record<string, unknown>[];
        });
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

function createPGlite(dataDir?: string): Database {
  let dir: string | undefined;
  if (dataDir && dataDir !== 'memory://') {
    dir = resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const pglite = new PGlite(dir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    // PGlite is a single connection already.
    withScriptSession: (fn) =>
      fn(async (script) => ((await pglite.exec(script)).at(-1)?.rows ?? []) as Record<string, unknown>[]),
    close: () => db.destroy(),
  };
}
