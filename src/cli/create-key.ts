// npm run create-key -- --role agent [--name "desk 12"] — prints a new API key once.
import { parseArgs } from 'node:util';
import { systemActor } from '../auth/actor.ts';
import { ApiKeyService, ROLES } from '../auth/api-key.service.ts';
import type { Role } from '../db/schema.ts';
import { openForCli } from './bootstrap.ts';

const { values } = parseArgs({ options: { role: { type: 'string' }, name: { type: 'string' } } });
if (!values.role || !ROLES.includes(values.role as Role)) {
  console.error(`usage: npm run create-key -- --role <${ROLES.join('|')}> [--name <label>]`);
  process.exit(2);
}
const { database } = await openForCli();
try {
  const created = await new ApiKeyService(database.db).create(systemActor('create-key-cli'), {
    name: values.name ?? `${values.role} key`,
    role: values.role as Role,
  });
  console.log(`created ${created.role} key #${created.id} (${created.name}); it is shown only now:\n${created.key}`);
} finally {
  await database.close();
}
