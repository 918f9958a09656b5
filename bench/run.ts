import { findBinary } from '../test/helpers/sip/tools.ts';
import { prepareBenchDatabase } from './bench-database.ts';
import { benchLookup } from './lookup.bench.ts';
import { benchPop } from './pop.bench.ts';
import { benchSip } from './sip.bench.ts';
import { benchSoak } from './soak.bench.ts';

// npm run bench — prints figures; nothing here is asserted. Needs a PostgreSQL server
// (DATABASE_URL, default the local one); the bench uses its own databases (screenpop_bench, screenpop_sip_bench).
// Knobs: BENCH_PARTS=lookup,pop,sip,soak (default all four), BENCH_CUSTOMERS, BENCH_SAMPLES (lookup),
// BENCH_AGENTS, BENCH_POP_RATE, BENCH_POP_SECONDS, BENCH_REDIS_URL, BENCH_DB_POOL_SIZE,
// BENCH_SERVICE_NODE_ARGS, BENCH_SERVICE_LOG_LEVEL, BENCH_SERVICE_LOG_FILE (pop), BENCH_SIP_* (sip.bench.ts).
// BENCH_SOAK_RATE, BENCH_SOAK_SECONDS, BENCH_SOAK_CUT_SECONDS, BENCH_SOAK_AGENTS (soak.bench.ts; it needs
// Redis: BENCH_REDIS_URL, else REDIS_URL, else the local one). The SIP part runs when drachtio-server and sipp are installed.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const parts = new Set((process.env.BENCH_PARTS ?? 'lookup,pop,sip,soak').split(',').map((p) => p.trim()));

console.log(`screenpop bench — node ${process.version}, ${customers.toLocaleString('en')} customers, parts: ${[...parts].join(', ')}`);
if (parts.has('lookup') || parts.has('pop') || parts.has('soak')) {
  const url = await prepareBenchDatabase(serverUrl, customers);
  if (parts.has('lookup')) await benchLookup(url, Number(process.env.BENCH_SAMPLES ?? 5_000));
  if (parts.has('pop')) {
    await benchPop(url, {
      agents: Number(process.env.BENCH_AGENTS ?? 1_000),
      rate: Number(process.env.BENCH_POP_RATE ?? 100),
      seconds: Number(process.env.BENCH_POP_SECONDS ?? 60),
      redisUrl: process.env.BENCH_REDIS_URL || undefined,
      dbPoolSize: Number(process.env.BENCH_DB_POOL_SIZE) || undefined,
      serviceNodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
      serviceLogLevel: process.env.BENCH_SERVICE_LOG_LEVEL || undefined,
      serviceLogFile: process.env.BENCH_SERVICE_LOG_FILE || undefined,
    });
  }
  if (parts.has('soak')) {
    await benchSoak(url, {
      agents: Number(process.env.BENCH_SOAK_AGENTS ?? 300),
      rate: Number(process.env.BENCH_SOAK_RATE ?? 50),
      seconds: Number(process.env.BENCH_SOAK_SECONDS ?? 600),
      cutSeconds: Number(process.env.BENCH_SOAK_CUT_SECONDS ?? 20),
      redisUrl: process.env.BENCH_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379',
      serviceLogFile: process.env.BENCH_SERVICE_LOG_FILE || undefined,
    });
  }
}
if (parts.has('sip')) {
  const drachtio = findBinary('drachtio', 'DRACHTIO_BIN');
  const sipp = findBinary('sipp', 'SIPP_BIN');
  if (drachtio && sipp) await benchSip(serverUrl, { drachtio, sipp });
  else console.log(`sip: skipped (needs ${drachtio ? '' : 'drachtio (PATH or DRACHTIO_BIN)'}${!drachtio && !sipp ? ' and ' : ''}${sipp ? '' : 'sipp'})`);
}
console.log(`bench RSS: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
