import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  await seed();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const refs: Record<string, string> = {};

async function fileAndClose(formType: string, closer: string, closingCode: string, name: string): Promise<string> {
  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType, citizen: { firstName: name, lastName: 'Journal', email: `${name.toLowerCase()}@example.org` }, answers: { motif: 'secret' } });
  const ref = filed.body.reference as string;
  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens[closer], { notifyCitizen: false })).status).toBe(200);
  expect((await h.api('POST', `/api/requests/${ref}/close`, h.tokens[closer], { closingCode, notifyCitizen: false })).status).toBe(200);
  return ref;
}

async function seed() {
  refs.birth = await fileAndClose('acte-naissance', 'amartin', 'TRAITEE', 'Alice');
  refs.wedding = await fileAndClose('acte-mariage', 'bdurand', 'REJETEE', 'Bernard');
  refs.works = await fileAndClose('declaration-travaux', 'cpetit', 'SANS_SUITE', 'Camille');
  const open = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Ouvert', lastName: 'Encore' }, answers: {} });
  refs.open = open.body.reference;
  // The purge runs after the close: wait until the three stubs are anonymous.
  await waitFor(async () => (await h.db('requests').whereNotNull('purged_at').count({ n: '*' }).first())?.n == 3 || null, 20000, 'the purges');
}

test('the journal lists the closed requests of the agent\'s services: stub, closing code, milestones; filters in the URL', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'bdurand');
  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: 'Journal' }).click();
  await page.getByRole('heading', { name: 'Journal' }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  const rows = page.locator('#list-region tbody tr');
  // bdurand: état civil + urbanisme → all three; the open one is not in the journal.
  await page.getByText('3 demandes', { exact: true }).waitFor();
  const all = (await rows.allTextContents()).join('\n');
  for (const ref of [refs.birth, refs.wedding, refs.works]) expect(all).toContain(ref);
  expect(all).not.toContain(refs.open);
  expect(all).not.toContain('Alice');
  expect(await rows.filter({ hasText: refs.wedding }).textContent()).toMatch(/Bruno Durand[\s\S]*Rejetée[\s\S]*Demande déposée[\s\S]*Prise en compte[\s\S]*Clôturée/);

  await page.getByLabel('Code de clôture').selectOption({ label: 'Sans suite' });
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/code=SANS_SUITE/);
  await page.getByText('1 demande', { exact: true }).waitFor();
  expect(await rows.first().textContent()).toContain(refs.works);
  await page.reload();
  await page.getByText('1 demande', { exact: true }).waitFor();

  // Another agent sees only their service's part.
  const anne = await loggedIn(browser, h.baseUrl, 'amartin');
  await anne.page.goto('/journal');
  await anne.page.getByText('2 demandes', { exact: true }).waitFor();
  expect((await anne.page.locator('#list-region tbody tr').allTextContents()).join('\n')).not.toContain(refs.works);
  await anne.context.close();
  await context.close();
});

test('CSV and XLSX exports of the journal and of a view: whole list, parsed back, never another service\'s request', async () => {
  const { context } = await loggedIn(browser, h.baseUrl, 'amartin');
  const csvRes = await context.request.get('/exports/journal.csv');
  expect(csvRes.status()).toBe(200);
  expect(csvRes.headers()['content-disposition']).toMatch(/attachment; filename="journal-\d{4}-\d{2}-\d{2}\.csv"/);
  const csv = (await csvRes.body()).toString('utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.slice(1).trim().split(/\r?\n/).map((l) => l.split(';'));
  expect(lines[0]).toEqual(['Référence', 'Démarche', 'Service', 'Statut', 'Agent', 'Code de clôture', 'Déposée le', 'Prise en compte le', 'Clôturée le', 'Échéance', 'Jalons']);
  expect(lines.slice(1).map((l) => l[0]).sort()).toEqual([refs.birth, refs.wedding].sort());
  const birth = lines.find((l) => l[0] === refs.birth)!;
  expect(birth[4]).toBe('Anne Martin');
  expect(birth[5]).toBe('Traitée');
  // Dates in French, on Paris time; each milestone with its date and time.
  expect(birth[8]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  expect(birth[10]).toMatch(/déposée \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}, Prise en compte \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}, .*Clôturée \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  expect(csv).not.toContain('Alice');

  const xlsxRes = await context.request.get('/exports/journal.xlsx?code=TRAITEE');
  expect(xlsxRes.headers()['content-type']).toContain('spreadsheetml');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await xlsxRes.body()) as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Journal')!;
  expect(sheet.rowCount).toBe(2);
  expect(sheet.getRow(2).getCell(1).value).toBe(refs.birth);
  expect(sheet.getRow(2).getCell(9).value).toBeInstanceOf(Date);

  // A view: the open requests of état civil, not urbanisme's, even asked for by its slug.
  const view = (await (await context.request.get('/exports/du-service.csv')).body()).toString('utf8');
  expect(view).toContain(refs.open);
  expect(view).not.toContain(refs.birth);
  const foreign = (await (await context.request.get('/exports/recherche.csv?demarche=declaration-travaux')).body()).toString('utf8');
  expect(foreign.trim().split(/\r?\n/)).toHaveLength(1);
  expect((await context.request.get('/exports/inconnue.csv')).status()).toBe(404);
  await context.close();
});
