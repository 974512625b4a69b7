// The telephone in Chromium: Anne has a request open; a simulated call (the connector's
// reports, as `npx guichet telephonie simuler` sends them) makes the caller's file appear in
// her page without a reload; the hangup records the call on that request, with its duration,
// and the panel offers the wrap-up. Screenshots of the panel at 1366 and 390 px.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createTelephonyKey } from '../src/calls/keys';
import { createCitizen } from '../src/db/citizens';
import { accessibilityViolations, actionResponse, launchBrowser, loggedIn } from './support/browser';
import { agentByCode, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { takesScreenshots } from './support/screenAudit';

let h: Harness;
let browser: Browser;
let key: string;
const SCREENS = process.env.PHONE_SCREENS_DIR ?? path.join(__dirname, '.tmp', 'screens', process.env.DATABASE_URL ? 'mariadb' : 'sqlite', 'telephony');

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  key = (await createTelephonyKey(h.db, 'Standard')).secret;
  fs.mkdirSync(SCREENS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const report = (event: string, callId: string, caller: string) => h.api('POST', '/api/telephonie/appels', key, { event, callId, caller, agent: 'amartin' });
const noReload = (page: Page) => page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
const sameDocument = (page: Page) => page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument === true);
const panel = (page: Page) => page.locator('#phone-panel');

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // No horizontal overflow at either width.
    expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    if (process.env.PHONE_SCREENS_DIR || takesScreenshots()) {
      await page.screenshot({ path: path.join(SCREENS, `${name}-${width}.png`), fullPage: true });
      await panel(page).screenshot({ path: path.join(SCREENS, `${name}-panneau-${width}.png`) });
    }
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

test('a call answered shows the caller\'s file in Anne\'s open page without a reload; the hangup records it with its duration, then the wrap-up', async () => {
  const amartin = await agentByCode(h, 'amartin');
  const { id: citizenId } = await createCitizen(h.db, { firstName: 'Jeanne', lastName: 'Dupré', phone: '06 12 34 56 78', email: 'jeanne@example.org' }, amartin.id);
  const filed = await submitRequest(h, { citizenId });
  const other = await submitRequest(h, { formType: 'acte-mariage', citizenId });

  const anne = await loggedIn(browser, h.baseUrl, 'amartin');
  await anne.page.goto(`/demandes/${filed.reference}`);
  await anne.page.getByRole('heading', { name: new RegExp(filed.reference) }).first().waitFor();
  await noReload(anne.page);
  expect(await panel(anne.page).isVisible()).toBe(false);

  const callId = `navigateur-${Date.now()}`;
  await report('ringing', callId, '+33612345678');
  await panel(anne.page).getByText('Appel entrant').waitFor({ timeout: 10_000 });
  expect(await report('answered', callId, '+33612345678')).toMatchObject({ status: 200 });
  // Within the poll (every second), without a reload: the file, her open requests.
  const region = anne.page.getByRole('region', { name: /Appel en cours/ });
  await region.getByRole('link', { name: 'Jeanne Dupré' }).waitFor({ timeout: 10_000 });
  await region.getByRole('link', { name: other.reference }).waitFor();
  await region.getByText(`L'appel sera enregistré sur la demande ${filed.reference}`).waitFor({ timeout: 10_000 });
  expect(await sameDocument(anne.page)).toBe(true);
  expect(await accessibilityViolations(anne.page)).toEqual([]);
  await shoot(anne.page, 'appel-en-cours');

  await anne.page.waitForTimeout(1500);
  const ended = await report('hangup', callId, '+33612345678');
  expect(ended.body.durationSeconds).toBeGreaterThanOrEqual(1);
  await panel(anne.page).getByText(`Appel enregistré sur la demande ${filed.reference}`).waitFor({ timeout: 10_000 });
  const event = await waitFor(() => h.db('events').where({ request_id: filed.id, type: 'APPEL_TELEPHONIQUE' }).first());
  expect(Number(event.call_seconds)).toBe(ended.body.durationSeconds);
  expect(await sameDocument(anne.page)).toBe(true);
  expect(await accessibilityViolations(anne.page)).toEqual([]);
  await shoot(anne.page, 'appel-termine');

  // The wrap-up: a code, recorded as « Enregistrer l'appel » does; the panel says so.
  await panel(anne.page).getByLabel("Résultat de l'appel").selectOption('JOINT');
  expect(await actionResponse(anne.page, '/qualification', () => panel(anne.page).getByRole('button', { name: "Qualifier l'appel" }).click())).toBe(200);
  await panel(anne.page).getByText(`Appel qualifié sur la demande ${filed.reference}`).waitFor();
  expect(await h.db('events').where({ request_id: filed.id, type: 'CALL_LOGGED', wrap_up_code: 'JOINT' }).first()).toBeTruthy();
  // The request's history says it once the page is read again.
  await anne.page.reload();
  await anne.page.getByText(`Appel téléphonique (${ended.body.durationSeconds} s)`).waitFor();

  // An unknown number on the home page: « Créer la fiche », « Saisir une demande ».
  await anne.page.goto('/');
  const unknown = `navigateur-inconnu-${Date.now()}`;
  await report('answered', unknown, '+32470123456');
  await panel(anne.page).getByRole('link', { name: 'Créer la fiche' }).waitFor({ timeout: 10_000 });
  expect(await accessibilityViolations(anne.page)).toEqual([]);
  await shoot(anne.page, 'numero-inconnu');
  await report('hangup', unknown, '+32470123456');
  await panel(anne.page).getByText('Sur quelle demande enregistrer').waitFor({ timeout: 10_000 });
  await shoot(anne.page, 'choisir-la-demande');
  await panel(anne.page).getByRole('link', { name: 'Créer la fiche' }).click();
  await anne.page.waitForURL((url) => url.pathname === '/usagers/nouveau');
  expect(await anne.page.getByLabel(/Téléphone/).inputValue()).toBe('+32470123456');
  await anne.context.close();
}, 300_000);
