// The agent desktop in a real Chromium: sign in, ready, a pop with the right customer and history,
// a shared number resolved with the picker, a cross-sell offer accepted, wrap-up written back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, openPage, screenshotPath, type WatchedPage } from '../helpers/browser.ts';
import { customerId, signIn, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

const missing = chromiumMissing();
if (missing) console.log(missing);

const visible = (page: Page, text: string | RegExp, timeout = 15_000) => page.getByText(text).first().waitFor({ state: 'visible', timeout });

describe.skipIf(missing !== null)('the agent desktop in Chromium', () => {
  let f: WebFixture;
  let w: WatchedPage;
  let agent: { id: string; key: string };
  let ada: number;

  beforeAll(async () => {
    f = await startWebFixture({ DISPOSITIONS: 'resolved,sale,callback-requested' });
    const { cc } = f;
    await cc.queue('support', ['8000'], { name: 'Private banking', ringTimeoutSeconds: 60, wrapUpSeconds: 0 });
    ada = await customerId(cc, 'Ada Lovelace');
    const rule = await cc.api('POST', '/v1/cross-sell/rules', {
      name: 'Platinum travel cover',
      segments: ['platinum'],
      productCode: 'INS-TRAVEL-PLUS',
      productName: 'Worldwide travel insurance',
      script: 'You travel a lot this year — our worldwide cover includes your family at no extra cost.',
      priority: 10,
    });
    expect(rule.status).toBe(201);

    // Ada called before: another agent took it and wrote notes; she has an open complaint.
    const linus = await cc.agent('Linus', ['support'], { ready: true });
    await cc.offer('history-1', '+1 415 555 0123', '8000');
    const earlier = await linus.desk.next<{ call: { id: string } }>('call:offered');
    await cc.event({ type: 'answered', callId: 'history-1' });
    await cc.event({ type: 'ended', callId: 'history-1', hangupBy: 'caller' });
    const wrapped = await linus.desk.emit('call:wrap-up', { callId: earlier.call.id, disposition: 'callback-requested', notes: 'Asked about refinancing; call back with the new rate.' });
    expect(wrapped.ok).toBe(true);
    await cc.api('POST', '/v1/tickets', { customerId: ada, subject: 'Card blocked abroad', category: 'complaint', priority: 'high' });
    expect((await linus.desk.emit('agent:set-state', { status: 'logged_out' })).ok).toBe(true);

    const created = await cc.api<{ agent: { id: string }; key: string }>('POST', '/v1/agents', { name: 'Grace Agent', skills: ['support'] });
    agent = { id: created.body.agent.id, key: created.body.key };
    const today = new Date().toISOString().slice(0, 10);
    await cc.api('POST', '/v1/follow-ups', { customerId: ada, dueDate: today, note: 'Send the refinancing rate sheet', assigneeAgentId: agent.id });

    w = await openPage(f.browser);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('signs in, goes ready with the keyboard and shows the pop of the calling customer with her history', async () => {
    const { page } = w;
    await signIn(page, `${f.cc.url}/`, agent.key);
    await visible(page, 'Grace Agent');
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toContain('Logged out');
    await visible(page, 'Send the refinancing rate sheet'); // today's follow-ups
    await page.keyboard.press('Alt+KeyR');
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toContain('Ready');

    await f.cc.offer('pbx-1', '+1 415 555 0123', '8000');
    await page.getByRole('heading', { name: 'Ada Lovelace', level: 2 }).waitFor({ timeout: 15_000 });
    await visible(page, 'Incoming call — answer it on your phone');
    await expect.poll(() => page.title()).toBe('☎ Call: Ada Lovelace'); // the tab title flashes
    const row = await f.t.database.db.selectFrom('customers').select('customer_number').where('id', '=', ada).executeTakeFirstOrThrow();
    await expect.poll(() => page.getByTestId('customer-number').textContent()).toBe(row.customer_number);
    await expect.poll(() => page.getByTestId('match-how').textContent()).toBe('One customer · on the full number');
    await visible(page, 'VIP');
    await visible(page, 'Asked about refinancing; call back with the new rate.');
    await visible(page, 'Card blocked abroad');
    await visible(page, 'Mortgage refinancing offer');
    await visible(page, '$850,000.00');
    await visible(page, 'Worldwide travel insurance');

    await page.keyboard.press('Alt+KeyA'); // take the pop: the ringing stops
    await page.getByRole('button', { name: /^Accept Alt\+A$/ }).waitFor({ state: 'detached' });
    await f.cc.event({ type: 'answered', callId: 'pbx-1' });
    await visible(page, /On the call \d+:\d\d/);
    await page.screenshot({ path: screenshotPath('agent-pop.png') });
  });

  it('records the accepted offer and the wrap-up, and the agent is ready again', async () => {
    const { page } = w;
    await page.getByRole('group', { name: 'Worldwide travel insurance' }).getByRole('button', { name: 'Accept' }).click();
    await visible(page, 'Recorded: Accept');

    await page.keyboard.press('Alt+KeyN');
    await page.keyboard.type('Wants the travel cover from next month. 王小明 will call too.');
    await page.getByLabel('Disposition').selectOption('sale');
    expect(await page.getByRole('button', { name: 'Save wrap-up' }).isDisabled()).toBe(true); // still on the call
    await f.cc.event({ type: 'ended', callId: 'pbx-1', hangupBy: 'caller' });
    await visible(page, 'Call ended — wrap up');
    await page.getByRole('button', { name: 'Save wrap-up' }).click();
    await visible(page, 'Saved: Sale');
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toContain('Ready');

    const db = f.t.database.db;
    const call = await f.cc.row(await f.t.container.calls.idFor('api', 'pbx-1'), (r) => r.disposition !== null);
    expect(call).toMatchObject({ customer_id: ada, agent_id: Number(agent.id), disposition: 'sale', notes: 'Wants the travel cover from next month. 王小明 will call too.', status: 'ended' });
    const prompt = await db
      .selectFrom('cross_sell_prompts as p')
      .innerJoin('cross_sell_rules as r', 'r.id', 'p.rule_id')
      .select('p.outcome')
      .where('p.call_id', '=', call.id)
      .where('r.product_name', '=', 'Worldwide travel insurance')
      .executeTakeFirstOrThrow();
    expect(prompt.outcome).toBe('accepted');
    const audit = await db.selectFrom('audit_log').select(['action', 'actor_role']).where('entity_id', '=', call.id).execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'cross_sell.outcome', actor_role: 'agent' }, { action: 'call.wrap_up', actor_role: 'agent' }]));
  });

  it('lets the agent pick the right customer when a number is shared', async () => {
    const { page } = w;
    const vincent = await customerId(f.cc, 'Vincent Hopper');
    await f.cc.offer('pbx-2', '+1 415 555 0199', '8000');
    await visible(page, 'This number belongs to 2 customers — who is calling?');
    await page.getByRole('button', { name: /^Choose Vincent Hopper/ }).click();
    await page.getByRole('heading', { name: 'Vincent Hopper', level: 2 }).waitFor();
    await visible(page, 'Chosen from 2 customers on this number.');
    await visible(page, /Household member: Grace Hopper/);

    const callId = await f.t.container.calls.idFor('api', 'pbx-2');
    await expect.poll(async () => (await f.cc.row(callId)).customer_id).toBe(vincent);
    const audit = await f.t.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', callId).execute();
    expect(audit.map((a) => a.action)).toContain('call.link_customer');

    // The caller gives up while it rings: the pop says so and can be closed.
    await f.cc.event({ type: 'ended', callId: 'pbx-2', hangupBy: 'caller' });
    await visible(page, 'The call left: the caller hung up');
    await page.getByRole('button', { name: 'Close' }).click();
    await visible(page, 'Ready — waiting for a call…');
  });

  it('completes the provisional contact of an unknown number, and opens a ticket and a follow-up from the call', async () => {
    const { page } = w;
    await f.cc.offer('pbx-3', '+1 303 555 0100', '8000', { callerName: '李雷' });
    await page.getByRole('heading', { name: '李雷', level: 2 }).waitFor({ timeout: 15_000 });
    await visible(page, 'Complete the provisional contact');
    await page.getByLabel('Last name').fill('李');
    await page.getByLabel('First name').fill('雷');
    await page.getByLabel('Company').fill('星光贸易有限公司');
    await page.getByRole('button', { name: 'Save customer' }).click();
    await page.getByRole('heading', { name: 'Complete the provisional contact' }).waitFor({ state: 'detached' });
    const callId = await f.t.container.calls.idFor('api', 'pbx-3');
    const customer = await f.t.database.db.selectFrom('customers').selectAll().where('id', '=', Number((await f.cc.row(callId)).customer_id)).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ display_name: '李雷', company_name: '星光贸易有限公司', provisional: false });

    await f.cc.event({ type: 'answered', callId: 'pbx-3' });
    await page.getByText('Create a ticket').click();
    await page.getByLabel('Subject').fill('Wrong invoice address');
    await page.getByLabel('Category').selectOption('billing');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await visible(page, /^Ticket #\d+ created$/);
    await page.getByText('Schedule a follow-up').click();
    await page.getByLabel('What to do').fill('Call back with the corrected invoice');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await visible(page, /^Follow-up scheduled for /);
    const db = f.t.database.db;
    expect(await db.selectFrom('tickets').select(['subject', 'category']).where('call_id', '=', callId).execute()).toEqual([{ subject: 'Wrong invoice address', category: 'billing' }]);
    expect(await db.selectFrom('follow_ups').select(['note', 'assignee_agent_id']).where('call_id', '=', callId).execute()).toEqual([
      { note: 'Call back with the corrected invoice', assignee_agent_id: Number(agent.id) },
    ]);

    // Click-to-dial shows what the server answers (no telephony side on this server; Chromium
    // itself logs the refused request).
    const stop = w.allow(/Failed to load resource: the server responded with a status of (404|503)/);
    await page.getByRole('button', { name: 'Call 李雷' }).click();
    await visible(page, /not available/i);
    stop();

    await f.cc.event({ type: 'ended', callId: 'pbx-3', hangupBy: 'caller' });
    await page.getByLabel('Disposition').selectOption('resolved');
    await page.getByRole('button', { name: 'Save wrap-up' }).click();
    await visible(page, 'Saved: Resolved');
  });

  it('says when the number is withheld, and links the customer the agent finds by search', async () => {
    const { page } = w;
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toContain('Ready');
    await f.cc.offer('pbx-4', undefined, '8000', { withheld: true });
    await page.getByRole('heading', { name: 'Number withheld', level: 2 }).waitFor({ timeout: 15_000 });
    await visible(page, 'The caller withheld their number. Ask who is calling and find them with the search.');
    await page.keyboard.press('Alt+KeyF');
    await page.keyboard.type('Katherine');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Make Katherine Johnson the customer on this call' }).click();
    await page.getByRole('heading', { name: 'Katherine Johnson', level: 2 }).waitFor();
    const callId = await f.t.container.calls.idFor('api', 'pbx-4');
    await expect.poll(async () => (await f.cc.row(callId)).customer_id).toBe(await customerId(f.cc, 'Katherine Johnson'));
    await f.cc.event({ type: 'ended', callId: 'pbx-4', hangupBy: 'caller' });
    await visible(page, 'The call left: the caller hung up');
  });

  it('logged no console errors', () => {
    expect(w.errors).toEqual([]);
  });
});
