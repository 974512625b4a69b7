// « Autres opérations » → « Scinder » in Chromium: the agent splits a request from its page
// and lands back on it, closed, with links to the two new requests. With SCREENS_DIR set,
// the pages are also saved as screenshots at 1366 and 390 px wide.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeMessage } from '../src/commands/writeMessage';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { agentByCode, moveTo, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await startHarness({ env: { REFRESH_SECONDS: '3600' } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function screens(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENS_DIR;
  if (!dir) {
    return;
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

test('an agent splits a request from « Autres opérations »: the form, then the original closed with links to both new requests', async () => {
  const filed = await submitRequest(h);
  await moveTo(h, filed.reference, 'EN_COURS', { agent: 'amartin' });
  await writeMessage(h.ctx, await agentByCode(h, 'amartin'), filed.reference, { body: 'Pouvez-vous préciser les deux actes demandés ?', visible: true, finalCode: null });
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/demandes/${filed.reference}`);
  await page.getByText('Autres opérations').click();
  await screens(page, 'request-other-operations');
  await page.getByRole('link', { name: 'Scinder' }).click();
  await page.waitForURL(`**/demandes/${filed.reference}/scinder`);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screens(page, 'split-form');

  // Sent with a part left empty: the summary first, the message beside the field, what was typed kept.
  await page.getByLabel('Première nouvelle demande').fill("L'acte de naissance de Léa.");
  await page.getByRole('button', { name: 'Scinder en deux demandes' }).click();
  expect(await page.locator('#erreurs').textContent()).toContain('Seconde nouvelle demande');
  expect(await page.getByLabel('Première nouvelle demande').inputValue()).toBe("L'acte de naissance de Léa.");
  expect(await page.title()).toMatch(/^Erreur : /);
  await screens(page, 'split-form-error');

  await page.getByLabel('Seconde nouvelle demande').fill("L'acte de naissance de Tom.");
  // The answer comes once the split is done (its workflow's steps: seconds on a loaded machine).
  await Promise.all([
    page.waitForURL(`**/demandes/${filed.reference}`, { timeout: 60000 }),
    page.getByRole('button', { name: 'Scinder en deux demandes' }).click({ noWaitAfter: true }),
  ]);
  expect(await page.locator('.message-success').first().textContent()).toContain(`Demande ${filed.reference} scindée en`);
  const links = page.locator('#split-parts a');
  expect(await links.count()).toBe(2);
  const first = (await links.first().textContent())!;
  await waitFor(async () => (await h.db('requests').where({ reference: filed.reference }).first()).purged_at, 20000, 'the original purged');
  await page.reload();
  expect((await page.locator('#request-status').textContent())?.trim()).toBe('Clôturée');
  await screens(page, 'split-original');
  await links.first().click();
  await page.waitForURL(`**/demandes/${first}`);
  expect(await page.locator('#split-from').textContent()).toContain(filed.reference);
  expect((await page.locator('#request-status').textContent())?.trim()).toBe('En cours de traitement');
  await screens(page, 'split-part');
  await context.close();
});
