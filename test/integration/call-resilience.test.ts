import { afterAll, describe, expect, it } from 'vitest';
import { databaseKinds, createTestDatabase } from '../helpers/database.ts';
import { createTestApp, ADMIN_KEY } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import { CuttableProxy } from '../helpers/cuttable-proxy.ts';
import type { Pop } from '../../src/pop/pop.types.ts';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/container.ts';
import { createDatabase } from '../../src/db/database.ts';
import { createLogger } from '../../src/shared/logger.ts';

describe.each(databaseKinds())('calls survive a stopping or lost node on %s', (kind) => {
  it('closes every live call with an outcome when the service stops, telling the desktops first', async () => {
    const t = await createTestApp(kind);
    const cc = await CallCenter.on(t);
    try {
      await cc.queue('stop', ['8000'], { ringTimeoutSeconds: 60, wrapUpSeconds: 0 });
      const talking = await cc.agent('Talking', ['stop'], { ready: true });
      await cc.offer('s-answered', '+1 415 555 0150', '8000');
      await talking.desk.next('call:offered');
      await cc.event({ type: 'answered', callId: 's-answered' });
      const ringing = await cc.agent('Ringing', ['stop'], { ready: true });
      await cc.offer('s-ringing', '+1 415 555 0151', '8000');
      const pop = await ringing.desk.next<Pop>('call:offered');
      await cc.offer('s-queued', '+1 415 555 0152', '8000');

      await t.app.close(); // what SIGTERM does in main.ts
      expect(await ringing.desk.next('call:withdrawn')).toEqual({ callId: pop.call.id, reason: 'service_stopped' });
      await talking.desk.next('call:ended');
      const rows = await t.database.db.selectFrom('calls').select(['external_id', 'status', 'end_reason', 'hangup_by', 'talk_seconds', 'ended_at']).orderBy('external_id').execute();
      expect(rows.map((r) => [r.external_id, r.status, r.end_reason, r.hangup_by])).toEqual([
        ['s-answered', 'ended', 'service_stopped', 'system'],
        ['s-queued', 'failed', 'service_stopped', 'system'],
        ['s-ringing', 'failed', 'service_stopped', 'system'],
      ]);
      expect(rows.every((r) => r.ended_at !== null)).toBe(true);
      expect(rows[0]!.talk_seconds).not.toBeNull();
    } finally {
      cc.close();
      await t.close();
    }
  });

  it('closes, at the next start, calls a crashed node left open', async () => {
    const database = await createTestDatabase(kind);
    try {
      const db = database.db;
      const base = { source: 'api' as const, queue_id: 'general', match_outcome: 'none' as const, node_id: 'crashed-node', offered_at: new Date(Date.now() - 60_000) };
      await db
        .insertInto('calls')
        .values([
          { ...base, id: crypto.randomUUID(), external_id: 'c-queued', status: 'queued', queued: true },
          { ...base, id: crypto.randomUUID(), external_id: 'c-answered', status: 'answered', queued: true, answered_at: new Date(Date.now() - 30_000) },
        ])
        .execute();
      const config = loadConfig({ SCREENPOP_ADMIN_KEY: ADMIN_KEY, SEED_DEMO: 'false', LOG_LEVEL: 'silent' });
      const c = await createContainer(config, createLogger('silent'), { database });
      await c.start();
      await c.close();
      const rows = await db.selectFrom('calls').select(['external_id', 'status', 'end_reason', 'talk_seconds']).where('ended_at', 'is not', null).orderBy('external_id').execute();
      expect(rows.map((r) => [r.external_id, r.status, r.end_reason])).toEqual([
        ['c-answered', 'ended', 'node_lost'],
        ['c-queued', 'failed', 'node_lost'],
      ]);
      expect(Number(rows[0]!.talk_seconds)).toBeGreaterThanOrEqual(29);
    } finally {
      await database.close();
    }
  });
});

describe.skipIf(!databaseKinds().includes('postgres'))('a database outage on postgres', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('still routes the call and pops it saying history is unavailable, and writes the call log once the store is back', async () => {
    const database = await createTestDatabase('postgres');
    cleanups.push(() => database.close());
    const proxy = await CuttableProxy.start(database.url!);
    cleanups.push(() => proxy.close());
    const proxied = createDatabase({ url: proxy.via(database.url!), poolSize: 4 });
    const t = await createTestApp('postgres', { LOOKUP_TIMEOUT_MS: '300' }, { store: proxied });
    cleanups.push(() => t.close());
    const cc = await CallCenter.on(t);
    cleanups.push(async () => cc.close());
    await cc.queue('outage', ['8000'], { ringTimeoutSeconds: 60, wrapUpSeconds: 0 });
    await cc.customer('Radia Perlman', '+1 650 555 0177');
    const agent = await cc.agent('Steady', ['outage'], { ready: true });

    proxy.cut();
    const offered = await cc.offer('outage-1', '+1 650 555 0177', '8000');
    expect(offered.status).toBe(200);
    const pop = await agent.desk.next<Pop>('call:offered');
    expect(pop.historyAvailable).toBe(false);
    expect(pop.match.outcome).toBe('unavailable');
    await cc.event({ type: 'answered', callId: 'outage-1' });
    await cc.event({ type: 'ended', callId: 'outage-1' });

    proxy.restore();
    const row = await cc.until(
      () => database.db.selectFrom('calls').selectAll().where('external_id', '=', 'outage-1').executeTakeFirst(),
      (r) => r?.status === 'ended',
      20_000,
    );
    expect(row).toMatchObject({ status: 'ended', agent_id: Number(agent.id), match_outcome: 'unavailable' });
  });
});
