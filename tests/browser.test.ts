import type { Browser, Locator, Page } from 'playwright-core';
import { findRequest } from '../src/db/requests';
import { actionResponse, launchBrowser, loggedIn } from './support/browser';
import type { Citizen } from '../src/db/requests';
import { requestRow, submitRequest as submitRequestWith } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const citizen = { firstName: 'Éloïse', lastName: 'Vasquez-Tran', email: 'eloise.vt@example.org', phone: '06 11 22 33 44', address: '4 quai des Chartrons\n33000 Bordeaux' };
const withoutEmail = { firstName: 'Gaston', lastName: 'Lagaffe', phone: '05 00 00 00 00', address: '1 rue de la Gaffe' };

const submitRequest = async (who: Citizen) => (await submitRequestWith(h, { citizen: who, answers: { motif: 'Mariage', copies: 2 } })).reference;

const expectVisible = async (locator: Locator) => {
  await locator.waitFor();
  expect(await locator.isVisible()).toBe(true);
};
const status = (page: Page, label: string) => page.locator('#request-status', { hasText: label }).waitFor();

test('an agent takes a request with an edited acknowledgement, annotates it and closes it; then the personal data is gone', async () => {
  const ref = await submitRequest(citizen);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');

  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: /Non traitées/ }).click();
  await page.getByRole('heading', { name: 'Demandes non traitées' }).waitFor();
  await page.getByRole('link', { name: ref }).click();
  await page.getByRole('heading', { name: new RegExp(`Demande ${ref}`) }).waitFor();
  await page.getByText('Vasquez-Tran').first().waitFor();
  await page.getByText('Mariage').waitFor();

  // A marker on the window survives an htmx swap, not a page load.
  await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
  const subject = `Nous avons bien reçu votre demande ${ref}`;
  await page.getByLabel('Objet du courriel').fill(subject);
  await page.getByLabel('Texte du courriel').fill('Bonjour,\n\nVotre dossier est entre nos mains.\n\nAnne Martin');
  const took = await actionResponse(page, `/${ref}/take`, () => page.getByRole('button', { name: 'Prendre en compte et envoyer le courriel' }).click());
  expect(took).toBe(200);
  await status(page, 'En cours de traitement');
  await page.getByRole('status').filter({ hasText: 'Demande prise en compte.' }).waitFor();
  expect(await page.locator('#request-assignee').textContent()).toContain('Anne Martin');
  expect(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);

  const ack = await waitFor(() => h.mails.find((m) => m.subject === subject), 20000, 'the acknowledgement');
  expect(ack.to).toEqual([citizen.email]);
  expect(ack.text).toContain('Votre dossier est entre nos mains.');

  await page.locator('summary', { hasText: 'Baliser' }).click();
  await page.getByLabel('Événement').selectOption({ label: 'Appel téléphonique' });
  await page.getByLabel('Commentaire (facultatif)').fill("L'usagère rappellera lundi");
  expect(await actionResponse(page, `/${ref}/annotate`, () => page.getByRole('button', { name: "Ajouter l'événement" }).click())).toBe(200);
  await page.getByRole('row', { name: /Appel téléphonique.*Anne Martin.*rappellera lundi/ }).waitFor();

  await page.locator('summary', { hasText: 'Clôturer' }).click();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/${ref}/close-email?closingCode=TRAITEE`)),
    page.getByLabel('Code de clôture', { exact: true }).selectOption('TRAITEE'),
  ]);
  expect(await page.locator('#close-subject').inputValue()).toBe(`Clôture de votre demande ${ref}`);
  expect(await page.locator('#close-body').inputValue()).toContain('Décision : Traitée.');
  await page.locator('#close-body').fill('Bonjour,\n\nVotre acte de naissance part au courrier ce jour.\n\nAnne Martin');
  let question = '';
  page.once('dialog', (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  expect(await actionResponse(page, `/${ref}/close`, () => page.getByRole('button', { name: 'Clôturer et envoyer le courriel' }).click())).toBe(200);
  expect(question).toContain('irréversible');
  await status(page, 'Clôturée');
  expect(await page.locator('.summary').textContent()).toContain('Traitée');

  const closing = await waitFor(() => h.mails.find((m) => m.subject === `Clôture de votre demande ${ref}`), 20000, 'the closing e-mail');
  expect(closing.to).toEqual([citizen.email]);
  expect(closing.text).toContain('part au courrier ce jour');

  await waitFor(async () => (await findRequest(h.db, ref))?.purged_at, 20000, 'the purge');
  await page.reload();
  await page.getByText('Données personnelles supprimées').waitFor();
  const html = await page.content();
  expect(html).not.toContain('Vasquez-Tran');
  expect(html).not.toContain(citizen.email);
  expect(html).not.toContain('rappellera lundi');
  // The milestones stay.
  await page.getByRole('row', { name: /Appel téléphonique.*Anne Martin/ }).waitFor();
  await context.close();
});

test('without a citizen e-mail address, no e-mail is offered on take or close', async () => {
  const ref = await submitRequest(withoutEmail);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/demandes/${ref}`);
  await page.getByRole('button', { name: 'Prendre en compte', exact: true }).waitFor();
  expect(await page.getByRole('button', { name: /envoyer/ }).count()).toBe(0);
  expect(await page.getByLabel('Objet du courriel').count()).toBe(0);

  expect(await actionResponse(page, `/${ref}/take`, () => page.getByRole('button', { name: 'Prendre en compte', exact: true }).click())).toBe(200);
  await status(page, 'En cours de traitement');
  await page.locator('summary', { hasText: 'Clôturer' }).click();
  await page.getByRole('button', { name: 'Clôturer', exact: true }).waitFor();
  expect(await page.getByRole('button', { name: /envoyer/ }).count()).toBe(0);
  expect(await page.getByLabel('Objet du courriel').count()).toBe(0);
  await context.close();
});

test('hold with a date, resume and reassign from the action panel', async () => {
  const ref = await submitRequest(citizen);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/demandes/${ref}`);
  expect(await actionResponse(page, `/${ref}/take`, () => page.getByRole('button', { name: 'Prendre en compte sans envoyer' }).click())).toBe(200);
  await status(page, 'En cours de traitement');

  await page.locator('summary', { hasText: 'Mettre en attente' }).click();
  await page.getByLabel('Raison de la mise en attente').fill('Pièce justificative manquante');
  const min = await page.getByLabel("Jusqu'au (facultatif)").getAttribute('min');
  await page.getByLabel("Jusqu'au (facultatif)").fill(min!);
  expect(await actionResponse(page, `/${ref}/hold`, () => page.getByRole('button', { name: 'Mettre en attente' }).click())).toBe(200);
  await status(page, 'En attente');
  await page.getByText("En attente jusqu'au").waitFor();
  await page.getByRole('row', { name: /Mise en attente.*Pièce justificative manquante/ }).waitFor();

  expect(await actionResponse(page, `/${ref}/resume`, () => page.getByRole('button', { name: 'Reprendre le traitement' }).click())).toBe(200);
  await status(page, 'En cours de traitement');

  await page.locator('summary', { hasText: 'Réattribuer' }).click();
  await page.getByLabel('Réattribuer à').selectOption({ label: 'Bruno Durand' });
  expect(await actionResponse(page, `/${ref}/reassign`, () => page.getByRole('button', { name: 'Réattribuer', exact: true }).click())).toBe(200);
  await page.locator('#request-assignee', { hasText: 'Bruno Durand' }).waitFor();
  const told = await waitFor(() => h.mails.find((m) => m.to.includes('bdurand@mairie.example') && m.subject.includes(ref)), 20000, 'the reassignment e-mail');
  expect(told.to).toEqual(['bdurand@mairie.example']);
  expect(await requestRow(h, ref)).toMatchObject({ status: 'EN_COURS', assignee_code: 'bdurand', hold_until: null });
  await context.close();
});

test('of two agents taking the same request, the second is told who was first', async () => {
  const ref = await submitRequest(citizen);
  const first = await loggedIn(browser, h.baseUrl, 'amartin');
  const second = await loggedIn(browser, h.baseUrl, 'bdurand');
  await Promise.all([first.page.goto(`/demandes/${ref}`), second.page.goto(`/demandes/${ref}`)]);

  expect(await actionResponse(first.page, `/${ref}/take`, () => first.page.getByRole('button', { name: 'Prendre en compte sans envoyer' }).click())).toBe(200);
  const refused = await actionResponse(second.page, `/${ref}/take`, () => second.page.getByRole('button', { name: 'Prendre en compte sans envoyer' }).click());
  expect(refused).toBe(409);
  await second.page.getByRole('alert').filter({ hasText: 'déjà été prise en compte par Anne Martin' }).waitFor();
  await status(second.page, 'En cours de traitement');
  expect(await second.page.locator('#request-assignee').textContent()).toContain('Anne Martin');
  expect(await second.page.getByRole('button', { name: /Prendre en compte/ }).count()).toBe(0);
  await Promise.all([first.context.close(), second.context.close()]);
});

test('without JavaScript, an action posts the form and comes back to the page with its outcome', async () => {
  const ref = await submitRequest(citizen);
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`/demandes/${ref}`);
  await page.getByLabel('Code agent').fill('amartin');
  await page.getByLabel('Mot de passe').fill('guichet-demo');
  await Promise.all([page.waitForURL(`**/demandes/${ref}`), page.getByRole('button', { name: 'Se connecter' }).click()]);
  await Promise.all([
    page.waitForURL(`**/demandes/${ref}`, { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Prendre en compte sans envoyer' }).click(),
  ]);
  const outcome = page.getByRole('status').filter({ hasText: 'Demande prise en compte.' });
  await outcome.waitFor();
  // A whole page came back, at the request's address, showing the new status and who has it.
  expect(new URL(page.url()).pathname).toBe(`/demandes/${ref}`);
  expect(await outcome.isVisible()).toBe(true);
  expect((await page.locator('#request-status').textContent())?.trim()).toContain('En cours de traitement');
  expect(await page.locator('#request-assignee').textContent()).toContain('Anne Martin');
  expect(await page.getByRole('button', { name: /Prendre en compte/ }).count()).toBe(0);
  await expectVisible(page.locator('summary', { hasText: 'Mettre en attente' }));
  expect(await requestRow(h, ref)).toMatchObject({ status: 'EN_COURS', assignee_code: 'amartin' });
  await context.close();
});

test('login: wrong credentials say nothing more, pages need a login, other services are refused', async () => {
  const ref = await submitRequest(citizen);
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`/demandes/${ref}`);
  expect(new URL(page.url()).pathname).toBe('/connexion');

  for (const [code, password] of [['amartin', 'mauvais'], ['inconnu', 'guichet-demo']]) {
    await page.getByLabel('Code agent').fill(code);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').filter({ hasText: 'Code agent ou mot de passe incorrect.' }).waitFor();
  }
  await page.getByLabel('Code agent').fill('cpetit');
  await page.getByLabel('Mot de passe').fill('guichet-demo');
  await Promise.all([page.waitForURL(`**/demandes/${ref}`), page.getByRole('button', { name: 'Se connecter' }).click()]);
  // Chloé Petit is in urbanisme; this request is état civil.
  await page.getByText("Vous n'avez pas de droits sur le service de cette demande.").waitFor();
  expect((await page.goto(`/demandes/${ref}`))?.status()).toBe(403);
  expect((await page.goto('/demandes/DEM-1999-000000'))?.status()).toBe(404);
  await page.getByText('Demande introuvable.').waitFor();

  await Promise.all([page.waitForURL('**/connexion'), page.getByRole('button', { name: 'Se déconnecter' }).click()]);
  await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/connexion');
  await context.close();
});

test('the dev mailbox exists only when e-mails are kept in the database, for administrators', async () => {
  const page = await browser.newPage();
  expect((await page.goto(`${h.baseUrl}/dev/boite-mail`))?.status()).toBe(404);

  const embedded = await startHarness({ env: { SMTP_URL: '' } });
  try {
    const res = await embedded.api('POST', '/api/requests', embedded.partnerKey, { formType: 'acte-naissance', citizen, answers: {} });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ reference: expect.stringMatching(new RegExp(`^${embedded.config.referencePrefix}-\\d{4}-\\d{6}$`)), status: 'NON_TRAITEE' });
    const ref: string = res.body.reference;
    await waitFor(async () => (await embedded.db('emails').where({ kind: 'RECEIPT', status: 'SENT' }).first('id')), 20000, 'the receipt');
    // Without login: the login page, which then leads to the mailbox (the administrator's only).
    await page.goto(`${embedded.baseUrl}/dev/boite-mail`);
    expect(new URL(page.url()).pathname).toBe('/connexion');
    await page.getByLabel('Code agent').fill('admin');
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await Promise.all([page.waitForURL((url) => url.pathname !== '/connexion'), page.getByRole('button', { name: 'Se connecter' }).click()]);
    await page.goto(`${embedded.baseUrl}/dev/boite-mail`);
    await page.getByRole('heading', { name: 'Boîte mail de développement' }).waitFor();
    const receipt = page.getByRole('row').filter({ hasText: citizen.email }).filter({ hasText: 'Accusé de dépôt' });
    await receipt.locator('summary').click();
    await receipt.getByText(ref).first().waitFor();
    await receipt.getByText('Envoyé').waitFor();
  } finally {
    await page.close();
    await embedded.close();
  }
});

test('presence: choosing one in the header swaps only the control, and at 390 px it stays within the width', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/demandes/non-traitees');
  await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
  const answered = page.waitForResponse((r) => r.url().endsWith('/presence') && r.request().method() === 'POST');
  await page.getByLabel('Présence', { exact: true }).selectOption({ label: 'Pause' });
  expect((await answered).status()).toBe(200);
  await page.getByRole('status').filter({ hasText: 'Présence : Pause.' }).waitFor({ state: 'attached' });
  expect(await page.getByLabel('Présence', { exact: true }).inputValue()).toBe('PAUSE');
  expect(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect((await h.db('agents').where({ code: 'amartin' }).first('presence')).presence).toBe('PAUSE');
  const box = (await page.locator('#presence-control').boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await page.getByLabel('Présence', { exact: true }).selectOption('DISPONIBLE');
  await waitFor(async () => (await h.db('agents').where({ code: 'amartin' }).first('presence')).presence === 'DISPONIBLE', 10000, 'back to Disponible');
  await context.close();
});
