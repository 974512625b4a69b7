import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { editedForm, moveField, publishForm, removeField, saveField } from '../src/commands/admin/editForm';
import { writeMessage } from '../src/commands/writeMessage';
import { loadAgent, type Agent } from '../src/db/agents';
import { findFormDraft } from '../src/db/formDrafts';
import type { FieldDefinition } from '../src/forms/fields';
import { replyToken } from '../src/messages/secureLink';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { EXECUTABLE, PDF } from './support/files';
import { fileOf, formClient } from './support/formClient';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

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

/** Publishes the editor's draft, and waits for the version it made. */
async function publish(version: number) {
  await page.getByRole('button', { name: `Publier la version ${version}` }).click();
  // The confirmation, or (to say why in the failure) a refusal.
  const said = page.getByRole('status').filter({ hasText: `Version ${version} publiée` }).or(page.locator('.message[role="alert"]'));
  await said.first().waitFor();
  expect(await said.first().textContent()).toContain(`Version ${version} publiée`);
  await page.getByText(`Version ${version} du formulaire : celle que remplissent les usagers.`).waitFor();
  expect(await page.getByRole('heading', { name: 'Modifications non publiées' }).count()).toBe(0);
}

test('an administrator defines a form and publishes it; changing it later leaves the requests already filed as they were', async () => {
  await page.goto('/admin/demarches/occupation-domaine-public');
  await page.getByRole('link', { name: 'Formulaire en ligne (champs)' }).click();
  await page.getByText('Aucune version publiée').waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  await addField('Nature de l’occupation', 'nature', 'Liste de choix', { required: true, options: 'Terrasse\nÉchafaudage\nBenne' });
  // The change is a draft: shown as unpublished, no version yet, citizens see nothing of it.
  await page.getByRole('heading', { name: 'Modifications non publiées' }).waitFor();
  await page.getByText('modifié en dernier par Claire Admin').waitFor();
  await page.getByText('Aucune version publiée').waitFor();
  expect(await h.db('form_versions').join('form_types', 'form_types.id', 'form_versions.form_type_id').where('form_types.slug', 'occupation-domaine-public').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  expect((await formClient(h.baseUrl).call('GET', '/formulaires/occupation-domaine-public')).text).not.toContain('Nature de l’occupation');
  expect(await accessibilityViolations(page)).toEqual([]);
  // The form type's page says so too.
  await page.goto('/admin/demarches/occupation-domaine-public');
  await page.locator('.tag', { hasText: 'modifications non publiées' }).waitFor();
  await Promise.all([page.waitForURL('**/formulaire'), page.getByRole('link', { name: 'Formulaire en ligne (champs)' }).click()]);
  await publish(1);
  // A refused field says why and keeps what was typed.
  await addField('Sans choix', 'vide', 'Cases à cocher');
  await page.getByRole('alert').filter({ hasText: 'Une liste de choix a besoin d’au moins un choix' }).waitFor();
  expect(await page.getByLabel('Libellé', { exact: true }).inputValue()).toBe('Sans choix');
  await page.goto('/admin/demarches/occupation-domaine-public/formulaire');
  await addField('Adresse de l’occupation', 'lieu', 'Adresse postale', { required: true });
  await addField('Plan', 'plan', 'Fichier', { help: 'Un plan coté, en PDF.' });
  // The row buttons are ordinary buttons, readable (not the header's white-on-white style).
  const up = page.getByRole('button', { name: 'Monter Plan' });
  expect(await up.getAttribute('class')).not.toContain('link-button');
  expect(await up.evaluate((e) => {
    const style = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string } }).getComputedStyle(e);
    return [style.color, style.backgroundColor];
  })).toEqual(['rgb(29, 93, 122)', 'rgb(255, 255, 255)']);
  expect(await accessibilityViolations(page)).toEqual([]);
  await publish(2);

  // Filed with version 2.
  const citizen = formClient(h.baseUrl);
  const filed = await citizen.post('/formulaires/occupation-domaine-public', '/formulaires/occupation-domaine-public',
    { nom: 'Café', prenom: 'Du Port', nature: 'Terrasse', 'lieu-rue': '1 quai de la Fosse', 'lieu-code-postal': '44000', 'lieu-commune': 'Nantes' },
    [fileOf('plan', 'plan.pdf', PDF)]);
  expect(filed.status).toBe(303);
  const first = await h.db('requests').orderBy('id', 'desc').first('reference', 'form_version_id');

  // Renamed and reordered, then published: version 3; the earlier request keeps its labels.
  await page.getByRole('link', { name: 'Modifier Nature de l’occupation' }).click();
  await page.getByLabel('Libellé', { exact: true }).fill('Type d’occupation');
  await page.getByRole('button', { name: 'Enregistrer le champ' }).click();
  await page.getByRole('button', { name: 'Descendre Type d’occupation' }).click();
  await page.getByRole('status').filter({ hasText: 'Ordre des champs changé dans le brouillon.' }).waitFor();
  await page.getByText('Version 2 du formulaire : celle que remplissent les usagers.').waitFor();
  await publish(3);
  await page.goto('/formulaires/occupation-domaine-public');
  const labels = await page.locator('#section-demande .form-field > label, #section-demande .form-field legend').allTextContents();
  expect(labels[0]).toContain('Adresse de l’occupation');
  expect(labels.some((l) => l.includes('Type d’occupation'))).toBe(true);

  expect((await h.db('form_versions').where({ id: first.form_version_id }).first('version')).version).toBe(2);
  await page.goto(`/demandes/${first.reference}`);
  await page.getByText('Nature de l’occupation').waitFor();
  expect(await page.getByText('Type d’occupation').count()).toBe(0);

  // A change abandoned (a second step, it cannot be undone): the published version again, no version made.
  await page.goto('/admin/demarches/occupation-domaine-public/formulaire');
  await page.getByRole('button', { name: 'Retirer Plan' }).click();
  await page.getByRole('heading', { name: 'Modifications non publiées' }).waitFor();
  await page.locator('summary', { hasText: 'Abandonner les modifications' }).click();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Abandonner définitivement les modifications' }).click();
  await page.getByRole('status').filter({ hasText: 'Modifications abandonnées' }).waitFor();
  await page.getByRole('button', { name: 'Retirer Plan' }).waitFor();
  expect(await page.getByRole('heading', { name: 'Modifications non publiées' }).count()).toBe(0);
  expect(await h.db('form_versions').join('form_types', 'form_types.id', 'form_versions.form_type_id').where('form_types.slug', 'occupation-domaine-public').count({ n: '*' }).first()).toMatchObject({ n: 3 });

  // Unpublished: out of the catalogue, and its page is gone for citizens.
  await page.goto('/admin/demarches/occupation-domaine-public/formulaire');
  await page.getByLabel('Proposée dans le catalogue public des démarches en ligne').uncheck();
  await page.getByRole('button', { name: 'Enregistrer la présentation' }).click();
  await page.getByText('Présentation enregistrée.').waitFor();
  const catalogue = await citizen.call('GET', '/formulaires');
  expect(catalogue.text).not.toContain('Occupation du domaine public');
  expect((await citizen.call('GET', '/formulaires/occupation-domaine-public')).status).toBe(404);
});

const versionsOf = async (slug: string): Promise<number> => {
  const { id } = await h.db('form_types').where({ slug }).first('id');
  return Number((await h.db('form_versions').where({ form_type_id: id }).count({ n: '*' }).first())?.n);
};
const draftOf = async (slug: string) => {
  const { id } = await h.db('form_types').where({ slug }).first('id');
  return findFormDraft(h.db, id);
};
const field = (key: string, label: string): FieldDefinition => ({ key, label, type: 'text', required: false });

/** An administrator's web client, in the « Administrer » role. */
async function adminClient(address: string) {
  const admin = webClient(h.baseUrl, address);
  await admin.login('admin');
  await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
  return admin;
}

describe('a version is what the administrator publishes', () => {
  const slug = 'certificat-urbanisme';
  let admin: Agent;
  beforeAll(async () => {
    admin = (await loadAgent(h.db, (await h.db('agents').where({ code: 'admin' }).first('id')).id))!;
    for (const key of ['parcelle', 'surface', 'projet']) {
      if (!(await editedForm(h.db, (await h.db('form_types').where({ slug }).first('id')).id)).fields.some((f) => f.key === key)) {
        await saveField(h.db, admin, slug, field(key, `Champ ${key}`), null);
      }
    }
    const draft = await draftOf(slug);
    if (draft) await publishForm(h.db, admin, slug, draft);
  });

  test('five moves then one publish make one new version; a request filed meanwhile gets the published one and keeps it', async () => {
    const before = await versionsOf(slug);
    const published = await editedForm(h.db, (await h.db('form_types').where({ slug }).first('id')).id);
    // A move undone leaves nothing to publish.
    await moveField(h.db, admin, slug, 'parcelle', 1);
    expect(await draftOf(slug)).not.toBeNull();
    await moveField(h.db, admin, slug, 'parcelle', -1);
    expect(await draftOf(slug)).toBeNull();

    await moveField(h.db, admin, slug, 'projet', -1);
    await moveField(h.db, admin, slug, 'projet', -1);
    await moveField(h.db, admin, slug, 'parcelle', 1);
    await removeField(h.db, admin, slug, 'surface');
    await saveField(h.db, admin, slug, field('commune', 'Commune du terrain'), null);
    expect(await versionsOf(slug)).toBe(before);
    const draft = (await draftOf(slug))!;
    expect(draft.revision).toBe(5);
    expect(draft.fields.map((f) => f.key)).toEqual(['projet', 'parcelle', 'commune']);

    // Citizens are still given the published version while the draft waits.
    const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: slug, citizen: { firstName: 'Ana', lastName: 'Brouillon' }, answers: {} });
    expect(filed.status).toBe(201);
    const row = await h.db('requests').where({ reference: filed.body.reference }).first('form_version_id');
    expect(row.form_version_id).toBe(published.published.id);

    expect(await publishForm(h.db, admin, slug, draft)).toBe(published.published.version + 1);
    expect(await versionsOf(slug)).toBe(before + 1);
    expect(await draftOf(slug)).toBeNull();
    // The request filed before keeps the version it was filed with.
    expect((await h.db('requests').where({ reference: filed.body.reference }).first('form_version_id')).form_version_id).toBe(published.published.id);
    // A second publish of the same draft (a double click) makes nothing.
    await expect(publishForm(h.db, admin, slug, draft)).rejects.toMatchObject({ status: 409, code: 'FORM_DRAFT_STALE' });
    expect(await versionsOf(slug)).toBe(before + 1);
  });

  test('« Abandonner les modifications » restores the published form and makes no version', async () => {
    const formTypeId = (await h.db('form_types').where({ slug }).first('id')).id;
    const before = await versionsOf(slug);
    const published = (await editedForm(h.db, formTypeId)).fields;
    await moveField(h.db, admin, slug, published[0].key, 1);
    await removeField(h.db, admin, slug, published[2].key);
    const web = await adminClient('10.8.0.1');
    const editor = await web.call('GET', `/admin/demarches/${slug}/formulaire`);
    expect(editor.text).toContain('Modifications non publiées');
    // A forged publish without the draft's stamp publishes nothing.
    const forged = await web.call('POST', `/admin/demarches/${slug}/formulaire/publier`, { _csrf: await web.csrf(`/admin/demarches/${slug}/formulaire`), revision: 'x' });
    expect(forged.status).toBe(303);
    expect((await web.call('GET', `/admin/demarches/${slug}/formulaire`)).text).toContain('Ces modifications ont déjà été publiées ou abandonnées');
    expect(await versionsOf(slug)).toBe(before);
    const draft = (await draftOf(slug))!;
    const discarded = await web.call('POST', `/admin/demarches/${slug}/formulaire/abandonner`,
      { _csrf: await web.csrf(`/admin/demarches/${slug}/formulaire`), baseVersion: String(draft.baseVersion), revision: String(draft.revision) });
    expect(discarded.status).toBe(303);
    const after = await web.call('GET', `/admin/demarches/${slug}/formulaire`);
    expect(after.text).toContain('Modifications abandonnées : voici de nouveau la version publiée.');
    expect(after.text).not.toContain('Modifications non publiées');
    expect(await draftOf(slug)).toBeNull();
    expect((await editedForm(h.db, formTypeId)).fields).toEqual(published);
    expect(await versionsOf(slug)).toBe(before);
  });

  test('two concurrent publishes of the same draft make one version; the other is told it was already published', async () => {
    const before = await versionsOf(slug);
    const first = (await editedForm(h.db, (await h.db('form_types').where({ slug }).first('id')).id)).fields[0].key;
    await moveField(h.db, admin, slug, first, 1);
    const draft = (await draftOf(slug))!;
    const [a, b] = [await adminClient('10.8.0.2'), await adminClient('10.8.0.3')];
    const page = `/admin/demarches/${slug}/formulaire`;
    const [csrfA, csrfB] = [await a.csrf(page), await b.csrf(page)];
    const stamp = { baseVersion: String(draft.baseVersion), revision: String(draft.revision) };
    const answers = await Promise.all([
      a.call('POST', `${page}/publier`, { _csrf: csrfA, ...stamp }),
      b.call('POST', `${page}/publier`, { _csrf: csrfB, ...stamp }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([303, 303]);
    expect(await versionsOf(slug)).toBe(before + 1);
    expect(await draftOf(slug)).toBeNull();
    const told = [(await a.call('GET', page)).text, (await b.call('GET', page)).text];
    expect(told.filter((text) => text.includes(`Version ${before + 1} publiée`))).toHaveLength(1);
    expect(told.filter((text) => text.includes('Ces modifications ont déjà été publiées ou abandonnées'))).toHaveLength(1);
  });
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
