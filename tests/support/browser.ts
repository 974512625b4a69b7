import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/seed/demo';

/** Debian's Chromium: the suite never downloads a browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A browser context of its own (its own session cookie), logged in as a demo agent. */
export async function loggedIn(browser: Browser, baseUrl: string, code: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Code agent').fill(code);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  return { context, page };
}

/** The answer to an htmx action on a request, e.g. `/take`, once the click that sends it is done. */
export async function actionResponse(page: Page, path: string, click: () => Promise<void>): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(path)),
    click(),
  ]);
  return response.status();
}
