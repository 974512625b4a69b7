import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { submitRequest } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { readPdf } from './support/pdf';
import { closedAndPurged } from './support/rawRows';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  // The labels read the database only: requests are filed through the command, no worker runs them.
  [h, browser] = await Promise.all([startHarness({ worker: false }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const file = (formType: string, lastName: string, address: string | null) =>
  submitRequest(h, { formType, citizen: { firstName: 'Étiennette', lastName, address } });

/** A form post with the page's session and CSRF token, as a hand-made request would be. */
async function postForm(context: BrowserContext, page: Page, url: string, fields: [string, string][]) {
  const headers = JSON.parse((await page.locator('body').getAttribute('hx-headers'))!);
  const form = new URLSearchParams([...fields, ['_csrf', headers['X-CSRF-Token']]]);
  return context.request.post(url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: form.toString() });
}

test('labels: an A4 PDF of 3 × 8 address labels for "all N of this list", the requests without one listed on a last page', async () => {
  for (let i = 0; i < 30; i++) {
    await file('acte-naissance', `Étiquette${String(i).padStart(2, '0')}`, `${i} rue des Lilas\n75020 Paris`);
  }
  const noAddress = await file('acte-naissance', 'Étiquettesansadresse', null);
  await file('declaration-travaux', 'Étiquetteurbaine', '1 place de la Mairie\n75001 Paris');

  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=etiquette');
  await page.getByText('31 demandes', { exact: true }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  // The bulk bar shows once a row is ticked; then « all 31 ».
  await page.locator('input[name="ids"]').first().check();
  await page.getByLabel(/Agir sur toute la liste \(31 demandes\)/).check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Imprimer les étiquettes' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^etiquettes-\d{4}-\d{2}-\d{2}\.pdf$/);
  const pdf = await readPdf(fs.readFileSync(await download.path()));
  // 30 labels: a full sheet of 24 and a second of 6; then the page of requests without a label.
  expect(pdf.pages).toBe(3);
  // A4 portrait: 210 × 297 mm.
  expect(pdf.size.map((pt) => Math.round((pt * 25.4) / 72))).toEqual([210, 297]);
  // The 24 names of the first sheet: 3 columns 70 mm apart, 8 rows 37 mm apart.
  const names = pdf.items.filter((i) => i.str.startsWith('Étiennette'));
  expect(names).toHaveLength(24);
  const columns = [...new Set(names.map((n) => Math.round(n.x)))].sort((a, b) => a - b);
  const rows = [...new Set(names.map((n) => Math.round(n.y)))].sort((a, b) => a - b);
  expect(columns.map((x) => x - columns[0])).toEqual([0, 70, 140]);
  expect(rows.map((y) => y - rows[0])).toEqual([0, 37, 74, 111, 148, 185, 222, 259]);
  expect(pdf.text[0]).toContain('Étiennette Étiquette00');
  expect(pdf.text[0]).toContain('75020 Paris');
  expect(pdf.text[0]).toContain('Étiennette Étiquette23');
  expect(pdf.text[0]).not.toContain('Étiquette24');
  expect(pdf.text[1]).toContain('Étiennette Étiquette29');
  expect(pdf.text[2]).toContain(`${noAddress.reference} : pas d'adresse postale`);
  // Bruno (état civil + urbanisme) would get the urbanisme label; Anne's list does not hold it.
  expect(pdf.text.join('\n')).not.toContain('urbaine');
  await context.close();
});

test('labels of ticked rows: another service\'s id typed into the form is not printed; a closed request is listed as purged', async () => {
  const kept = await file('acte-naissance', 'Gardée', '3 impasse des Roses\n69001 Lyon');
  const closed = await file('acte-naissance', 'Close', '4 quai du Rhône\n69002 Lyon');
  await closedAndPurged(h, closed.id);
  const foreign = await file('signalement-voirie', 'Voirienne', '5 rue du Pont\n69003 Lyon');

  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees');
  const mixed = await postForm(context, page, '/etiquettes', [kept.id, closed.id, foreign.id].map((id): [string, string] => ['ids', String(id)]));
  expect(mixed.status()).toBe(200);
  expect(mixed.headers()['content-type']).toBe('application/pdf');
  const pdf = await readPdf(await mixed.body());
  expect(pdf.pages).toBe(2);
  expect(pdf.text[0]).toContain('Étiennette Gardée');
  expect(pdf.text[0]).toContain('69001 Lyon');
  expect(pdf.text[1]).toContain(`${closed.reference} : données personnelles supprimées (demande clôturée)`);
  const all = pdf.text.join('\n');
  expect(all).not.toContain('Voirienne');
  expect(all).not.toContain(foreign.reference);

  // Nothing ticked: said in French on the list, no PDF.
  const none = await postForm(context, page, '/etiquettes', [['retour', '/demandes/non-traitees']]);
  expect(none.headers()['content-type']).toMatch(/^text\/html/);
  expect(await none.text()).toContain('Cochez au moins une demande');
  await context.close();
});
