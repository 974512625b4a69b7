import type { Browser, Page } from 'playwright-core';
import { findRequest } from '../src/db/requests';
import { findFormType } from '../src/db/formTypes';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { accessibilityViolations, launchBrowser } from './support/browser';
import { submitRequest as submitRequestWith } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Code agent').fill('admin');
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL('**/role**'), page.getByRole('button', { name: 'Se connecter' }).click()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const clean = async () => expect(await accessibilityViolations(page)).toEqual([]);

const submitRequest = async (formType: string) => (await submitRequestWith(h, { formType, citizen: { firstName: 'Paul', lastName: 'Admin' } })).reference;

test('an administrator with services chooses the role after login and switches from the header', async () => {
  await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
  await clean();
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('main').getByRole('button', { name: 'Administrer' }).click()]);
  await page.getByRole('navigation', { name: 'Administration' }).waitFor();
  await clean();
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.getByRole('banner').getByRole('button', { name: 'Traiter les demandes' }).click()]);
  // In the agent role, administration is refused until the switch.
  expect((await page.goto('/admin/services'))?.status()).toBe(403);
  await page.getByText("Cette page est réservée au rôle « Administrer »").waitFor();
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('banner').getByRole('button', { name: 'Administrer' }).click()]);
});

test('a changed delay is refused when badly written, and once saved the running requests obey it', async () => {
  const ref = await submitRequest('acte-naissance');
  await waitFor(async () => (await findRequest(h.db, ref))?.version, 20000, 'the workflow');
  const before = await findFormType(h.db, 'acte-naissance');

  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Démarches et délais' }).click();
  await page.getByRole('heading', { name: 'Démarches et délais' }).waitFor();
  await clean();
  await page.getByRole('link', { name: "Demande d'acte de naissance" }).click();
  await page.getByRole('heading', { name: /Démarche « Demande d'acte de naissance »/ }).waitFor();
  await clean();
  expect(await page.getByLabel('Suppression d\'une demande non traitée').inputValue()).toBe('30 j');

  await page.getByLabel("Suppression d'une demande non traitée").fill('deux jours');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('alert').filter({ hasText: "Suppression d'une demande non traitée : durée invalide « deux jours »" }).waitFor();
  expect(await findFormType(h.db, 'acte-naissance')).toEqual(before);

  await page.getByLabel('Avertissement avant suppression').fill('1 s');
  await page.getByLabel("Suppression d'une demande non traitée").fill('3 s');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('status').filter({ hasText: '1 demande ouverte suit les nouveaux délais' }).waitFor();
  expect(Number((await findFormType(h.db, 'acte-naissance'))!.deletion_ms)).toBe(3000);

  // The request filed under the 30-day delay is deleted under the new one, without restarting.
  const expired = await waitFor(async () => {
    const r = await findRequest(h.db, ref);
    return r?.status === 'CLOTUREE' ? r : null;
  }, 30000, 'the expiry under the new delay');
  expect(expired.closing_code).toBe('EXPIRED');
});

test('services, agents, codes: each page is accessible, and a bad input changes nothing', async () => {
  await page.goto('/admin/services');
  await clean();
  await page.getByLabel('Nom', { exact: true }).fill('Cimetières');
  await page.getByLabel('Identifiant').fill('Pas Bon');
  await page.getByRole('button', { name: 'Créer un service' }).click();
  await page.getByRole('alert').filter({ hasText: 'Identifiant invalide' }).waitFor();
  expect(await h.db('services').where({ name: 'Cimetières' }).first()).toBeUndefined();
  await page.getByLabel('Identifiant').fill('cimetieres');
  await page.getByRole('button', { name: 'Créer un service' }).click();
  await page.getByRole('status').filter({ hasText: 'Service « Cimetières » créé.' }).waitFor();

  await page.goto('/admin/agents');
  await clean();
  await page.goto('/admin/agents/2');
  await clean();

  await page.goto('/admin/codes/evenements');
  await clean();
  await page.getByLabel('Code', { exact: true }).fill('RENDEZ_VOUS');
  await page.getByLabel('Libellé', { exact: true }).fill('Rendez-vous en mairie');
  await page.getByRole('button', { name: 'Ajouter' }).click();
  await page.getByRole('status').filter({ hasText: 'Code RENDEZ_VOUS ajouté.' }).waitFor();
  await page.getByRole('row', { name: /RENDEZ_VOUS/ }).getByRole('button', { name: 'Supprimer' }).click();
  await page.getByRole('status').filter({ hasText: 'Code RENDEZ_VOUS supprimé.' }).waitFor();
  expect(await h.db('event_types').where({ code: 'RENDEZ_VOUS' }).first()).toBeUndefined();

  await page.goto('/admin/codes/clotures');
  await clean();
  expect(await page.getByRole('row', { name: /EXPIRED/ }).getByRole('button').count()).toBe(0);
  const refused = await page.request.post('/admin/codes/clotures/EXPIRED', { form: { _csrf: await page.locator('input[name=_csrf]').first().inputValue(), action: 'supprimer' } });
  expect(refused.status()).toBe(400);
  expect(await h.db('closing_codes').where({ code: 'EXPIRED' }).first('code')).toEqual({ code: 'EXPIRED' });
});

test('an e-mail template is previewed with sample data, refused when invalid, and once saved used by the next e-mails', async () => {
  await page.goto('/admin/courriels');
  await clean();
  await page.getByRole('link', { name: 'Information : nouvelle demande' }).click();
  await page.getByRole('listitem').filter({ hasText: '{{reference}}' }).first().waitFor();
  await clean();

  await page.getByLabel('Objet').fill('Nouveau dossier {{reference}} ({{demarche}})');
  await page.getByRole('button', { name: 'Prévisualiser' }).click();
  await page.locator('#preview-subject', { hasText: "Nouveau dossier DEM-2026-000123 (Demande d'acte de naissance)" }).waitFor();
  await clean();

  await page.getByLabel('Texte').fill('Bonjour {{#if nomAgent}}, {{reference}}');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('alert').filter({ hasText: /Modèle invalide : à la ligne \d+ du texte, une balise est mal écrite ou un bloc n’est pas fermé/ }).waitFor();
  expect(await h.db('email_templates').first()).toBeUndefined();

  await page.getByLabel('Texte').fill('Bonjour {{nomAgent}},\n\nÀ traiter : {{reference}}.\n{{lienDemande}}');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('status').filter({ hasText: 'Modèle enregistré' }).waitFor();

  const ref = await submitRequest('signalement-voirie');
  const mail = await waitFor(() => h.mails.find((m) => m.subject === `Nouveau dossier ${ref} (Signalement d'un problème de voirie)`), 20000, 'the information e-mail');
  expect(mail.text).toContain(`À traiter : ${ref}.`);
});
