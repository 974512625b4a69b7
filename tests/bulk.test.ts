import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

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

const submit = async (lastName: string, formType = 'acte-naissance', email?: string) => (await submitRequest(h, { formType, citizen: { firstName: 'Lot', lastName, email } })).reference;

const statusOf = async (ref: string) => (await h.db('requests').where({ reference: ref }).first('status', 'assignee_id', 'closing_code'));
const agentId = async (code: string) => (await h.db('agents').where({ code }).first('id')).id as number;

/** Picks the action in the bulk bar, applies it, and waits for the report. */
async function applyBulk(page: Page, action: string, options: { code?: string; agent?: string; all?: boolean } = {}) {
  if (options.all) {
    // The bar shows once a row is ticked; then « all N of this list ».
    await page.locator('input[name="ids"]').first().check();
    await page.getByLabel(/Agir sur toute la liste \(\d+ demandes?\)/).check();
  }
  await page.getByLabel('Action', { exact: true }).selectOption({ label: action });
  if (options.code) await page.getByLabel('Code de clôture (pour clôturer)').selectOption({ label: options.code });
  if (options.agent) await page.getByLabel('Agent (pour réattribuer)').selectOption({ label: options.agent });
  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
  // A close asks first, saying how many requests it closes and purges.
  if (action === 'Clôturer') await page.getByRole('button', { name: /^Clôturer (la demande|les \d+ demandes)$/ }).click();
  await page.waitForURL(/\/actions-groupees\/\d+\?retour=/);
  await page.getByRole('status').filter({ hasText: 'Terminé :' }).waitFor({ timeout: 60000 });
}

const reportItems = (page: Page, heading: RegExp) => page.getByRole('region', { name: heading }).getByRole('listitem').allTextContents();

test('tick rows and take them: a progress page ends with the report; a colleague faster on one is reported with the reason', async () => {
  const refs = [await submit('Alpha', 'acte-naissance', 'alpha@example.org'), await submit('Bravo'), await submit('Charlie')];
  expect((await h.api('POST', `/api/requests/${refs[1]}/take`, h.tokens.bdurand, { notifyCitizen: false })).status).toBe(200);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  // The list as it was before Bruno's take (he acted on a screen Anne does not see).
  await page.goto('/demandes/du-service?nom=lot');
  await page.getByText('3 demandes', { exact: true }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.getByRole('checkbox', { name: 'Tout cocher' }).check();
  expect(await page.locator('input[name="ids"]:checked').count()).toBe(3);
  await applyBulk(page, 'Prendre en compte');

  await page.getByText('Terminé : 2 réussies, 1 refusée, sur 3.').waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  expect(await reportItems(page, /^Refusées/)).toEqual([`${refs[1]} : Cette demande a déjà été prise en compte par Bruno Durand.`]);
  expect((await reportItems(page, /^Réussies/)).sort()).toEqual([refs[0], refs[2]].sort());
  expect(await page.getByRole('link', { name: 'Retour à la liste' }).getAttribute('href')).toBe('/demandes/du-service?nom=lot');
  const anne = await agentId('amartin');
  expect(await statusOf(refs[0])).toMatchObject({ status: 'EN_COURS', assignee_id: anne });
  expect(await statusOf(refs[1])).toMatchObject({ status: 'EN_COURS', assignee_id: await agentId('bdurand') });
  // The acknowledgement goes, as the bar offered by default, to the one citizen with an address.
  await waitFor(() => h.mails.find((m) => m.subject === `Votre demande ${refs[0]} est prise en compte`), 20000, 'acknowledgement');
  expect(h.mails.find((m) => m.subject.includes(`${refs[0]} est prise`))?.to).toEqual(['alpha@example.org']);

  // Then close the two with a closing code, and reassign nothing by mistake.
  await page.goto('/demandes/en-cours?nom=lot');
  await page.getByText('2 demandes', { exact: true }).waitFor();
  await page.getByRole('checkbox', { name: 'Tout cocher' }).check();
  await page.getByLabel('Envoyer le courriel prévu aux usagers qui ont une adresse').uncheck();
  await applyBulk(page, 'Clôturer', { code: 'Sans suite' });
  await page.getByText('Terminé : 2 réussies, 0 refusée, sur 2.').waitFor();
  expect(await statusOf(refs[0])).toMatchObject({ status: 'CLOTUREE', closing_code: 'SANS_SUITE' });
  expect(await statusOf(refs[2])).toMatchObject({ status: 'CLOTUREE', closing_code: 'SANS_SUITE' });
  // Unticked: no closing e-mail, and the closed request's personal data is gone.
  const closing = await h.db('emails').where({ kind: 'CLOSING' }).whereIn('request_id', h.db('requests').select('id').whereIn('reference', refs));
  expect(closing).toEqual([]);
  expect(h.mails.filter((m) => m.subject.startsWith('Clôture'))).toEqual([]);
  await waitFor(async () => (await h.db('requests').where({ reference: refs[0] }).first('purged_at')).purged_at, 20000, 'purge');
  await context.close();
});

test('reassign the ticked requests; a bad choice is said in French and starts nothing', async () => {
  const refs = [await submit('Delta'), await submit('Echo')];
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=delta');
  await page.locator('input[name="ids"]').first().check();
  // Clôturer without a code: refused before anything starts.
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Clôturer' });
  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
  const jobsBefore = Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n);
  await page.getByRole('alert').filter({ hasText: 'Choisissez le code de clôture à appliquer.' }).waitFor();
  expect(Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n)).toBe(jobsBefore);

  await page.locator('input[name="ids"]').first().check();
  await applyBulk(page, 'Réattribuer', { agent: 'Bruno Durand' });
  await page.getByText('Terminé : 1 réussie, 0 refusée, sur 1.').waitFor();
  expect(await statusOf(refs[0])).toMatchObject({ status: 'NON_TRAITEE', assignee_id: await agentId('bdurand') });
  expect(await statusOf(refs[1])).toMatchObject({ assignee_id: null });

  // From the search page, "all N" re-runs the search's own criteria.
  await page.goto('/recherche?nom=echo');
  await page.getByText('1 demande', { exact: true }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  await applyBulk(page, 'Réattribuer', { agent: 'Bruno Durand', all: true });
  await page.getByText('Terminé : 1 réussie, 0 refusée, sur 1.').waitFor();
  expect(await reportItems(page, /^Réussies/)).toEqual([refs[1]]);
  expect(await statusOf(refs[1])).toMatchObject({ status: 'NON_TRAITEE', assignee_id: await agentId('bdurand') });
  await context.close();
});

test('"all N of this list" acts beyond the visible page; another service\'s request slipped into the form is refused', async () => {
  const many: string[] = [];
  for (let i = 0; i < 105; i++) many.push(await submit(`Masse${i}`));
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=masse');
  await page.getByText('105 demandes', { exact: true }).waitFor();
  // 105: beyond the page of 100, and beyond one run of the bulk workflow (BULK_BATCH), which goes on in a fresh one.
  expect(await page.locator('input[name="ids"]').count()).toBe(100);
  // A refusal on the second page shows that page again, its tick kept.
  await page.goto('/demandes/non-traitees?nom=masse&page=2');
  await page.locator('input[name="ids"]').first().check();
  const onPage2 = await page.locator('input[name="ids"]').first().inputValue();
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Réattribuer' });
  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
  await page.getByRole('alert').filter({ hasText: 'Choisissez' }).waitFor();
  await page.getByText('Page 2 sur 2').waitFor();
  expect(await page.locator('input[name="ids"]:checked').count()).toBe(1);
  expect(await page.locator('input[name="ids"]:checked').inputValue()).toBe(onPage2);
  await page.goto('/demandes/non-traitees?nom=masse');
  await applyBulk(page, 'Prendre en compte', { all: true });
  await page.getByText('Terminé : 105 réussies, 0 refusée, sur 105.').waitFor();
  const taken = await h.db('requests').whereIn('reference', many).where({ status: 'EN_COURS' }).count({ n: '*' }).first();
  expect(Number(taken?.n)).toBe(105);

  // A hand-made post naming an urbanisme request beside one of hers: the job refuses the
  // first as unknown (its reference is not shown: it is not hers to know), takes the second.
  const foreign = await submit('Urbain', 'declaration-travaux');
  const own = await submit('Proche');
  const idOf = async (ref: string) => String((await h.db('requests').where({ reference: ref }).first('id')).id);
  const res = await postForm(context, page, '/actions-groupees', [['action', 'take'], ['ids', await idOf(foreign)], ['ids', await idOf(own)]]);
  expect(res.status()).toBe(200);
  const report = await context.newPage();
  await report.goto(res.url());
  await report.getByText('Terminé : 1 réussie, 1 refusée, sur 2.').waitFor();
  expect(await reportItems(report, /^Refusées/)).toEqual([`N° ${await idOf(foreign)} : Demande inconnue.`]);
  expect(await reportItems(report, /^Réussies/)).toEqual([own]);
  expect(await statusOf(foreign)).toMatchObject({ status: 'NON_TRAITEE', assignee_id: null });
  expect(await statusOf(own)).toMatchObject({ status: 'EN_COURS' });
  // And another agent cannot open Anne's job.
  const other = await loggedIn(browser, h.baseUrl, 'dleroy');
  const seen = await other.page.goto(res.url());
  expect(seen?.status()).toBe(403);
  await other.context.close();
  await context.close();
});

/** A form post with the page's session and CSRF token, as a hand-made request would be. */
async function postForm(context: BrowserContext, page: Page, url: string, fields: [string, string][]) {
  const headers = JSON.parse((await page.locator('body').getAttribute('hx-headers'))!);
  const form = new URLSearchParams([...fields, ['_csrf', headers['X-CSRF-Token']]]);
  return context.request.post(url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: form.toString() });
}

test('a job outlives its worker: the progress page waits at 0 / 3 while none runs, and ends with the report and the nav counts redrawn once one is back', async () => {
  const refs = [await submit('Relais1'), await submit('Relais2'), await submit('Relais3')];
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=relais');
  await page.getByText('3 demandes', { exact: true }).waitFor();
  const navCount = async (label: RegExp) => Number(await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: label }).locator('.count').textContent());
  const [unprocessed, mine] = [await navCount(/^Non traitées/), await navCount(/^En cours/)];
  await h.stopWorker();
  try {
    await page.getByRole('checkbox', { name: 'Tout cocher' }).check();
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Prendre en compte' });
    await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
    await page.waitForURL(/\/actions-groupees\/\d+\?retour=/);
    await page.getByText('En cours : 0 / 3 demandes traitées…').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    // Polled a few times meanwhile, still nothing done: no worker, no change.
    await page.waitForResponse((r) => /\/actions-groupees\/\d+$/.test(r.url()));
    await page.getByText('En cours : 0 / 3 demandes traitées…').waitFor();
    for (const ref of refs) expect(await statusOf(ref)).toMatchObject({ status: 'NON_TRAITEE' });
    expect(await navCount(/^Non traitées/)).toBe(unprocessed);
  } finally {
    await h.startWorker();
  }
  await page.getByRole('status').filter({ hasText: 'Terminé : 3 réussies, 0 refusée, sur 3.' }).waitFor({ timeout: 60000 });
  expect(await page.getByText(/En cours :/).count()).toBe(0);
  // The nav was drawn when the job started: the poll that sees it finished redraws its counts.
  await waitFor(async () => (await navCount(/^Non traitées/)) === unprocessed - 3 || null, 10000, 'the nav count of Non traitées');
  expect(await navCount(/^En cours/)).toBe(mine + 3);
  const anne = await agentId('amartin');
  for (const ref of refs) expect(await statusOf(ref)).toMatchObject({ status: 'EN_COURS', assignee_id: anne });
  await context.close();
});

const rowsOf = (page: Page) => page.locator('#list-region table.requests tbody tr');
const bar = (page: Page) => page.locator('#bulk-form');
const ticked = (page: Page) => page.locator('input[name="ids"]:checked');
/** The focused element, as `tag#id` or `tag.class`. */
const focused = (page: Page) => page.evaluate(`(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '.' + e.className))(document.activeElement)`);

test('the bulk bar comes after the table and shows once a row is ticked; the header box ticks the page', async () => {
  for (const name of ['Barre1', 'Barre2', 'Barre3']) await submit(name);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/demandes/non-traitees?nom=barre');
  await page.getByText('3 demandes', { exact: true }).waitFor();
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
  // The focus did not vanish with the bar.
  expect(await focused(page)).toBe('input.bulk-page');
  await context.close();
});

test('a bulk close asks first, with the number and the deletion: cancelling changes nothing and keeps the ticks; confirming closes', async () => {
  const refs = [await submit('Fermer1'), await submit('Fermer2')];
  // Only a request in progress (or on hold) closes: Bruno took them.
  for (const ref of refs) expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.bdurand, { notifyCitizen: false })).status).toBe(200);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/du-service?nom=fermer');
  await page.getByText('2 demandes', { exact: true }).waitFor();
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
  for (const ref of refs) expect(await statusOf(ref)).toMatchObject({ status: 'EN_COURS' });
  // The ticks and the choices are still there.
  expect(await ticked(page).count()).toBe(2);
  expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('close');
  expect(await page.getByLabel('Code de clôture (pour clôturer)').inputValue()).toBe('SANS_SUITE');
  expect(await page.getByLabel('Envoyer le courriel prévu aux usagers qui ont une adresse').isChecked()).toBe(false);

  await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
  await page.getByRole('button', { name: 'Clôturer les 2 demandes' }).click();
  await page.waitForURL(/\/actions-groupees\/\d+\?retour=/);
  await page.getByRole('status').filter({ hasText: 'Terminé :' }).waitFor({ timeout: 60000 });
  for (const ref of refs) expect(await statusOf(ref)).toMatchObject({ status: 'CLOTUREE', closing_code: 'SANS_SUITE' });
  await context.close();
});

test('a refused bulk submission shows the list again (the same search) with the ticks, the action and the reason', async () => {
  const refs = [await submit('Refus1'), await submit('Refus2'), await submit('Refus3')];
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  // From a search with two statuses: the list shown again is the same search.
  await page.goto('/recherche?nom=refus&statut=NON_TRAITEE&statut=EN_COURS');
  await page.getByText('3 demandes', { exact: true }).waitFor();
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
  expect(ids.sort()).toEqual([await idOf(refs[0]), await idOf(refs[2])].sort());
  await page.getByText('3 demandes', { exact: true }).waitFor();
  for (const status of ['Non traitée', 'En cours de traitement']) expect(await page.getByRole('checkbox', { name: status, exact: true }).isChecked()).toBe(true);
  expect(await accessibilityViolations(page)).toEqual([]);
  await context.close();
});
