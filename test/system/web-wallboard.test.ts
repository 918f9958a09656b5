// The supervisor wallboard in Chromium: a waiting caller, then the agent on that call, then the
// call a caller gave up on — live, without reloading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, openPage, screenshotPath, type WatchedPage } from '../helpers/browser.ts';
import { signIn, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

const missing = chromiumMissing();
if (missing) console.log(missing);

const visible = (page: Page, text: string | RegExp, timeout = 15_000) => page.getByText(text).first().waitFor({ state: 'visible', timeout });

describe.skipIf(missing !== null)('the supervisor wallboard in Chromium', () => {
  let f: WebFixture;
  let w: WatchedPage;
  const agentRow = (name: string) => w.page.locator('section.agents tr', { hasText: name });
  const list = (title: string) => w.page.locator('section.card', { has: w.page.getByRole('heading', { name: new RegExp(`^${title}`) }) });

  beforeAll(async () => {
    f = await startWebFixture({ DISPOSITIONS: 'resolved,sale' });
    await f.cc.queue('support', ['8000'], { name: 'Support', slThresholdSeconds: 20, wrapUpSeconds: 0, ringTimeoutSeconds: 60 });
    await f.cc.queue('sales', ['8200'], { name: 'Sales', slThresholdSeconds: 30, wrapUpSeconds: 0 });
    w = await openPage(f.browser);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('turns away keys that may not see the board, saying why', async () => {
    const { page } = w;
    await page.goto(`${f.cc.url}/wallboard`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Unknown or revoked API key');
    const agent = await f.cc.api<{ key: string }>('POST', '/v1/agents', { name: 'Nosy', skills: [] });
    await page.getByLabel('API key').fill(agent.body.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page, 'Not allowed — This namespace is for supervisor or admin keys');
  });

  it('shows the waiting caller, then the agent on the call, then the abandoned call', async () => {
    const key = await f.cc.api<{ key: string }>('POST', '/v1/api-keys', { name: 'floor TV', role: 'supervisor' });
    await signIn(w.page, `${f.cc.url}/wallboard`, key.body.key);
    await w.page.getByRole('heading', { name: 'Support', level: 2 }).waitFor();
    await visible(w.page, 'Nobody is waiting.');

    const linus = await f.cc.agent('Linus', ['support']);
    await f.cc.offer('wb-1', '+1 415 555 0123', '8000');
    await expect.poll(() => w.page.getByTestId('waiting-support').textContent()).toBe('1');
    await list('Callers waiting').getByText('Ada Lovelace').waitFor();

    expect((await linus.desk.emit('agent:set-state', { status: 'ready' })).ok).toBe(true);
    await linus.desk.next('call:offered');
    await f.cc.event({ type: 'answered', callId: 'wb-1' });
    await expect.poll(() => agentRow('Linus').textContent()).toContain('On a call');
    await expect.poll(() => w.page.getByTestId('waiting-support').textContent()).toBe('0');

    await f.cc.offer('wb-2', '2025550173', '8000'); // Katherine waits: Linus is busy
    await list('Callers waiting').getByText('Katherine Johnson').waitFor();
    await f.cc.event({ type: 'ended', callId: 'wb-2', hangupBy: 'caller' });
    await list('Abandoned today').getByText('Katherine Johnson').waitFor();
    await expect.poll(() => w.page.getByTestId('abandoned-support').textContent()).toMatch(/^1/);
    await visible(w.page, 'Nobody is waiting.');
  });

  it('counts the handled call and shows every agent state, in a TV mode readable across a room', async () => {
    // A fuller floor for the picture: Grace takes the next call while Linus is still on his,
    // Hedy is at lunch, a caller waits in Sales.
    const grace = await f.cc.agent('Grace', ['support'], { ready: true });
    await f.cc.offer('wb-3', '+1 646 555 0142', '8000');
    await grace.desk.next('call:offered');
    await f.cc.event({ type: 'answered', callId: 'wb-3' });
    const hedy = await f.cc.agent('Hedy', ['sales']);
    expect((await hedy.desk.emit('agent:set-state', { status: 'not_ready', reason: 'lunch' })).ok).toBe(true);

    const callId = await f.t.container.calls.idFor('api', 'wb-1');
    await f.cc.event({ type: 'ended', callId: 'wb-1', hangupBy: 'agent' });
    const wrap = await f.cc.api('POST', `/v1/calls/${callId}/wrap-up`, { disposition: 'resolved' });
    expect(wrap.status).toBe(200);
    await f.cc.offer('wb-4', '+33 6 12 34 56 78', '8200');
    await list('Callers waiting').getByText('Marie Curie').waitFor();
    await expect.poll(() => agentRow('Hedy').textContent()).toContain('Lunch');
    await expect.poll(() => agentRow('Grace').textContent()).toContain('On a call');
    await expect.poll(() => agentRow('Linus').textContent()).toContain('Ready');
    await expect.poll(async () => (await agentRow('Linus').locator('td').nth(4).textContent())?.trim()).toBe('1'); // handled today
    await w.page.screenshot({ path: screenshotPath('wallboard.png') });

    await w.page.getByRole('button', { name: 'TV mode' }).click();
    await expect.poll(() => w.page.evaluate(() => document.body.classList.contains('tv'))).toBe(true);
    await w.page.setViewportSize({ width: 1920, height: 1080 });
    await w.page.screenshot({ path: screenshotPath('wallboard-tv.png') });
    // Remembered on this screen: a reload comes back in TV mode.
    await w.page.reload();
    await w.page.getByRole('heading', { name: 'Support', level: 2 }).waitFor();
    await expect.poll(() => w.page.evaluate(() => document.body.classList.contains('tv'))).toBe(true);
  });

  it('logged no console errors', () => {
    expect(w.errors).toEqual([]);
  });
});
