/** Real Chromium (Debian's, through playwright-core) for the browser tests, and screenshots that show every icon. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Launches headless Chromium and opens one page of the tests' size; page errors go to `pageErrors`. */
export async function launchChromium(pageErrors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { browser, page };
}

/**
 * A full-page screenshot once every @grafana/ui icon has loaded: an icon is
 * fetched on first use and drawn as an empty `<svg>` until then, so a page
 * shot at once showed buttons without their icons.
 */
export async function screenshot(page: Page, path: string): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('#root svg')].every((svg) => svg.childElementCount > 0));
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}
