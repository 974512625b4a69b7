import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeMessage } from '../src/commands/writeMessage';
import { loadAgent } from '../src/db/agents';
import { replyToken } from '../src/messages/secureLink';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { EXECUTABLE, PDF } from './support/files';
import { fileOf, formClient } from './support/formClient';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ env: { REFRESH_SECONDS: '3600' } }), launchBrowser()]);
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  context.setDefaultTimeout(30000);
  page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Code agent').fill('admin');
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL('**/role**'), page.getByRole('button', { name: 'Se connecter' }).click()]);
  await Promise.all([page.waitForURL('**/admin'), page.getByRole('main').getByRole('button', { name: 'Administrer' }).click()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function addField(label: string, key: string, type: string, opts: { required?: boolean; options?: string; help?: string } = {}) {
  await page.getByLabel('Libellé', { exact: true }).fill(label);
  await page.getByLabel('Identifiant', { exact: true }).fill(key);
  await page.getByLabel('Type', { exact: true }).selectOption({ label: type });
  if (opts.required) await page.getByLabel('Obligatoire', { exact: true }).check();
  if (opts.help) await page.getByLabel('Texte d’aide (facultatif)').fill(opts.help);
  if (opts.options) await page.getByLabel('Choix, un par ligne (listes de choix et cases à cocher)').fill(opts.options);
  await page.getByRole('button', { name: 'Ajouter le champ' }).click();
}

test('an administrator defines a form; changing it later leaves the requests already filed as they were', async () => {
  await page.goto('/admin/demarches/occupation-domaine-public');
  await page.getByRole('link', { name: 'Formulaire en ligne (champs)' }).click();
  await page.getByText('Ce formulaire n’a pas encore de champs propres.').waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  await addField('Nature de l’occupation', 'nature', 'Liste de choix', { required: true, options: 'Terrasse\nÉchafaudage\nBenne' });
  await page.getByText('Version 1 du formulaire.').waitFor();
  // A refused field says why and keeps what was typed.
  await addField('Sans choix', 'vide', 'Cases à cocher');
  await page.getByRole('alert').filter({ hasText: 'Une liste de choix a besoin d’au moins un choix' }).waitFor();
  expect(await page.getByLabel('Libellé', { exact: true }).inputValue()).toBe('Sans choix');
  await page.goto('/admin/demarches/occupation-domaine-public/formulaire');
  await addField('Adresse de l’occupation', 'lieu', 'Adresse postale', { required: true });
  await addField('Plan', 'plan', 'Fichier', { help: 'Un plan coté, en PDF.' });
  await page.getByText('Version 3 du formulaire.').waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);

  // Filed with version 3.
  const citizen = formClient(h.baseUrl);
  const filed = await citizen.post('/formulaires/occupation-domaine-public', '/formulaires/occupation-domaine-public',
    { nom: 'Café', prenom: 'Du Port', nature: 'Terrasse', 'lieu-rue': '1 quai de la Fosse', 'lieu-code-postal': '44000', 'lieu-commune': 'Nantes' },
    [fileOf('plan', 'plan.pdf', PDF)]);
  expect(filed.status).toBe(303);
  const first = await h.db('requests').orderBy('id', 'desc').first('reference', 'form_version_id');

  // Renamed and reordered: version 5; the earlier request keeps its labels.
  await page.getByRole('link', { name: 'Modifier Nature de l’occupation' }).click();
  await page.getByLabel('Libellé', { exact: true }).fill('Type d’occupation');
  await page.getByRole('button', { name: 'Enregistrer le champ' }).click();
  await page.getByRole('button', { name: 'Descendre Type d’occupation' }).click();
  await page.getByText('Version 5 du formulaire.').waitFor();
  await page.goto('/formulaires/occupation-domaine-public');
  const labels = await page.locator('#section-demande .form-field > label, #section-demande .form-field legend').allTextContents();
  expect(labels[0]).toContain('Adresse de l’occupation');
  expect(labels.some((l) => l.includes('Type d’occupation'))).toBe(true);

  expect((await h.db('form_versions').where({ id: first.form_version_id }).first('version')).version).toBe(3);
  await page.goto(`/demandes/${first.reference}`);
  await page.getByText('Nature de l’occupation').waitFor();
  expect(await page.getByText('Type d’occupation').count()).toBe(0);

  // Unpublished: out of the catalogue, and its page is gone for citizens.
  await page.goto('/admin/demarches/occupation-domaine-public/formulaire');
  await page.getByLabel('Proposée dans le catalogue public des démarches en ligne').uncheck();
  await page.getByRole('button', { name: 'Enregistrer la présentation' }).click();
  await page.getByText('Présentation enregistrée.').waitFor();
  const catalogue = await citizen.call('GET', '/formulaires');
  expect(catalogue.text).not.toContain('Occupation du domaine public');
  expect((await citizen.call('GET', '/formulaires/occupation-domaine-public')).status).toBe(404);
});

test('message attachments are refused whole when one is not acceptable; nothing is recorded', async () => {
  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Zoé', lastName: 'Pièces', email: 'zoe@example.org' }, answers: {} });
  const { reference, trackingCode } = filed.body;
  expect((await h.api('POST', `/api/requests/${reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  const { id } = await h.db('requests').where({ reference }).first('id');

  const agent = await loggedIn(browser, h.baseUrl, 'amartin');
  await agent.page.goto(`/demandes/${reference}`);
  await agent.page.locator('summary', { hasText: 'Écrire un message' }).click();
  await agent.page.getByLabel('Message', { exact: true }).fill('Voici le document.');
  await agent.page.getByLabel('Pièces jointes (facultatif)').setInputFiles([
    { name: 'ok.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'setup.pdf', mimeType: 'application/pdf', buffer: EXECUTABLE },
  ]);
  await agent.page.getByRole('button', { name: 'Envoyer le message' }).click();
  await agent.page.getByRole('alert').filter({ hasText: 'Le fichier « setup.pdf » n’est ni un PDF' }).waitFor();
  await agent.context.close();

  const citizen = formClient(h.baseUrl);
  const link = `/suivi/${trackingCode}/repondre?jeton=${replyToken(h.config.sessionSecret, id)}`;
  const six = Array.from({ length: 6 }, (_, i) => fileOf('fichiers', `p${i}.pdf`, PDF));
  const tooMany = await citizen.post(link, `/suivi/${trackingCode}/repondre`, { jeton: replyToken(h.config.sessionSecret, id), body: 'Mes pièces' }, six);
  expect(tooMany.status).toBe(400);
  expect(tooMany.text).toContain('5 fichiers au plus.');
  expect(await h.db('messages').where({ request_id: id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  expect(await h.db('attachments').where({ request_id: id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
});

test('a citizen downloads the files of the messages they can see with their tracking code, never an internal note’s nor another request’s', async () => {
  const file = (name: string) => {
    const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-up-')), name);
    fs.writeFileSync(p, PDF);
    return { field: 'fichiers', path: p, fileName: name, size: PDF.length };
  };
  const file1 = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'A', lastName: 'Un' }, answers: {} });
  const file2 = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'B', lastName: 'Deux' }, answers: {} });
  const amartin = (await loadAgent(h.db, (await h.db('agents').where({ code: 'amartin' }).first('id')).id))!;
  await writeMessage(h.ctx, amartin, file1.body.reference, { body: 'Pour vous', visible: true, finalCode: null, uploads: [file('public.pdf')] });
  await writeMessage(h.ctx, amartin, file1.body.reference, { body: 'Entre nous', visible: false, finalCode: null, uploads: [file('interne.pdf')] });
  const ids = Object.fromEntries((await h.db('attachments').whereIn('file_name', ['public.pdf', 'interne.pdf']).select('file_name', 'id')).map((a) => [a.file_name, a.id]));
  const get = (code: string, id: number) => fetch(`${h.baseUrl}/suivi/${code}/pieces/${id}`);

  const seen = await get(file1.body.trackingCode, ids['public.pdf']);
  expect(seen.status).toBe(200);
  expect(seen.headers.get('content-disposition')).toContain('public.pdf');
  expect(Buffer.from(await seen.arrayBuffer()).equals(PDF)).toBe(true);
  expect((await get(file1.body.trackingCode, ids['interne.pdf'])).status).toBe(404);
  expect((await get(file2.body.trackingCode, ids['public.pdf'])).status).toBe(404);
  const page = await (await fetch(`${h.baseUrl}/suivi?code=${file1.body.trackingCode}`)).text();
  expect(page).toContain('public.pdf');
  expect(page).not.toContain('interne.pdf');
});
