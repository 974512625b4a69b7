import type { Browser } from 'playwright-core';
import { accessibilityViolations, loggedIn } from './support/browser';
import { fillBirthAnswers, startWithBirthForm } from './support/birthForm';
import { PDF } from './support/files';
import { waitFor, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await startWithBirthForm();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

test('an agent creates a citizen file, finds it by phone, national number, e-mail and name, and enters a phone request that appears in it', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  context.setDefaultTimeout(30000);
  await page.getByRole('link', { name: 'Usagers' }).click();
  await page.getByRole('link', { name: 'Créer une fiche usager' }).click();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.locator('#champ-nom').fill('Dupré-Laforêt');
  await page.locator('#champ-prenom').fill('Jeanne');
  await page.locator('#champ-courriel').fill('Jeanne.Dupre@example.org');
  await page.locator('#champ-telephone').fill('06 11 22 33 44');
  await page.locator('#champ-numero-national').fill('2 85 04 44 109 123 45');
  await page.locator('#champ-adresse').fill('3 place du Marché');
  await page.locator('#champ-adresse-code-postal').fill('44100');
  await page.locator('#champ-adresse-commune').fill('Nantes');
  await page.getByRole('button', { name: 'Créer la fiche' }).click();
  await page.getByRole('heading', { name: 'Jeanne Dupré-Laforêt' }).waitFor();
  const fileUrl = new URL(page.url()).pathname;

  for (const q of ['0611223344', '285044410912345', 'jeanne.dupre@example.org', 'laforet jeanne']) {
    await page.goto(`/usagers?q=${encodeURIComponent(q)}`);
    await page.getByRole('link', { name: 'Dupré-Laforêt Jeanne' }).waitFor();
  }
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.goto('/usagers?q=inconnu');
  await page.getByRole('heading', { name: '0 usager trouvé' }).waitFor();

  // From the file: the entry form, prefilled; the channel is the phone.
  await page.goto(fileUrl);
  await page.getByRole('link', { name: 'Saisir une demande pour cet usager' }).click();
  await page.getByRole('link', { name: "Demande d'acte de naissance" }).click();
  expect(await page.locator('#champ-nom').inputValue()).toBe('Dupré-Laforêt');
  expect(await page.locator('#champ-adresse-code-postal').inputValue()).toBe('44100');
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.getByLabel('Téléphone', { exact: true }).first().check();
  await fillBirthAnswers(page, { born: '1985-04-12', place: 'Nantes', reason: 'Autre', file: { name: 'piece.pdf', mimeType: 'application/pdf', buffer: PDF } });
  await page.getByRole('button', { name: 'Enregistrer la demande' }).click();
  const notice = await page.getByRole('status').filter({ hasText: 'enregistrée (téléphone)' }).textContent();
  const [, reference, trackingCode] = /Demande (\S+) enregistrée.*usager : (\S+)\./.exec(notice!)!;
  const row = await h.db('requests').where({ reference }).first('channel', 'status', 'citizen_id', 'filed_by');
  expect(row).toMatchObject({ channel: 'phone', status: 'NON_TRAITEE' });
  // The URL names the file by its random public id, not its row id.
  expect((await h.db('citizens').where({ id: row.citizen_id }).first('public_id')).public_id).toBe(fileUrl.split('/').pop());
  // It follows the normal lifecycle: the receipt goes to the file's address.
  const receipt = await waitFor(() => h.mails.find((m) => m.subject === `Votre demande ${reference} a bien été reçue`), 15000, 'the receipt');
  expect(receipt.to).toEqual(['jeanne.dupre@example.org']);

  // The agent finds it by its tracking code, and in the file.
  await page.goto('/usagers');
  await page.getByLabel('Retrouver une demande par son code de suivi').fill(trackingCode.toLowerCase());
  await page.getByRole('button', { name: 'Retrouver' }).click();
  await page.getByRole('link', { name: reference }).waitFor();
  await page.goto(fileUrl);
  await page.getByRole('row', { name: new RegExp(`${reference}.*Demande d'acte de naissance.*Par téléphone.*Non traitée`) }).waitFor();

  // Closed and purged, it stays in the file as the stub.
  expect((await h.api('POST', `/api/requests/${reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  expect((await h.api('POST', `/api/requests/${reference}/close`, h.tokens.amartin, { closingCode: 'SANS_SUITE', notifyCitizen: false })).status).toBe(200);
  await waitFor(async () => (await h.db('requests').where({ reference }).first('purged_at'))?.purged_at, 20000, 'the purge');
  await page.goto(fileUrl);
  await page.getByRole('row', { name: new RegExp(`${reference}.*Clôturée.*Sans suite.*données personnelles supprimées`) }).waitFor();

  // An agent of a service with none of this citizen's requests does not see the file.
  const other = await loggedIn(browser, h.baseUrl, 'dleroy');
  expect((await other.page.goto(fileUrl))?.status()).toBe(404);
  await other.page.getByText('Dossier introuvable').first().waitFor();
  // Once the citizen has a request of his service too, he sees the file, but not the other service's request.
  const voirie = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'signalement-voirie', citizen: { firstName: 'Jeanne', lastName: 'Dupré-Laforêt', email: 'jeanne.dupre@example.org' }, answers: {} });
  expect(voirie.status).toBe(201);
  await other.page.goto(fileUrl);
  await other.page.getByText('1 autre demande de cet usager relève d’un autre service.').waitFor();
  expect(await other.page.getByRole('link', { name: reference }).count()).toBe(0);
  await other.context.close();
  await context.close();
});

test('a web request with the e-mail of a file joins that file; an entry from the catalogue may create the file', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  context.setDefaultTimeout(30000);
  await page.goto('/saisie');
  await page.getByRole('link', { name: "Demande d'acte de mariage" }).click();
  await page.getByLabel('Courrier').check();
  await page.locator('#champ-nom').fill('Courrier');
  await page.locator('#champ-prenom').fill('Marc');
  await page.locator('#champ-courriel').fill('marc@example.org');
  await page.getByLabel('Créer la fiche usager avec ces coordonnées').check();
  await page.getByRole('button', { name: 'Enregistrer la demande' }).click();
  await page.getByRole('status').filter({ hasText: 'enregistrée (courrier)' }).waitFor();
  const citizen = await h.db('citizens').where({ email: 'marc@example.org' }).first('id', 'public_id');
  expect(citizen).toMatchObject({ public_id: expect.any(String) });

  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-mariage', citizen: { firstName: 'Marc', lastName: 'Courrier', email: 'marc@example.org' }, answers: {} });
  expect(filed.status).toBe(201);
  await page.goto(`/usagers/${citizen.public_id}`);
  expect(await page.locator('#citizen-requests tbody tr').count()).toBe(2);
  await page.getByRole('row', { name: new RegExp(`${filed.body.reference}.*En ligne`) }).waitFor();
  await page.getByRole('cell', { name: 'Par courrier' }).waitFor();
  await context.close();
});
