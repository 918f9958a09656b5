// The embedded demo: on an empty store, customers, a small call center and some history, so
// `npm start` then `npm run call` shows a real pop at once.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { systemActor } from '../auth/actor.ts';
import { seedDemoIfEmpty } from '../customers/demo-seed.ts';
import type { Logger } from '../shared/logger.ts';
import { seedDemoCallCenter, type DemoCallCenterDeps } from './demo-call-center.ts';
import { seedAdaHistory, type DemoHistoryDeps } from './demo-history.ts';
import { writeDemoKeys } from './demo-keys.ts';

export type DemoDeps = DemoCallCenterDeps & DemoHistoryDeps & { readonly db: Kysely<DB>; readonly log: Logger; readonly defaultCountry: string };

/**
 * Seeds the demo when the store is empty; does nothing otherwise. The keys go to `keysFile`
 * (mode 0600) and never to the log; with no file (a store handed in by a test) they are dropped.
 */
export async function seedDemo(d: DemoDeps, keysFile: string | null): Promise<void> {
  const customers = await seedDemoIfEmpty(d.db, d.defaultCountry);
  if (!customers) return;
  const actor = systemActor('demo-seed');
  try {
    const keys = await seedDemoCallCenter(d, actor);
    const history = await seedAdaHistory(d, actor, keys.agents[0]!.id);
    if (keysFile) {
      await writeDemoKeys(keysFile, {
        about: 'API keys of the demo call center in this store. screenpop keeps only their hashes: this file is the only copy. Anyone who reads it can use them.',
        ...keys,
      });
    }
    d.log.info(
      { customers, queues: d.queues.all().map((q) => q.id), agents: keys.agents.length, history, keysFile: keysFile ?? '(not written: no data directory)' },
      'empty store: demo data seeded; the demo API keys are in the keys file',
    );
  } catch (err) {
    // The customers landed but not the rest: say how to start over rather than leave a half demo unexplained.
    throw new Error('Seeding the demo call center failed part way; stop screenpop, remove the data directory (DATA_DIR) and start again', { cause: err });
  }
}
