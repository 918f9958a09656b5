import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

describe.each(databaseKinds())('write-back from the agent on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  let agent: Awaited<ReturnType<CallCenter['agent']>>;
  let colleague: Awaited<ReturnType<CallCenter['agent']>>;
  let customerId: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    cc = await CallCenter.on(t);
    await cc.queue('wb', ['8000'], { ringTimeoutSeconds: 30, wrapUpSeconds: 0 });
    const c = await cc.customer('Hedy Lamarr', '+1 310 555 0111', { valueSegment: 'gold', lifetimeValue: 52_000 });
    customerId = c.id;
    await t.database.db.updateTable('customers').set({ customer_since: '2019-01-15' }).where('id', '=', customerId).execute();
    await t.database.db.insertInto('holdings').values({ customer_id: customerId, product_code: 'CHK', product_name: 'Checking', since: '2019-01-15' }).execute();
    agent = await cc.agent('Writer', ['wb'], { ready: true });
    colleague = await cc.agent('Colleague', []);
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  const audits = async (action: string) =>
    (await sql<{ actor: string }>`SELECT actor FROM audit_log WHERE action = ${action}`.execute(t.database.db)).rows.map((r) => r.actor);

  it('shows the best cross-sell offers at pop time, stores them as shown, and their outcome with an audit row', async () => {
    const rule = async (body: Record<string, unknown>) => {
      const r = await cc.api('POST', '/v1/cross-sell/rules', { script: 'Offer it', ...body });
      expect(r.status).toBe(201);
      return r.body.id as number;
    };
    const card = await rule({ name: 'Gold card', segments: ['gold', 'platinum'], notHoldsProduct: 'CARD', productCode: 'CARD', productName: 'Gold card', priority: 50 });
    const savings = await rule({ name: 'Savings', holdsProduct: 'CHK', minTenureMonths: 24, productCode: 'SAV', productName: 'Savings', priority: 40 });
    await rule({ name: 'Loan', minLifetimeValue: 10_000, productCode: 'LOAN', productName: 'Loan', priority: 30 });
    await rule({ name: 'Low', productCode: 'INS', productName: 'Insurance', priority: 10 });
    await rule({ name: 'Holds it already', productCode: 'CHK', productName: 'Checking', priority: 99 });
    await rule({ name: 'Platinum only', segments: ['platinum'], productCode: 'YACHT', productName: 'Yacht', priority: 98 });
    await rule({ name: 'Retired', productCode: 'OLD', productName: 'Old', priority: 97, active: false });

    await cc.offer('xs-1', '+1 310 555 0111', '8000');
    const pop = await agent.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'xs-1');
    expect(pop.prompts.map((p) => p.productCode)).toEqual(['CARD', 'SAV', 'LOAN']);

    const shown = await cc.until(
      () => t.database.db.selectFrom('cross_sell_prompts').select(['rule_id', 'outcome']).where('call_id', '=', pop.call.id).orderBy('rule_id').execute(),
      (rows) => rows.length === 3,
    );
    expect(shown.map((s) => s.rule_id).sort()).toEqual([card, savings, savings + 1].sort());
    const ack = await agent.desk.emit('prompt:outcome', { callId: pop.call.id, ruleId: card, outcome: 'accepted' });
    expect(ack.ok).toBe(true);
    const rest = await cc.api('POST', `/v1/calls/${pop.call.id}/prompts/${savings}`, { outcome: 'later' }, agent.key);
    expect(rest.status).toBe(200);
    expect(await audits('cross_sell.outcome')).toHaveLength(2);

    const conversion = (await cc.api('GET', '/v1/cross-sell/conversion')).body as Array<{ ruleId: number; shown: number; accepted: number; later: number; conversionRate: number | null }>;
    expect(conversion.find((c) => c.ruleId === card)).toMatchObject({ shown: 1, accepted: 1, conversionRate: 1 });
    expect(conversion.find((c) => c.ruleId === savings)).toMatchObject({ shown: 1, accepted: 0, later: 1, conversionRate: 0 });
    const bad = await agent.desk.emit('prompt:outcome', { callId: pop.call.id, ruleId: card, outcome: 'maybe' });
    expect(bad.error?.code).toBe('VALIDATION_FAILED');

    await cc.event({ type: 'answered', callId: 'xs-1' });
    await cc.event({ type: 'ended', callId: 'xs-1' });
    expect((await agent.desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'sale' })).ok).toBe(true);
  });

  it('opens a ticket from the call (a complaint shows on the next pop) with its audit row', async () => {
    const call = await t.database.db.selectFrom('calls').select('id').where('external_id', '=', 'xs-1').executeTakeFirstOrThrow();
    const ack = await agent.desk.emit<{ id: number }>('ticket:create', { customerId, callId: call.id, subject: 'Card arrived damaged', category: 'complaint', priority: 'high' });
    expect(ack.ok).toBe(true);
    const ticket = await t.database.db.selectFrom('tickets').selectAll().where('id', '=', ack.data!.id).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ customer_id: customerId, call_id: call.id, category: 'complaint', priority: 'high', status: 'open', agent_id: Number(agent.id) });
    expect(await audits('ticket.create')).toHaveLength(1);

    const foreign = await colleague.desk.emit('ticket:create', { customerId, callId: call.id, subject: 'Not mine', category: 'question' });
    expect(foreign.error?.code).toBe('FORBIDDEN');
    const blank = await agent.desk.emit('ticket:create', { customerId, subject: '   ', category: 'question' });
    expect(blank.error?.code).toBe('VALIDATION_FAILED');
    const noCustomer = await cc.api('POST', '/v1/tickets', { customerId: 999999, subject: 'x', category: 'other' }, agent.key);
    expect(noCustomer.status).toBe(404);

    await agent.desk.current<any>('agent:state', (s) => s.status === 'ready');
    await cc.offer('xs-2', '+1 310 555 0111', '8000');
    const pop = await agent.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'xs-2');
    expect(pop.customer?.recentComplaints[0]).toMatchObject({ subject: 'Card arrived damaged', category: 'complaint' });
    expect(pop.customer?.openTickets.map((x) => x.subject)).toContain('Card arrived damaged');
    await cc.event({ type: 'ended', callId: 'xs-2' });
  });

  it("schedules follow-ups, lists each agent's today's (and overdue) ones, and delegates an absent agent's", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    for (const [dueDate, note] of [[today, 'Call back about the card'], [yesterday, 'Send the form'], [nextWeek, 'Quarterly review']] as const) {
      const ack = await agent.desk.emit('follow-up:create', { customerId, dueDate, note });
      expect(ack.ok).toBe(true);
    }
    const bad = await agent.desk.emit('follow-up:create', { customerId, dueDate: '2026-02-30', note: 'x' });
    expect(bad.error?.code).toBe('VALIDATION_FAILED');

    const mine = await cc.api('GET', `/v1/follow-ups/today?date=${today}`, undefined, agent.key);
    expect(mine.body.items.map((f: { note: string }) => f.note)).toEqual(['Send the form', 'Call back about the card']);
    expect(mine.body.items[0].overdue).toBe(true);

    const sup = (await cc.api('POST', '/v1/api-keys', { name: 'sup', role: 'supervisor' })).body.key as string;
    const moved = await cc.api('POST', '/v1/follow-ups/delegate', { fromAgentId: agent.id, toAgentId: colleague.id }, sup);
    expect(moved.body).toEqual({ moved: 3, to: colleague.id });
    const theirs = await cc.api('GET', `/v1/follow-ups/today?date=${today}`, undefined, colleague.key);
    expect(theirs.body.items).toHaveLength(2);
    expect(theirs.body.items[0].delegatedFromAgentId).toBe(agent.id);
    expect((await cc.api('GET', `/v1/follow-ups/today?date=${today}`, undefined, agent.key)).body.items).toHaveLength(0);
    const asAgent = await cc.api('POST', '/v1/follow-ups/delegate', { fromAgentId: colleague.id, toAgentId: agent.id }, agent.key);
    expect(asAgent.status).toBe(403);
    expect(await audits('follow_up.delegate')).toEqual([expect.stringMatching(/^key:/)]);

    const done = await cc.api('POST', `/v1/follow-ups/${theirs.body.items[0].id}/done`, undefined, colleague.key);
    expect(done.body.status).toBe('done');
  });
});
