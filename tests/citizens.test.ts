import type { Browser } from 'playwright-core';
import { accessibilityViolations, actionResponse, loggedIn } from './support/browser';
import { fillBirthAnswers, startWithBirthForm } from './support/birthForm';
import { PDF, PNG } from './support/files';
import { storedFileCount } from './support/storedFiles';
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

const linkIn = (text: string) => /(http:\/\/localhost:1\/suivi\/\S+)/.exec(text)![1];

test('a citizen files a form with an attachment, follows it, answers the agent with a file; the final answer purges files and messages', async () => {
  // The citizen: catalogue, form, errors beside the fields with the input kept, then filed.
  const citizen = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  citizen.setDefaultTimeout(30000);
  const cpage = await citizen.newPage();
  await cpage.goto('/formulaires');
  expect(await accessibilityViolations(cpage)).toEqual([]);
  await cpage.getByRole('link', { name: "Demande d'acte de naissance" }).click();
  await cpage.getByRole('heading', { name: "Demande d'acte de naissance" }).waitFor();
  expect(await accessibilityViolations(cpage)).toEqual([]);
  await cpage.getByLabel('Nom', { exact: false }).first().fill('Dupré-Laforêt');
  await cpage.getByLabel('Adresse électronique').fill('pas-une-adresse');
  await cpage.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await cpage.getByRole('alert').filter({ hasText: 'Le formulaire n’a pas été envoyé' }).waitFor();
  expect(await cpage.locator('#champ-prenom-erreur').textContent()).toBe('Ce champ est obligatoire.');
  expect(await cpage.locator('#champ-courriel-erreur').textContent()).toContain('Adresse électronique invalide');
  expect(await cpage.locator('#champ-justificatif-erreur').textContent()).toBe('Joignez au moins un fichier.');
  expect(await cpage.locator('#champ-nom').inputValue()).toBe('Dupré-Laforêt');
  expect(await cpage.locator('#champ-prenom').getAttribute('aria-invalid')).toBe('true');
  expect(await accessibilityViolations(cpage)).toEqual([]);
  expect(await h.db('requests').count({ n: '*' }).first()).toMatchObject({ n: 0 });

  await cpage.locator('#champ-prenom').fill('Léa');
  await cpage.locator('#champ-courriel').fill('lea@example.org');
  await cpage.locator('#champ-adresse').fill('12 rue des Lilas');
  await cpage.locator('#champ-adresse-code-postal').fill('44000');
  await cpage.locator('#champ-adresse-commune').fill('Nantes');
  await fillBirthAnswers(cpage, { born: '1990-04-02', place: 'Nantes', reason: 'Passeport', file: { name: 'carte-identité.pdf', mimeType: 'application/pdf', buffer: PDF } });
  await cpage.getByLabel('Copie intégrale').check();
  await cpage.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await cpage.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  expect(await accessibilityViolations(cpage)).toEqual([]);
  const reference = (await cpage.locator('#reference').textContent())!.trim();
  const trackingCode = (await cpage.locator('#code-suivi').textContent())!.trim();
  const row = await h.db('requests').where({ reference }).first('id', 'channel', 'form_version_id');
  expect(row.channel).toBe('web');
  expect(row.form_version_id).not.toBeNull();
  expect(await storedFileCount(h, [row.id])).toBe(1);

  const receipt = await waitFor(() => h.mails.find((m) => m.subject === `Votre demande ${reference} a bien été reçue`), 15000, 'the receipt');
  expect(receipt.to).toEqual(['lea@example.org']);
  expect(receipt.text).toContain(trackingCode);

  await cpage.goto(`/suivi?code=${trackingCode}`);
  await cpage.getByRole('heading', { name: `Demande ${reference}` }).waitFor();
  await cpage.getByText('Non traitée').first().waitFor();

  // The agent: reads the answers under their labels, downloads the file, takes, holds waiting for the citizen, writes with a file.
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  context.setDefaultTimeout(30000);
  await page.goto(`/demandes/${reference}`);
  await page.getByText('Date de naissance').waitFor();
  await page.getByText('Copie intégrale').waitFor();
  const download = await page.request.get(await page.getByRole('link', { name: 'carte-identité.pdf' }).getAttribute('href') as string);
  expect(download.status()).toBe(200);
  expect(Buffer.from(await download.body()).equals(PDF)).toBe(true);
  expect(await accessibilityViolations(page)).toEqual([]);
  expect(await actionResponse(page, `/${reference}/take`, () => page.getByRole('button', { name: 'Prendre en compte sans envoyer' }).click())).toBe(200);
  await page.getByRole('status').filter({ hasText: 'Demande prise en compte.' }).waitFor();
  await page.locator('summary', { hasText: 'Mettre en attente' }).click();
  await page.getByLabel('Raison de la mise en attente').fill('Il manque la copie du livret de famille');
  await page.getByLabel("En attente de l'usager : sa réponse remettra la demande en cours").check();
  expect(await actionResponse(page, `/${reference}/hold`, () => page.getByRole('button', { name: 'Mettre en attente' }).click())).toBe(200);
  await page.locator('summary', { hasText: 'Écrire un message' }).click();
  await page.getByLabel('Message', { exact: true }).fill('Bonjour, merci de nous envoyer le livret de famille. Le formulaire à remplir est joint.');
  await page.getByLabel('Pièces jointes (facultatif)').setInputFiles([{ name: 'formulaire.pdf', mimeType: 'application/pdf', buffer: PDF }]);
  expect(await actionResponse(page, `/${reference}/message`, () => page.getByRole('button', { name: 'Envoyer le message' }).click())).toBe(200);
  await page.getByText('Message enregistré.').waitFor();
  await page.getByRole('link', { name: 'formulaire.pdf' }).waitFor();

  // The citizen answers through the e-mailed link, with a file.
  const mail = await waitFor(() => h.mails.find((m) => m.subject === `Un message au sujet de votre demande ${reference}`), 15000, 'the message e-mail');
  await cpage.goto(linkIn(mail.text).replace('http://localhost:1', h.baseUrl));
  await cpage.getByRole('heading', { name: 'Répondre au service' }).waitFor();
  await cpage.getByRole('link', { name: 'formulaire.pdf' }).waitFor();
  expect(await accessibilityViolations(cpage)).toEqual([]);
  await cpage.getByLabel('Votre réponse').fill('Voici le livret de famille.');
  await cpage.getByLabel('Pièces jointes (facultatif)').setInputFiles([{ name: 'livret.png', mimeType: 'image/png', buffer: PNG }]);
  await cpage.getByRole('button', { name: 'Envoyer ma réponse' }).click();
  await cpage.getByText('Votre réponse a bien été transmise au service. Merci.').waitFor();
  await cpage.getByRole('link', { name: 'livret.png' }).waitFor();
  expect(await storedFileCount(h, [row.id])).toBe(3);

  // Back in progress with the unread marker; the final answer closes it.
  expect(await h.db('requests').where({ id: row.id }).first('status', 'citizen_unread')).toMatchObject({ status: 'EN_COURS', citizen_unread: 1 });
  await page.goto('/demandes/en-cours');
  await page.getByRole('row', { name: new RegExp(`${reference}.*Nouveau message de l'usager`) }).waitFor();
  await page.getByRole('link', { name: reference }).click();
  await page.getByRole('link', { name: 'livret.png' }).waitFor();
  await page.locator('summary', { hasText: 'Écrire un message' }).click();
  await page.getByLabel('Message', { exact: true }).fill('Votre acte vous est envoyé par courrier.');
  await page.getByLabel('Réponse finale : clôturer la demande avec ce message').check();
  await page.getByLabel('Code de clôture (réponse finale)').selectOption({ label: 'Traitée' });
  expect(await actionResponse(page, `/${reference}/message`, () => page.getByRole('button', { name: 'Envoyer le message' }).click())).toBe(200);
  await waitFor(async () => (await h.db('requests').where({ id: row.id }).first('purged_at'))?.purged_at, 20000, 'the purge');
  expect(await storedFileCount(h, [row.id])).toBe(0);
  expect(await h.db('attachments').where({ request_id: row.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  expect(await h.db('messages').where({ request_id: row.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  expect(await h.db('request_personal').where({ request_id: row.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  await cpage.goto(`/suivi?code=${trackingCode}`);
  await cpage.getByText('Clôturée').first().waitFor();
  await citizen.close();
  await context.close();
});

test('the form works without JavaScript: filed from a browser that runs no script', async () => {
  const noScript = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR', javaScriptEnabled: false });
  noScript.setDefaultTimeout(30000);
  const page = await noScript.newPage();
  await page.goto('/formulaires/acte-naissance');
  await page.locator('#champ-nom').fill('Sans');
  await page.locator('#champ-prenom').fill('Script');
  await fillBirthAnswers(page, { born: '2001-01-31', place: 'Rezé', reason: 'Mariage', file: { name: 'scan.png', mimeType: 'image/png', buffer: PNG } });
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  const reference = (await page.locator('#reference').textContent())!.trim();
  const personal = await h.db('requests as r').join('request_personal as p', 'p.request_id', 'r.id').where('r.reference', reference).first('p.last_name', 'p.email', 'p.answers');
  expect(personal).toMatchObject({ last_name: 'Sans', email: null });
  expect(JSON.parse(personal.answers)).toEqual({ 'date-naissance': '2001-01-31', lieu: 'Rezé', motif: 'Mariage' });
  await page.getByText('Vous n’avez pas indiqué d’adresse électronique').waitFor();
  await noScript.close();
});
