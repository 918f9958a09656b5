import { benchLookup } from './lookup.bench.ts';

// npm run bench — prints figures; nothing here is asserted. Needs a PostgreSQL server
// (DATABASE_URL, default the local one); the bench uses its own database, screenpop_bench.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const samples = Number(process.env.BENCH_SAMPLES ?? 5_000);

console.log(`screenpop bench — node ${process.version}, ${customers.toLocaleString('en')} customers`);
await benchLookup(serverUrl, customers, samples);
console.log(`bench RSS: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
