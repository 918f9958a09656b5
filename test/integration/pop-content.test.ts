import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

describe.each(databaseKinds())('what the pop shows on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  let agent: Awaited<ReturnType<CallCenter['agent']>>;
  beforeAll(async () => {
    t = await createTestApp(kind);
    cc = await CallCenter.on(t);
    await cc.queue('pop', ['8000'], { ringTimeoutSeconds: 30, wrapUpSeconds: 0 });
    agent = await cc.agent('Desk', ['pop'], { ready: true });
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  /** Offers a call, answers and ends it, and wraps it up, so the agent is ready for the next test. */
  async function popFor(id: string, from: string | undefined, extra: Record<string, unknown> = {}) {
    await cc.offer(id, from, '8000', extra);
    return agent.desk.next<Pop>('call:offered', (p) => p.call.externalId === id);
  }
  async function finish(id: string, callId: string) {
    await cc.event({ type: 'answered', callId: id });
    await cc.event({ type: 'ended', callId: id });
    const ack = await agent.desk.emit('call:wrap-up', { callId, disposition: 'resolved' });
    expect(ack.ok).toBe(true);
    await agent.desk.current<any>('agent:state', (s) => s.status === 'ready');
  }

  it('lists the candidates when a number is shared, and the agent picks one: the call and the pop follow', async () => {
    const a = await cc.customer('Wang Wei', '+86 10 1234 5678');
    const b = await cc.customer('Wang Fang', '010 1234 5678', { valueSegment: 'gold' }); // same line, written nationally
    await t.database.db.updateTable('customer_phones').set({ e164: '+861012345678' }).where('customer_id', '=', b.id).execute();
    const pop = await popFor('shared-1', '+861012345678');
    expect(pop.match.outcome).toBe('multiple');
    expect(pop.customer).toBeNull();
    expect(pop.match.candidates.map((c) => c.displayName).sort()).toEqual(['Wang Fang', 'Wang Wei']);
    expect(pop.call.priority).toBe(20); // the gold candidate lifts the call

    const linked = await agent.desk.emit<any>('call:link-customer', { callId: pop.call.id, customerId: b.id });
    expect(linked.ok).toBe(true);
    expect(linked.data.customer.displayName).toBe('Wang Fang');
    expect(await agent.desk.next<any>('call:customer')).toMatchObject({ callId: pop.call.id, customer: { id: b.id } });
    expect((await cc.row(pop.call.id, (r) => r.customer_id !== null)).customer_id).toBe(b.id);
    const audit = await sql<{ action: string }>`SELECT action FROM audit_log WHERE entity = 'call' AND entity_id = ${pop.call.id}`.execute(t.database.db);
    expect(audit.rows.map((r) => r.action)).toContain('call.link_customer');
    expect(a.id).not.toBe(b.id);
    await finish('shared-1', pop.call.id);
  });

  it('makes a provisional customer for an unknown number, which the agent completes from the pop', async () => {
    const pop = await popFor('unknown-1', '+49 30 901820', { callerName: 'Müller GmbH' });
    expect(pop.match.outcome).toBe('none');
    expect(pop.customer).toMatchObject({ provisional: true, displayName: 'Müller GmbH', interactions: [] });
    expect(pop.customer?.phones[0]?.e164).toBe('+4930901820');

    const done = await cc.api('PATCH', `/v1/customers/${pop.customer!.id}`, { displayName: 'Jonas Müller', companyName: 'Müller GmbH', provisional: false }, agent.key);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ provisional: false, display_name: 'Jonas Müller' });
    await finish('unknown-1', pop.call.id);

    // The completed customer is found on the next call.
    const again = await popFor('unknown-2', '0049 30 901820', { callerName: 'x' });
    expect(again.match.outcome).toBe('single');
    expect(again.customer).toMatchObject({ id: pop.customer!.id, provisional: false, displayName: 'Jonas Müller' });
    expect(again.customer?.interactions[0]?.callId).toBe(pop.call.id);
    await finish('unknown-2', again.call.id);
  });

  it('says the number is withheld, and makes no customer for it', async () => {
    const before = await sql<{ n: string }>`SELECT count(*) AS n FROM customers`.execute(t.database.db);
    const pop = await popFor('withheld-1', 'anonymous', { withheld: true });
    expect(pop.match.outcome).toBe('withheld');
    expect(pop.call.withheld).toBe(true);
    expect(pop.call.from).toEqual({ raw: null, e164: null });
    expect(pop.customer).toBeNull();
    const after = await sql<{ n: string }>`SELECT count(*) AS n FROM customers`.execute(t.database.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    await finish('withheld-1', pop.call.id);
  });

  it('keeps the pop bounded for a customer with a long history, and says there is more', async () => {
    const c = await cc.customer('Long History', '+1 303 555 0199', { notes: 'n'.repeat(4000) });
    const db = t.database.db;
    const q = await db.selectFrom('queues').select('id').where('id', '=', 'pop').executeTakeFirstOrThrow();
    for (let i = 0; i < 30; i++) {
      const id = crypto.randomUUID();
      await db
        .insertInto('calls')
        .values({ id, source: 'api', external_id: `old-${i}`, queue_id: q.id, match_outcome: 'single', customer_id: c.id, status: 'ended', offered_at: new Date(Date.now() - (i + 1) * 3600_000), ended_at: new Date(Date.now() - (i + 1) * 3600_000 + 60_000), notes: 'x'.repeat(5000), node_id: 'old' })
        .execute();
      await db.insertInto('tickets').values({ customer_id: c.id, subject: `Ticket ${i}`, category: i % 3 ? 'question' : 'complaint', created_by: 'test' }).execute();
    }
    const pop = await popFor('long-1', '+1 303 555 0199');
    const cust = pop.customer!;
    expect(cust.interactions).toHaveLength(20);
    expect(cust.more.interactions).toBe(true);
    expect(cust.interactions[0]!.notes!.length).toBe(500);
    expect(cust.notes!.length).toBe(1000);
    expect(cust.openTickets).toHaveLength(10);
    expect(cust.more.openTickets).toBe(true);
    expect(cust.recentComplaints).toHaveLength(5);
    expect(JSON.stringify(pop).length).toBeLessThan(64 * 1024);
    await finish('long-1', pop.call.id);
  });

  it('pops again on a desktop that connects during the call, and on every tab of the agent', async () => {
    await popFor('tabs-1', '+1 303 555 0199');
    const second = await cc.desk(agent.key);
    const again = await second.next<Pop>('call:offered', (p) => p.call.externalId === 'tabs-1');
    expect(again.customer?.displayName).toBe('Long History');
    await cc.event({ type: 'answered', callId: 'tabs-1' });
    await second.next('call:answered');
    await agent.desk.next('call:answered', (e: any) => e.callId === again.call.id);
    second.close();
    await finish('tabs-1', again.call.id);
  });

  it("shows a merged customer's calls and tickets on the survivor's pop", async () => {
    const keep = await cc.customer('Merge Keep', '+1 720 555 0101');
    const gone = await cc.customer('Merge Gone', '+1 720 555 0102');
    const first = await popFor('merge-1', '+1 720 555 0102');
    await finish('merge-1', first.call.id);
    await cc.api('POST', '/v1/tickets', { customerId: gone.id, callId: first.call.id, subject: 'Billing question', category: 'billing' });
    const merged = await cc.api('POST', `/v1/customers/${keep.id}/merge`, { sourceId: gone.id });
    expect(merged.body.moved).toMatchObject({ calls: 1, tickets: 1 });
    const pop = await popFor('merge-2', '+1 720 555 0102');
    expect(pop.customer?.id).toBe(keep.id);
    expect(pop.customer?.interactions.map((i) => i.callId)).toContain(first.call.id);
    expect(pop.customer?.openTickets.map((x) => x.subject)).toContain('Billing question');
    await finish('merge-2', pop.call.id);
  });
});
