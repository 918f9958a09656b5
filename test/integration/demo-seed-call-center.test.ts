import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loadPopCustomer } from '../../src/pop/pop.builder.ts';

describe.each(databaseKinds())('the demo call center seeded into an empty store on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { SEED_DEMO: 'true', DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has the queues, agents, rules and Ada history a first pop needs, each made with its audit row', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.admin }).then((r) => r.json());
    const queues = await get('/v1/queues');
    expect(queues.find((q: { id: string }) => q.id === 'support')).toMatchObject({
      dialledNumbers: ['8000'],
      skill: 'support',
      isDefault: true,
      slThresholdSeconds: 20,
      ringTimeoutSeconds: 15,
      maxWaitSeconds: 120,
      wrapUpSeconds: 30,
    });
    expect(queues.find((q: { id: string }) => q.id === 'sales')).toMatchObject({ dialledNumbers: ['8100'], skill: 'sales', isDefault: false });
    const agents = await get('/v1/agents');
    expect(agents).toHaveLength(2);
    expect(agents.every((a: { skills: string[] }) => a.skills.includes('support') && a.skills.includes('sales'))).toBe(true);
    expect((await get('/v1/api-keys')).map((k: { role: string }) => k.role).sort()).toEqual(['agent', 'agent', 'integrator', 'supervisor']);
    expect((await get('/v1/cross-sell/rules')).length).toBeGreaterThanOrEqual(3);

    const ada = (await get('/v1/lookup?phone=%2B14155550123')).matches[0];
    const pop = await loadPopCustomer(t.database.db, ada.id);
    expect(pop?.interactions).toHaveLength(2);
    expect(pop?.interactions.every((i) => i.disposition && i.notes && i.agentName === 'Dana Reyes' && i.talkSeconds! > 0)).toBe(true);
    expect(pop?.openTickets).toHaveLength(2);
    expect(pop?.recentComplaints).toHaveLength(1);
    expect(pop?.followUps).toHaveLength(1);

    const actions = (await t.database.db.selectFrom('audit_log').select('action').where('actor', '=', 'system:demo-seed').execute()).map((a) => a.action);
    for (const action of ['queue.create', 'agent.create', 'api_key.create', 'cross_sell_rule.create', 'call.demo_history', 'ticket.create', 'follow_up.create']) {
      expect(actions).toContain(action);
    }
  });
});
