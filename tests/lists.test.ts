// The lists as agents use them all day: the citizen's name in the first columns, a bulk bar
// that appears when rows are ticked and asks before a close, a refusal that keeps the
// agent's choices, and the keyboard's way to « Prendre en compte » of a listed request.
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { closedAndPurged, filedAt } from './support/rawRows';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  // Lists reload themselves when a colleague acts; here nothing must redraw the bar between a tick and its submit.
  [h, browser] = await Promise.all([startHarness({ env: { REFRESH_SECONDS: '3600' } }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const HOUR = 3600_000;
const file = (lastName: string, firstName = 'Jean', hoursAgo = 1, formType = 'acte-naissance') =>
  filedAt(h, { formType, citizen: { firstName, lastName, email: `${lastName.toLowerCase()}@example.org` }, at: Date.now() - hoursAgo * HOUR });
const submit = async (lastName: string) => (await submitRequest(h, { citizen: { firstName: 'Lot', lastName } })).reference;
const statusOf = async (ref: string) => (await h.db('requests').where({ reference: ref }).first('status', 'closing_code')).status as string;

const rowsOf = (page: Page) => page.locator('#list-region table.requests tbody tr');
const headersOf = (page: Page) => page.locator('#list-region table.requests thead th').allInnerTexts();
const nameCells = (page: Page) => page.locator('#list-region table.requests tbody td.citizen-col').allTextContents();
const bar = (page: Page) => page.locator('#bulk-form');
const ticked = (page: Page) => page.locator('input[name="ids"]:checked');
/** The focused element, as `tag#id` or `tag.class`. */
const focused = (page: Page) => page.evaluate(`(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '.' + e.className))(document.activeElement)`);

test('the name is the column after the reference, sorts by last name, is found by the search and shown there; a purged request says its data are deleted', async () => {
  const refs = [await file('Zébulon', 'Anne', 5), await file('Émeric', 'Paul', 4), await file('Dupont', 'Marie', 3)];
  const gone = await file('Effacé', 'Jean', 2);
  await closedAndPurged(h, gone.id);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees');
  // What agents look for first: reference, name, form type, status, due date; then the rest.
  expect((await headersOf(page)).map((s) => s.replace(/\s*[▲▼]$/, '').trim().toLowerCase()))
    .toEqual(['sélection', 'référence', 'usager', 'démarche', 'statut', 'échéance', 'agent', 'déposée le']);
  const sortByName = page.locator('#list-region thead').getByRole('link', { name: /^Usager/ });
  await sortByName.click();
  await page.waitForURL(/tri=name/);
  await page.locator('th[aria-sort="ascending"]', { hasText: 'Usager' }).waitFor();
  // Accents ignored: Émeric among the E's, before Zébulon.
  expect(await nameCells(page)).toEqual(['Dupont Marie', 'Émeric Paul', 'Zébulon Anne']);
  await sortByName.click();
  await page.waitForURL(/ordre=desc/);
  expect(await nameCells(page)).toEqual(['Zébulon Anne', 'Émeric Paul', 'Dupont Marie']);
  expect(await rowsOf(page).first().textContent()).toContain(refs[0].reference);
  expect(await accessibilityViolations(page)).toEqual([]);

  // The search by name shows the names it found; a purged request is found by its reference, without a name.
  await page.goto('/recherche?nom=emeric');
  expect(await nameCells(page)).toEqual(['Émeric Paul']);
  await page.goto(`/recherche?reference=${gone.reference}`);
  expect(await nameCells(page)).toEqual(['données supprimées']);
  expect(await accessibilityViolations(page)).toEqual([]);

  // The home page's blocks too.
  await page.goto('/');
  const deletions = page.getByRole('region', { name: 'Prochaines suppressions' });
  await deletions.getByRole('row', { name: new RegExp(`${refs[0].reference} Zébulon Anne`, 'i') }).waitFor();
  await context.close();
  for (const r of [...refs]) await closedAndPurged(h, r.id);
});

test('the bulk bar comes after the table and shows once a row is ticked; the header box ticks the page', async () => {
  for (const name of ['Barre1', 'Barre2', 'Barre3']) await file(name);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/demandes/non-traitees?nom=barre');
  await page.getByText('3 demande(s)').waitFor();
  expect(await bar(page).isHidden()).toBe(true);
  // The table first: its first rows are on screen at 1366×768.
  const firstRow = await rowsOf(page).first().boundingBox();
  expect(firstRow!.y + firstRow!.height).toBeLessThan(768);
  expect(await page.evaluate(`Boolean(document.querySelector('#list-region table').compareDocumentPosition(document.querySelector('#bulk-form')) & Node.DOCUMENT_POSITION_FOLLOWING)`)).toBe(true);

  await rowsOf(page).nth(1).locator('input[name="ids"]').check();
  await bar(page).waitFor();
  await bar(page).getByText('1 demande cochée').waitFor();
  // Only the chosen action's fields.
  expect(await page.getByLabel('Code de clôture (pour clôturer)').isHidden()).toBe(true);
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Clôturer' });
  expect(await page.getByLabel('Code de clôture (pour clôturer)').isVisible()).toBe(true);
  expect(await page.getByLabel('Agent (pour réattribuer)').isHidden()).toBe(true);
  expect(await accessibilityViolations(page)).toEqual([]);

  await page.getByRole('checkbox', { name: 'Tout cocher' }).check();
  expect(await ticked(page).count()).toBe(3);
  await bar(page).getByText('3 demandes cochées').waitFor();
  await page.getByLabel('Agir sur toute la liste (3 demandes), pas seulement les cochées').waitFor();
  await page.getByRole('button', { name: 'Tout décocher' }).click();
  expect(await ticked(page).count()).toBe(0);
  await bar(page).waitFor({ state: 'hidden' });
  await context.close();
});

test('a bulk close asks first, with the number and the deletion: cancelling changes nothing and keeps the ticks; confirming closes', async () => {
  const refs = [await submit('Fermer1'), await submit('Fermer2')];
  // Only a request in progress (or on hold) closes: Bruno took them.
  for (const ref of refs) expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.bdurand, { notifyCitizen: false })).status).toBe(200);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/du-service?nom=fermer');
  await page.getByText('2 demande(s)').waitFor();
  await page.getByRole('checkbox', { name: 'Tout cocher' }).check();
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Clôturer' });
  await page.getByLabel('Code de clôture (pour clôturer)').selectOption({ label: 'Sans suite' });
  await page.getByLabel('Envoyer le courriel prévu aux usagers qui ont une adresse').uncheck();
  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();

  const question = page.getByRole('region', { name: 'Clôturer 2 demandes ?' });
  await question.waitFor();
  await question.getByText('Les données personnelles de ces 2 demandes').waitFor();
  expect(await focused(page)).toBe('section.bulk-confirm');
  expect(await accessibilityViolations(page)).toEqual([]);
  const jobs = async () => Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n);
  const jobsBefore = await jobs();

  await question.getByRole('button', { name: 'Annuler' }).click();
  await question.waitFor({ state: 'detached' });
  expect(await jobs()).toBe(jobsBefore);
  for (const ref of refs) expect(await statusOf(ref)).toBe('EN_COURS');
  // The ticks and the choices are still there.
  expect(await ticked(page).count()).toBe(2);
  expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('close');
  expect(await page.getByLabel('Code de clôture (pour clôturer)').inputValue()).toBe('SANS_SUITE');
  expect(await page.getByLabel('Envoyer le courriel prévu aux usagers qui ont une adresse').isChecked()).toBe(false);

  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
  await page.getByRole('button', { name: 'Clôturer les 2 demandes' }).click();
  await page.waitForURL(/\/actions-groupees\/\d+\?retour=/);
  await page.getByRole('status').filter({ hasText: 'Terminé :' }).waitFor({ timeout: 60000 });
  for (const ref of refs) expect(await statusOf(ref)).toBe('CLOTUREE');
  await context.close();
});

test('a refused bulk submission shows the list again with the ticks, the action and the reason', async () => {
  const refs = [await file('Refus1'), await file('Refus2'), await file('Refus3')];
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=refus');
  await page.getByText('3 demande(s)').waitFor();
  await rowsOf(page).nth(0).locator('input[name="ids"]').check();
  await rowsOf(page).nth(2).locator('input[name="ids"]').check();
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Réattribuer' });
  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();

  const alert = page.getByRole('alert').filter({ hasText: 'Choisissez' });
  await alert.waitFor();
  expect(await focused(page)).toBe('p#bulk-error');
  expect(await page.getByLabel('Agent (pour réattribuer)').getAttribute('aria-invalid')).toBe('true');
  expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('reassign');
  const ids = await Promise.all((await ticked(page).all()).map((box) => box.inputValue()));
  const idOf = async (ref: string) => String((await h.db('requests').where({ reference: ref }).first('id')).id);
  expect(ids.sort()).toEqual([await idOf(refs[0].reference), await idOf(refs[2].reference)].sort());
  expect(await accessibilityViolations(page)).toEqual([]);
  await context.close();
});

test('the nav counts are redrawn when a bulk job finishes', async () => {
  for (const name of ['Compte1', 'Compte2']) await submit(name);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=compte');
  const navCount = async (label: RegExp) => Number(await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: label }).locator('.count').textContent());
  const before = await navCount(/^Non traitées/);
  const mineBefore = await navCount(/^En cours/);
  // No worker while the report page opens: its nav is drawn before the job has done anything.
  await h.stopWorker();
  try {
    await page.getByRole('checkbox', { name: 'Tout cocher' }).check();
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Prendre en compte' });
    await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
    await page.waitForURL(/\/actions-groupees\/\d+\?retour=/);
    await page.getByText(/En cours : 0 \/ 2/).waitFor();
    expect(await navCount(/^Non traitées/)).toBe(before);
  } finally {
    await h.startWorker();
  }
  await page.getByRole('status').filter({ hasText: 'Terminé :' }).waitFor({ timeout: 60000 });
  await waitFor(async () => (await navCount(/^Non traitées/)) === before - 2 || null, 10000, 'the nav count of Non traitées');
  expect(await navCount(/^En cours/)).toBe(mineBefore + 2);
  await context.close();
});

/** Presses Tab until `reached` holds of the focused element; the number of presses. */
async function tabsUntil(page: Page, reached: string, limit = 80): Promise<number> {
  for (let n = 1; n <= limit; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`Boolean(document.activeElement && document.activeElement.matches(${JSON.stringify(reached)}))`)) {
      return n;
    }
  }
  throw new Error(`not reached in ${limit} Tab presses: ${reached}`);
}

test('keyboard: « Prendre en compte » of the third unprocessed request in far fewer Tab presses than 60', async () => {
  for (const name of ['Clavier1', 'Clavier2', 'Clavier3']) await file(name);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/demandes/non-traitees?nom=clavier');
  await page.getByText('3 demande(s)').waitFor();
  // The list page: the skip link to the list, then down to the third row's link.
  const toSkip = await tabsUntil(page, 'a.skip-link[href="#liste"]');
  await page.keyboard.press('Enter');
  const toRow = await tabsUntil(page, '#liste tr:nth-child(3) th a');
  const third = await page.evaluate('document.activeElement.textContent');
  await Promise.all([page.waitForURL(`**/demandes/${third}`), page.keyboard.press('Enter')]);
  // The request page: its own skip link to the content, or straight on, whichever is shorter.
  const take = 'form[action$="/take"] button[type="submit"]';
  const straight = await tabsUntil(page, take);
  await page.reload();
  const toContent = await tabsUntil(page, 'a.skip-link[href="#contenu"]');
  await page.keyboard.press('Enter');
  const viaContent = toContent + (await tabsUntil(page, take));
  const onRequest = Math.min(straight, viaContent);
  const total = toSkip + toRow + onRequest;
  console.info(`Tab presses to « Prendre en compte » of the 3rd request: ${total} (list: ${toSkip} to the skip link + ${toRow} to the row; request page: ${onRequest}, straight ${straight}, via « Aller au contenu » ${viaContent})`);
  expect(toSkip + toRow).toBeLessThan(10);
  expect(total).toBeLessThan(30);
  await context.close();
});
