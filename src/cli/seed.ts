// npm run seed -- --customers N — synthetic customers for demos and benchmarks, with progress.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { seedSynthetic } from '../customers/synthetic-seed.ts';
import { openForCli } from './bootstrap.ts';
import { progressLine } from './progress.ts';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000' } } });
const count = Number(values.customers);
if (!Number.isInteger(count) || count < 1 || count > 50_000_000) {
  console.error('usage: npm run seed -- --customers <1..50000000>');
  process.exit(2);
}
const { database } = await openForCli();
const t0 = performance.now();
try {
  await seedSynthetic(database.db, count, (done) => {
    const line = `seeded ${done.toLocaleString('en')} / ${count.toLocaleString('en')} customers`;
    progressLine(line);
  });
  process.stderr.write('\n');
  console.log(`seeded ${count.toLocaleString('en')} customers into ${database.kind} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  await database.close();
}
