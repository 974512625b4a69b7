import fs from 'node:fs';
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

/** The demo administrator, logged in and in the « Administrer » role (chosen after the login). */
export async function administering(browser: Browser, baseUrl: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Code agent').fill('admin');
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL('**/role**'), page.getByRole('button', { name: 'Se connecter' }).click()]);
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('main').getByRole('button', { name: 'Administrer' }).click()]);
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

let axeSource: string | undefined;

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  /** one CSS selector per node */
  targets: string[];
}

/**
 * axe-core run in the page: its violations (every impact) and what it could not decide
 * (« incomplete », to review). axe is evaluated through the DevTools protocol, which the
 * page's CSP (no inline script) does not govern.
 */
export async function axeResults(page: Page): Promise<{ violations: AxeFinding[]; incomplete: AxeFinding[] }> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Result = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Result[]; incomplete: Result[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations', 'incomplete'] });
    const findings = (list: Result[]) => list.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((n) => (n.target.length === 1 && typeof n.target[0] === 'string' ? n.target[0] : JSON.stringify(n.target))),
    }));
    return { violations: findings(result.violations), incomplete: findings(result.incomplete) };
  });
}

/** The serious and critical axe violations, as lines that say which rule and where (an empty list is the expected answer). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const { violations } = await axeResults(page);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.targets.map((t) => JSON.stringify([t])).join(', ')}`);
}
