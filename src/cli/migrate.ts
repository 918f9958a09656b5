// npm run migrate — applies pending migrations to DATABASE_URL (or the embedded store) and exits.
import { openForCli } from './bootstrap.ts';

const { database } = await openForCli();
console.log(`schema is current (${database.kind})`);
await database.close();
