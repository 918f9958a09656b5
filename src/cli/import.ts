// npm run import -- file.csv [--force] — streams a CSV into the store with a per-row error report.
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemActor } from '../auth/actor.ts';
import { CustomerService } from '../customers/customer.service.ts';
import { importCustomersCsv } from '../customers/customer-import.ts';
import { openForCli } from './bootstrap.ts';
import { progressLine } from './progress.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
const file = positionals[0];
if (!file) {
  console.error('usage: npm run import -- <file.csv> [--force]');
  process.exit(2);
}
const { config, database } = await openForCli();
try {
  const customers = new CustomerService(database.db, { defaultCountry: config.defaultCountry });
  const started = Date.now();
  const report = await importCustomersCsv(customers, systemActor('import-cli'), createReadStream(file), {
    force: values.force,
    onProgress: (r) => {
      const rate = Math.round(r.rows / Math.max(1, (Date.now() - started) / 1000));
      const line = `rows ${r.rows.toLocaleString('en')}  created ${r.created.toLocaleString('en')}  failed ${r.failed.toLocaleString('en')}  (${rate}/s)`;
      progressLine(line);
    },
  });
  process.stderr.write('\n');
  for (const e of report.errors) console.log(`line ${e.line}: ${e.code} ${e.message}`);
  if (report.errorsTruncated) console.log(`… and ${report.failed - report.errors.length} more errors`);
  console.log(`imported ${report.created} of ${report.rows} rows; ${report.failed} failed`);
  process.exitCode = report.failed ? 1 : 0;
} finally {
  await database.close();
}
