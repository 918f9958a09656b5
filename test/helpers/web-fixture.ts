import { inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTestApp, type TestApp } from './app.ts';
import { CallCenter } from './call-center.ts';
import { launchChromium } from './browser.ts';

/** The whole service (PostgreSQL when there is one, else PGlite) with the demo customers, and Chromium. */
export interface WebFixture {
  t: TestApp;
  cc: CallCenter;
  browser: Browser;
  close(): Promise<void>;
}

export async function startWebFixture(env: Record<string, string> = {}): Promise<WebFixture> {
  const t = await createTestApp(inject('databaseUrl') ? 'postgres' : 'pglite', { SEED_DEMO: 'true', ...env });
  const cc = await CallCenter.on(t);
  const browser = await launchChromium();
  return {
    t,
    cc,
    browser,
    async close() {
      await browser.close();
      cc.close();
      await t.close();
    },
  };
}

/** The demo customer with this display name. */
export async function customerId(cc: CallCenter, name: string): Promise<number> {
  const r = await cc.api<{ items: Array<{ id: number; displayName: string }> }>('GET', `/v1/customers?q=${encodeURIComponent(name)}&match=contains`);
  const found = r.body.items.find((c) => c.displayName === name);
  if (!found) throw new Error(`no demo customer ${name}`);
  return found.id;
}

/** Opens a page and signs in with an API key, as a person would. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel(/API key|API 密钥/).fill(key);
  await page.getByRole('button', { name: /Sign in|登录/ }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: /^(Connected|已连接)$/ }).count(), { timeout: 15_000 }).toBe(1);
}
