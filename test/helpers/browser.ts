import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Null when Chromium is there; otherwise the one line a skipped browser test prints. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export async function launchChromium(): Promise<Browser> {
  // playwright gives every launch a fresh, throw-away user data dir.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records console errors and uncaught exceptions; a test ends by expecting none. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  /**
   * Console errors the test expects: the browser's own reports of failed requests the page handles
   * (the network cut on purpose, an error status the page shows). Returns a function that ends it.
   */
  allow(pattern: RegExp): () => void;
}

export async function openPage(browser: Browser, opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 720 }, locale: opts.locale ?? 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors: string[] = [];
  const allowed: RegExp[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allowed.some((a) => a.test(m.text()))) errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  const allow = (p: RegExp) => {
    allowed.push(p);
    return () => void allowed.splice(allowed.indexOf(p), 1);
  };
  return { page, context, errors, allow };
}

/** Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1 (for the README), else test-results/. */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
