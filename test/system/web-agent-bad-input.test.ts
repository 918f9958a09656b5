// Bad input on the agent desktop in Chromium: markup in a customer's name is shown as text, a note
// over 5,000 characters is refused before sending, a wrap-up sent while the network is down is kept
// and sent when it is back. Also: the language is the agent's own and follows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, openPage, screenshotPath, type WatchedPage } from '../helpers/browser.ts';
import { signIn, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';
import { CuttableProxy } from '../helpers/cuttable-proxy.ts';

const missing = chromiumMissing();
if (missing) console.log(missing);

const visible = (page: Page, text: string | RegExp, timeout = 15_000) => page.getByText(text).first().waitFor({ state: 'visible', timeout });
const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Bobby Tables';

describe.skipIf(missing !== null)('the agent desktop with bad input, in Chromium', () => {
  let f: WebFixture;
  const pages: WatchedPage[] = [];
  const page = async () => {
    const w = await openPage(f.browser);
    pages.push(w);
    return w;
  };
  const newAgent = async (name: string, skill: string) => {
    const r = await f.cc.api<{ agent: { id: string }; key: string }>('POST', '/v1/agents', { name, skills: [skill] });
    return { id: r.body.agent.id, key: r.body.key };
  };
  const callRow = async (externalId: string, ok: (r: Record<string, any>) => boolean = () => true) => f.cc.row(await f.t.container.calls.idFor('api', externalId), ok);

  beforeAll(async () => {
    f = await startWebFixture();
    await f.cc.queue('zh', ['8200'], { name: '中文服务', wrapUpSeconds: 0 });
    await f.cc.queue('support', ['8000'], { name: 'Support', wrapUpSeconds: 0 });
    await f.cc.customer(HOSTILE, '+1 212 555 0142', { notes: '喜欢下午来电。地址：上海市浦东新区世纪大道100号' });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('keeps the language the agent chose, on any computer', async () => {
    const mei = await newAgent('王美', 'zh');
    const w = await page();
    await signIn(w.page, `${f.cc.url}/`, mei.key);
    await w.page.getByLabel('Language').selectOption('zh-CN');
    await visible(w.page, '查找客户');
    await expect.poll(() => w.page.getByTestId('agent-state').textContent()).toContain('已签出');
    await expect.poll(async () => (await f.t.database.db.selectFrom('agents').select('locale').where('id', '=', Number(mei.id)).executeTakeFirstOrThrow()).locale).toBe('zh-CN');

    // Another browser with nothing stored: the desktop comes up in Chinese once signed in.
    const other = await page();
    await signIn(other.page, `${f.cc.url}/`, mei.key);
    await visible(other.page, '查找客户');
    await other.context.close();
    meiKey = mei.key;
    meiPage = w;
  });

  let meiKey = '';
  let meiPage: WatchedPage;

  it('shows markup in a customer name as text and runs none of it', async () => {
    const { page: p } = meiPage;
    expect(meiKey).not.toBe('');
    await p.keyboard.press('Alt+KeyR');
    await expect.poll(() => p.getByTestId('agent-state').textContent()).toContain('就绪');
    await f.cc.offer('bad-1', '+1 212 555 0142', '8200');
    const title = p.getByRole('heading', { level: 2, name: HOSTILE });
    await title.waitFor({ timeout: 15_000 });
    expect(await title.textContent()).toBe(HOSTILE);
    expect(await p.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await p.locator('article.pop img, article.pop script').count()).toBe(0);
    await visible(p, '喜欢下午来电。地址：上海市浦东新区世纪大道100号');
    await f.cc.event({ type: 'answered', callId: 'bad-1' });
    await visible(p, /通话中 \d+:\d\d/);
    await p.screenshot({ path: screenshotPath('agent-pop-zh.png') });
  });

  it('refuses a note over 5,000 characters before sending, then saves one of exactly 5,000', async () => {
    const { page: p } = meiPage;
    await f.cc.event({ type: 'ended', callId: 'bad-1', hangupBy: 'agent' });
    await visible(p, '通话已结束 — 请完成话后处理');
    await p.getByLabel('处理结果').selectOption('resolved');
    const notes = p.getByLabel(/^备注/);
    await notes.fill('长'.repeat(5001));
    await visible(p, '5001 / 5000 字符');
    await p.getByRole('button', { name: '保存话后处理' }).click();
    await visible(p, '备注最多 5000 个字符，请删去 1 个字符。未保存任何内容。');
    expect((await callRow('bad-1')).disposition).toBeNull();

    await notes.fill('长'.repeat(5000));
    await p.getByRole('button', { name: '保存话后处理' }).click();
    await visible(p, '已保存：已解决');
    const row = await callRow('bad-1', (r) => r.disposition !== null);
    expect(row.notes).toHaveLength(5000);
  });

  it('keeps a wrap-up sent while the connection is down and sends it when the connection is back', async () => {
    const proxy = await CuttableProxy.start(f.cc.url);
    try {
      const ann = await newAgent('Ann', 'support');
      const w = await page();
      // The browser's own reports of the refused connections while the network is cut.
      w.allow(/WebSocket connection to .* failed|net::ERR_/);
      await signIn(w.page, `${proxy.url}/`, ann.key);
      await w.page.getByRole('button', { name: /^Ready/ }).click();
      await expect.poll(() => w.page.getByTestId('agent-state').textContent()).toContain('Ready');
      await f.cc.offer('drop-1', '+1 415 555 0123', '8000');
      await w.page.getByRole('heading', { name: 'Ada Lovelace', level: 2 }).waitFor({ timeout: 15_000 });
      await f.cc.event({ type: 'answered', callId: 'drop-1' });
      await f.cc.event({ type: 'ended', callId: 'drop-1', hangupBy: 'caller' });
      await visible(w.page, 'Call ended — wrap up');

      proxy.cut();
      await visible(w.page, 'Connection lost — reconnecting…');
      await w.page.getByLabel('Disposition').selectOption('resolved');
      await w.page.getByLabel(/^Notes/).fill('Typed while the network was down.');
      await w.page.getByRole('button', { name: 'Save wrap-up' }).click();
      await visible(w.page, /^Not saved — reconnecting/);
      await new Promise((r) => setTimeout(r, 500));
      expect((await callRow('drop-1')).disposition).toBeNull();

      proxy.restore();
      await visible(w.page, 'Saved: Resolved', 30_000);
      const row = await callRow('drop-1', (r) => r.disposition !== null);
      expect(row).toMatchObject({ disposition: 'resolved', notes: 'Typed while the network was down.' });
      await expect.poll(() => w.page.getByTestId('agent-state').textContent()).toContain('Ready');
    } finally {
      await proxy.close();
    }
  });

  it('logged no console errors', () => {
    expect(pages.flatMap((w) => w.errors)).toEqual([]);
  });
});
