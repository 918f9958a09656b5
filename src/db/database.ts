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
  /**
   * Bounds on every wait for PostgreSQL, in ms: opening a connection (and waiting for a free one),
   * and one statement (0 = none, for tools whose statements may run long). Past the statement
   * bound the server cancels it; a server that stays silent past it loses the connection.
   */
  timeouts?: { connectMs: number; statementMs: number };
  /** PGlite data directory; `memory://` (or undefined) keeps the store in memory. */
  dataDir?: string;
}

export function createDatabase(opts: DatabaseOptions): Database {
  return opts.url ? createPostgres(opts.url, opts.poolSize ?? 10, opts.timeouts ?? { connectMs: 5000, statementMs: 0 }) : createPGlite(opts.dataDir);
}

/** PostgreSQL did not answer in time (a silent server or network); retried like a dropped connection. */
export class StoreTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`PostgreSQL did not answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

// The server's statement_timeout normally answers first (the connection stays usable); this
// margin is for a server or network that says nothing at all.
const SILENT_SERVER_MARGIN_MS = 1000;

/** Runs one query with a deadline; past it the connection is destroyed, which ends the query on both sides. */
function queryWithin<T>(client: pg.PoolClient, run: Promise<T>, ms: number, onTimeout: (err: StoreTimeoutError) => void): Promise<T> {
  if (!ms) return run;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new StoreTimeoutError(ms);
      onTimeout(err);
      reject(err);
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }, ms);
    run.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/**
 * Marks a hot query (put it in a raw SQL fragment of the query) to run as a named prepared
 * statement on PostgreSQL: planned once per connection instead of on every call. Planning was
 * most of a caller lookup's time (≈1 ms of ≈1.2). Only for queries whose text never varies.
 */
export const preparedMarker = (name: string) => `/* prepared:${name} */`;
const PREPARED = /\/\* prepared:([\w-]+) \*\//;

function createPostgres(url: string, poolSize: number, timeouts: { connectMs: number; statementMs: number }): Database {
  const { connectMs, statementMs } = timeouts;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: 'screenpop',
    // Bounds the wait for a free connection too, so a hung server cannot pile up requests.
    connectionTimeoutMillis: connectMs,
    keepAlive: true,
    ...(statementMs ? { statement_timeout: statementMs, idle_in_transaction_session_timeout: statementMs * 2 } : {}),
  });
  // A client losing its server (restart, failover, a cut) must not crash the process: idle ones
  // report to the pool, and checked-out ones (between two statements of a transaction, say) get a
  // listener of their own — pg emits 'error' on them with nobody listening otherwise. The query
  // that needed the connection fails and the pool drops the broken client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const readTimeoutMs = statementMs ? statementMs + SILENT_SERVER_MARGIN_MS : 0;
  const preparingPool = {
    async connect() {
      const client = await pool.connect();
      // A connection destroyed for a timeout may not look closed yet when it is released: say so,
      // or the pool would hand it out again.
      let timedOut: Error | undefined;
      return {
        query: (text: string, values: unknown[]) => {
          const name = PREPARED.exec(text)?.[1];
          return queryWithin(client, client.query(name ? { name, text, values } : { text, values }), readTimeoutMs, (err) => (timedOut = err));
        },
        release: (err?: Error) => client.release(err ?? timedOut),
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
        // Migrations may rewrite big tables: no statement bound for them.
        if (statementMs) await client.query('SET statement_timeout = 0');
        // No parameters → pg's simple query protocol, which takes several statements at once.
        return await fn(async (script) => {
          const res = (await client.query(script)) as unknown as pg.QueryResult | pg.QueryResult[];
          return (Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows) as Record<string, unknown>[];
        });
      } finally {
        let broken: Error | undefined;
        if (statementMs) await client.query(`SET statement_timeout = ${statementMs}`).catch((err: Error) => (broken = err));
        client.release(broken);
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
