// Canned replies (« réponses types »): filled for a request, edited, sent through the
// message path; what cannot be filled is flagged and refused; nobody uses a colleague's own
// reply or another service's. Through the real web server and database, and in Chromium
// (screenshots of each page at 1366 and 390 px: SCREENSHOTS_DIR, else tests/.tmp/screens).
import type { Browser, Page } from 'playwright-core';
import { saveCannedReply, type CannedScope } from '../src/commands/cannedReplies';
import type { CannedReplyProps } from '../src/commands/cannedReplies';
import { agentByCode, submitRequest, type Filed } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';
import { accessibilityViolations, actionResponse, administering, launchBrowser, loggedIn } from './support/browser';
import { screenProblems, screenshot, WIDTHS } from './support/screenAudit';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

let serviceIds: Record<string, number>;
beforeAll(async () => {
  const rows = await h.db('services').select('id', 'slug');
  serviceIds = Object.fromEntries(rows.map((r) => [r.slug, Number(r.id)]));
});

async function reply(code: string, scope: CannedScope, props: Partial<CannedReplyProps> & { title: string; body: string }): Promise<number> {
  return saveCannedReply(h.ctx, await agentByCode(h, code), scope, null, { serviceId: null, ...props });
}

async function agentClient(code: string, address: string) {
  const web = webClient(h.baseUrl, address);
  expect((await web.login(code)).status).toBe(303);
  return web;
}

const htmx = { 'HX-Request': 'true' };
const fill = (web: Awaited<ReturnType<typeof agentClient>>, r: Filed, id: number) =>
  web.call('GET', `/demandes/${r.reference}/reponses-types/remplir?reponseType=${id}`, undefined, htmx);
const textareaOf = (html: string) => /<textarea id="message-body"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];

async function send(web: Awaited<ReturnType<typeof agentClient>>, r: Filed, body: string) {
  const _csrf = await web.csrf(`/demandes/${r.reference}`);
  return web.call('POST', `/demandes/${r.reference}/message`, { _csrf, body, kind: 'citizen' }, htmx);
}

async function taken(code = 'amartin'): Promise<Filed> {
  const r = await submitRequest(h, { citizen: { firstName: 'Jeanne', lastName: 'Dupré', email: `jeanne.${Date.now()}@example.org` } });
  expect((await h.api('POST', `/api/requests/${r.reference}/take`, h.tokens[code], { notifyCitizen: false })).status).toBe(200);
  return r;
}

test('a shared reply is filled for the request, edited, and the citizen receives the edited text', async () => {
  const r = await taken();
  const id = await reply('admin', 'shared', {
    title: 'Pièce à fournir', serviceId: serviceIds['etat-civil'],
    body: 'Bonjour {{nomUsager}},\n\nPour votre demande {{reference}} ({{demarche}}), il nous manque une pièce.\n\n{{nomAgent}}, {{ mairie }}',
  });
  const web = await agentClient('amartin', '10.14.0.1');

  // The request page offers it in the message form.
  const page = await web.call('GET', `/demandes/${r.reference}`);
  expect(page.text).toContain(`<option value="${id}">Pièce à fournir</option>`);

  const filled = await fill(web, r, id);
  expect(filled.status).toBe(200);
  const text = textareaOf(filled.text)!;
  expect(text).toBe(`Bonjour Jeanne Dupré,\n\nPour votre demande ${r.reference} (Demande d'acte de naissance), il nous manque une pièce.\n\nAnne Martin, Mairie de Guichet-sur-Mer`);
  expect(filled.text).not.toContain('message-warning');

  const edited = text.replace('il nous manque une pièce.', 'il nous manque la copie de votre pièce d\'identité.');
  const sent = await send(web, r, edited);
  expect(sent.status).toBe(200);
  expect(sent.text).toContain('Message enregistré.');
  const message = await h.db('messages').where({ request_id: r.id }).first('body', 'visible');
  expect(message).toMatchObject({ body: edited, visible: expect.anything() });
  const mail = await waitFor(() => h.mails.find((m) => m.subject.includes(r.reference) && m.text.includes('copie de votre pièce')), 15000, 'the message e-mail');
  expect(mail.text).toContain('Bonjour Jeanne Dupré');
  expect(mail.text).not.toContain('il nous manque une pièce.');
  expect(mail.text).not.toContain('{{');
});

test('what cannot be filled is flagged before sending, and a message to the citizen that still holds it is refused, changing nothing', async () => {
  // Nobody holds an unprocessed request: {{nomTitulaire}} has no value here.
  const r = await submitRequest(h);
  const id = await reply('amartin', 'personal', { title: 'Suivi', body: 'Bonjour {{nomUsager}}, votre dossier est suivi par {{nomTitulaire}}.' });
  const web = await agentClient('amartin', '10.14.0.2');

  const filled = await fill(web, r, id);
  expect(textareaOf(filled.text)).toBe('Bonjour Jeanne Dupré, votre dossier est suivi par {{nomTitulaire}}.');
  expect(filled.text).toContain('Un champ ne peut pas être rempli pour cette demande');
  expect(filled.text).toContain('<code>{{nomTitulaire}}</code>');

  // Typing: an unknown placeholder is flagged as the agent types.
  const _csrf = await web.csrf(`/demandes/${r.reference}`);
  const checked = await web.call('POST', `/demandes/${r.reference}/reponses-types/verifier`, { _csrf, body: 'Votre numéro : {{numeroDossier}}, {{ nomTitulaire }}' }, htmx);
  expect(checked.status).toBe(200);
  expect(checked.text).toContain('2 champs ne peuvent pas être remplis');
  expect(checked.text).toContain('<code>{{numeroDossier}}</code>');
  const clean = await web.call('POST', `/demandes/${r.reference}/reponses-types/verifier`, { _csrf, body: 'Votre dossier est suivi.' }, htmx);
  expect(clean.text).not.toContain('message-warning');

  // Sending it as it is: refused in French, the text given back to be corrected, nothing recorded or sent.
  const refused = await send(web, r, 'Bonjour, votre dossier est suivi par {{nomTitulaire}} ({{numeroDossier}}).');
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('Le message contient encore des champs non remplis : {{nomTitulaire}}, {{numeroDossier}}.');
  expect(textareaOf(refused.text)).toBe('Bonjour, votre dossier est suivi par {{nomTitulaire}} ({{numeroDossier}}).');
  expect(await h.db('messages').where({ request_id: r.id })).toEqual([]);
  expect(await h.db('emails').where({ request_id: r.id, kind: 'MESSAGE' })).toEqual([]);
});

test('a colleague\'s own reply and another service\'s are « not found » to an agent: not offered, not filled, not changed', async () => {
  const r = await taken();
  const hers = await reply('amartin', 'personal', { title: 'La mienne', body: 'Bonjour {{nomUsager}}.' });
  const his = await reply('bdurand', 'personal', { title: 'Celle de Bruno', body: 'Bonjour de Bruno, {{nomUsager}}.' });
  const urbanisme = await reply('admin', 'shared', { title: 'Urbanisme seulement', body: 'Votre permis {{reference}}.', serviceId: serviceIds.urbanisme });
  const everyone = await reply('admin', 'shared', { title: 'Pour tous', body: 'Bien reçu, {{nomUsager}}.' });
  const web = await agentClient('amartin', '10.14.0.3');

  const page = await web.call('GET', `/demandes/${r.reference}`);
  expect(page.text).toContain('La mienne');
  expect(page.text).toContain('Pour tous');
  expect(page.text).not.toContain('Celle de Bruno');
  expect(page.text).not.toContain('Urbanisme seulement');

  for (const id of [his, urbanisme]) {
    const refused = await fill(web, r, id);
    expect(refused.status).toBe(404);
    expect(refused.text).toBe('Réponse type introuvable.');
    expect(refused.headers.get('hx-retarget')).toBe('#global-alert');
  }
  expect(textareaOf((await fill(web, r, everyone)).text)).toBe('Bien reçu, Jeanne Dupré.');
  expect(textareaOf((await fill(web, r, hers)).text)).toBe('Bonjour Jeanne Dupré.');

  // Bruno's reply cannot be read, changed or deleted from « Mes réponses types » either; nor a shared one.
  const mine = await web.call('GET', '/reponses-types');
  expect(mine.text).toContain('La mienne');
  expect(mine.text).toContain('Pour tous');
  expect(mine.text).not.toContain('Celle de Bruno');
  expect((await web.call('GET', `/reponses-types/${his}`)).status).toBe(404);
  expect((await web.call('GET', `/reponses-types/${everyone}`)).status).toBe(404);
  const _csrf = await web.csrf('/reponses-types');
  expect((await web.call('POST', `/reponses-types/${his}`, { _csrf, title: 'Volée', body: 'x', service: '' })).status).toBe(404);
  expect((await web.call('POST', `/reponses-types/${his}/supprimer`, { _csrf })).status).toBe(404);
  expect((await web.call('POST', `/admin/reponses-types/${everyone}/supprimer`, { _csrf })).status).toBe(403);
  expect(await h.db('canned_replies').where({ id: his }).first('title', 'body')).toEqual({ title: 'Celle de Bruno', body: 'Bonjour de Bruno, {{nomUsager}}.' });
  expect(await h.db('canned_replies').where({ id: everyone }).first('title')).toEqual({ title: 'Pour tous' });

  // Bruno, of état civil too, does not see Anne's own reply.
  const bruno = await agentClient('bdurand', '10.14.0.4');
  expect((await fill(bruno, r, hers)).status).toBe(404);
});

test('« Mes réponses types »: an agent creates, changes and deletes their own; a bad one is refused with the reason and what was typed', async () => {
  const web = await agentClient('cpetit', '10.14.0.5');
  let _csrf = await web.csrf('/reponses-types');
  const unknown = await web.call('POST', '/reponses-types', { _csrf, title: 'Relance', body: 'Bonjour {{prenom}}', service: '' });
  expect(unknown.status).toBe(400);
  expect(unknown.text).toContain('Le texte contient des champs inconnus : {{prenom}}.');
  expect(unknown.text).toContain('Bonjour {{prenom}}</textarea>');
  // Not one of her services.
  const otherService = await web.call('POST', '/reponses-types', { _csrf, title: 'Relance', body: 'Bonjour {{nomUsager}}', service: String(serviceIds['etat-civil']) });
  expect(otherService.status).toBe(400);
  expect(await h.db('canned_replies').where({ title: 'Relance' })).toEqual([]);

  const created = await web.call('POST', '/reponses-types', { _csrf, title: 'Relance', body: 'Bonjour {{nomUsager}}', service: String(serviceIds.urbanisme) });
  expect(created.status).toBe(303);
  const row = await h.db('canned_replies').where({ title: 'Relance' }).first('id', 'owner_agent_id', 'service_id');
  expect(Number(row.owner_agent_id)).toBe((await agentByCode(h, 'cpetit')).id);
  expect(Number(row.service_id)).toBe(serviceIds.urbanisme);
  expect((await web.call('GET', '/reponses-types')).text).toContain('Réponse type « Relance » créée.');

  _csrf = await web.csrf(`/reponses-types/${row.id}`);
  expect((await web.call('POST', `/reponses-types/${row.id}`, { _csrf, title: 'Relance polie', body: 'Bonjour {{nomUsager}}, merci.', service: '' })).status).toBe(303);
  expect(await h.db('canned_replies').where({ id: row.id }).first('title', 'body', 'service_id')).toEqual({ title: 'Relance polie', body: 'Bonjour {{nomUsager}}, merci.', service_id: null });
  expect((await web.call('POST', `/reponses-types/${row.id}/supprimer`, { _csrf })).status).toBe(303);
  expect(await h.db('canned_replies').where({ id: row.id })).toEqual([]);
});

test('an acknowledgement e-mail edited with a placeholder left in it is refused, and the request is not taken', async () => {
  const r = await submitRequest(h);
  const refused = await h.api('POST', `/api/requests/${r.reference}/take`, h.tokens.amartin, { notifyCitizen: true, body: 'Bonjour {{nomUsager}}, votre demande est prise en compte.' });
  expect(refused.status).toBe(400);
  expect(refused.body.error).toMatchObject({ code: 'CANNED_UNFILLED', message: expect.stringContaining('{{nomUsager}}') });
  expect(await h.db('requests').where({ id: r.id }).first('status')).toEqual({ status: 'NON_TRAITEE' });
  expect(await h.db('emails').where({ request_id: r.id, kind: 'ACKNOWLEDGEMENT' })).toEqual([]);
});

/** The page checked and shot at each width, then left at the office width. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const { width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    expect(await screenProblems(page)).toEqual([]);
    await screenshot(page, `canned-${name}`, width);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

test('in Chromium: a shared reply picked on the request page, filled, edited and sent; the citizen receives the edited text', async () => {
  const browser = await launchBrowser();
  try {
    await pickedInBrowser(browser);
  } finally {
    await browser.close();
  }
  // Six pages audited (axe, contrast, overflow) at two widths: minutes on a loaded machine.
}, 300_000);

async function pickedInBrowser(browser: Browser): Promise<void> {
  // The administrator writes it under Administration › Réponses types.
  const admin = await administering(browser, h.baseUrl);
  await admin.page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Réponses types' }).click();
  await admin.page.getByRole('heading', { name: 'Réponses types partagées' }).waitFor();
  await admin.page.getByLabel('Titre').fill('Pièce manquante');
  await admin.page.getByLabel('Service').selectOption({ label: 'État civil' });
  await admin.page.getByLabel('Texte').fill('Bonjour {{nomUsager}},\n\nPour votre demande {{reference}}, il nous manque une pièce.\n\nCordialement,\n{{nomAgent}}');
  await admin.page.getByRole('button', { name: 'Enregistrer la réponse type' }).click();
  await admin.page.getByText('Réponse type « Pièce manquante » créée.').waitFor();
  await shoot(admin.page, 'admin-list');
  await admin.page.getByRole('link', { name: 'Pièce manquante' }).click();
  await admin.page.getByRole('heading', { name: 'Réponse type « Pièce manquante »' }).waitFor();
  await shoot(admin.page, 'admin-edit');
  await admin.context.close();

  const r = await submitRequest(h, { citizen: { firstName: 'Odile', lastName: 'Navigatrice', email: 'odile@example.org' } });
  expect((await h.api('POST', `/api/requests/${r.reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);

  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  // « Mes réponses types »: one of her own, beside the shared one she may use.
  await page.goto('/reponses-types');
  await page.getByLabel('Titre').fill('Remerciement');
  await page.getByLabel('Texte').fill('Merci {{nomUsager}}, votre dossier est complet.');
  await page.getByRole('button', { name: 'Enregistrer la réponse type' }).click();
  await page.getByText('Réponse type « Remerciement » créée.').waitFor();
  await page.getByText('Pièce manquante').click();
  await page.locator('.canned-shared li', { hasText: 'Pièce manquante' }).locator('.thread-body').waitFor();
  await shoot(page, 'mine');

  await page.goto(`/demandes/${r.reference}`);
  await page.locator('summary', { hasText: 'Écrire un message' }).click();
  const body = page.getByLabel('Message', { exact: true });
  await body.fill('Texte provisoire');
  await page.getByLabel('Réponse type').selectOption({ label: 'Pièce manquante' });
  await waitFor(async () => (await page.getByLabel('Message', { exact: true }).inputValue()).startsWith('Bonjour Odile Navigatrice'), 10_000, 'the textarea filled');
  expect(await body.inputValue()).toBe(`Bonjour Odile Navigatrice,\n\nPour votre demande ${r.reference}, il nous manque une pièce.\n\nCordialement,\nAnne Martin`);

  // A placeholder she types that means nothing is flagged beside the text, then no longer once replaced.
  await body.fill((await body.inputValue()).replace('une pièce.', 'votre {{justificatif}}.'));
  await page.getByText('Un champ ne peut pas être rempli pour cette demande').waitFor();
  await shoot(page, 'request-warning');
  await body.fill((await body.inputValue()).replace('{{justificatif}}', 'justificatif de domicile'));
  await page.getByText('Un champ ne peut pas être rempli pour cette demande').waitFor({ state: 'detached' });
  expect(await accessibilityViolations(page)).toEqual([]);

  expect(await actionResponse(page, `/${r.reference}/message`, () => page.getByRole('button', { name: 'Envoyer le message' }).click())).toBe(200);
  await page.getByText('Message enregistré.').waitFor();
  const mail = await waitFor(() => h.mails.find((m) => m.to.includes('odile@example.org') && m.text.includes('justificatif de domicile')), 15_000, 'the message e-mail');
  expect(mail.text).toContain('Bonjour Odile Navigatrice');
  expect(mail.text).not.toContain('{{');
  await page.locator('.thread-body', { hasText: 'justificatif de domicile' }).waitFor();
  await context.close();
}
