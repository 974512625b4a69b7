import type { Browser, Page } from 'playwright-core';
import { sendDigests } from '../src/accounts/digest';
import { createTransport } from '../src/mail/transport';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
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

const clean = async (page: Page) => expect(await accessibilityViolations(page)).toEqual([]);
const linkIn = (text: string) => new URL(/https?:\/\/\S+/.exec(text.slice(text.indexOf('http')))![0]).pathname;

async function login(page: Page, code: string, password: string): Promise<void> {
  await page.goto('/connexion');
  await page.getByLabel('Code agent').fill(code);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

test('an agent created by an administrator activates the account from the e-mailed link, once', async () => {
  const admin = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const page = await admin.newPage();
  await login(page, 'admin', DEMO_PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Administrer' }).click();
  await page.goto('/admin/agents');
  await page.getByLabel('Code agent').fill('egarcia');
  await page.getByLabel('Nom', { exact: true }).fill('Emma Garcia');
  await page.getByLabel('Adresse électronique').fill('emma.garcia@mairie.example');
  await page.getByLabel('Urbanisme').check();
  await page.getByRole('button', { name: /Créer l'agent/ }).click();
  await page.getByRole('status').filter({ hasText: 'Agent egarcia créé' }).waitFor();
  await admin.close();

  const mail = await waitFor(() => h.mails.find((m) => m.to.includes('emma.garcia@mairie.example')), 20000, 'the activation e-mail');
  expect(mail.subject).toBe('Activez votre compte Guichet');
  expect(mail.text).toContain('Votre code agent : egarcia');
  const path = linkIn(mail.text);
  expect(path).toMatch(/^\/activation\//);
  // Only a hash of the link's secret is stored.
  expect(JSON.stringify(await h.db('account_tokens').select())).not.toContain(path.split('/').pop());

  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const agent = await context.newPage();
  await agent.goto(path);
  await agent.getByRole('heading', { name: 'Activez votre compte' }).waitFor();
  await clean(agent);
  await agent.getByLabel(/Nouveau mot de passe/).fill('trop-court');
  await agent.getByLabel('Confirmez le mot de passe').fill('autre-chose-encore');
  await agent.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
  await agent.getByRole('alert').filter({ hasText: 'Les deux saisies du mot de passe ne sont pas identiques.' }).waitFor();
  await clean(agent);
  expect((await h.db('agents').where({ code: 'egarcia' }).first()).password_hash).toBeNull();

  await agent.getByLabel(/Nouveau mot de passe/).fill('un mot de passe solide');
  await agent.getByLabel('Confirmez le mot de passe').fill('un mot de passe solide');
  await Promise.all([agent.waitForURL('**/connexion'), agent.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click()]);
  await agent.getByRole('status').filter({ hasText: 'Votre compte est activé' }).waitFor();
  await Promise.all([agent.waitForURL((u) => u.pathname === '/'), login(agent, 'egarcia', 'un mot de passe solide')]);

  expect((await agent.goto(path))?.status()).toBe(410);
  await agent.getByText("Ce lien d'activation n'est plus valable").waitFor();
  await context.close();
});

test('"Mot de passe oublié ?" sends a reset link without telling whether the account exists', async () => {
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await clean(page);
  const sent = 'Si un compte correspond, un courriel avec un lien de réinitialisation vient d\'être envoyé.';
  const before = h.mails.length;
  await page.getByLabel('Code agent ou adresse électronique').fill('personne');
  await page.getByRole('button', { name: 'Envoyer le lien' }).click();
  await page.getByRole('status').filter({ hasText: sent }).waitFor();

  await page.goto('/mot-de-passe-oublie');
  await page.getByLabel('Code agent ou adresse électronique').fill('dleroy@mairie.example');
  await page.getByRole('button', { name: 'Envoyer le lien' }).click();
  await page.getByRole('status').filter({ hasText: sent }).waitFor();
  await clean(page);
  const mail = await waitFor(() => h.mails.find((m) => m.to.includes('dleroy@mairie.example') && m.subject.includes('Réinitialisation')), 20000, 'the reset e-mail');
  expect(h.mails.length).toBe(before + 1);

  await page.goto(linkIn(mail.text));
  await page.getByRole('heading', { name: 'Choisissez un nouveau mot de passe' }).waitFor();
  await clean(page);
  await page.getByLabel(/Nouveau mot de passe/).fill('nouveau-secret-2026');
  await page.getByLabel('Confirmez le mot de passe').fill('nouveau-secret-2026');
  await Promise.all([page.waitForURL('**/connexion'), page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()]);
  await login(page, 'dleroy', DEMO_PASSWORD);
  await page.getByRole('alert').filter({ hasText: 'Code agent ou mot de passe incorrect.' }).waitFor();
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), login(page, 'dleroy', 'nouveau-secret-2026')]);
  await context.close();
});

test('an agent who chose the daily digest gets no information e-mail per request, then one digest a day', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await page.getByRole('heading', { name: 'Mon compte' }).waitFor();
  await clean(page);
  await page.getByLabel(/Un résumé quotidien/).check();
  await page.getByRole('button', { name: 'Enregistrer mon choix' }).click();
  await page.getByRole('status').filter({ hasText: 'Votre choix est enregistré.' }).waitFor();
  await context.close();

  const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-mariage', citizen: { firstName: 'Lou', lastName: 'Digest' }, answers: {} });
  const ref: string = res.body.reference;
  // bdurand (état civil too, immediate) is told at once; amartin is not.
  await waitFor(() => h.mails.find((m) => m.to.includes('bdurand@mairie.example') && m.subject.includes(ref)), 20000, 'the information e-mail');
  expect(h.mails.filter((m) => m.to.includes('amartin@mairie.example') && m.subject.includes(ref))).toEqual([]);

  const transport = createTransport(h.config.smtpUrl);
  try {
    expect(await sendDigests(h.db, transport, h.config, Date.now())).toBeGreaterThanOrEqual(1);
    const digest = await waitFor(() => h.mails.find((m) => m.to.includes('amartin@mairie.example') && m.subject.includes('les nouvelles demandes depuis hier')), 20000, 'the digest');
    expect(digest.text).toContain(`${ref} : Demande d'acte de mariage`);
    // Once a day: a second run the same day sends nothing more.
    await sendDigests(h.db, transport, h.config, Date.now());
    await new Promise((r) => setTimeout(r, 300));
    expect(h.mails.filter((m) => m.to.includes('amartin@mairie.example') && m.subject.includes('les nouvelles demandes depuis hier'))).toHaveLength(1);
  } finally {
    transport.close();
  }
});

test('`guichet agent create` without --password e-mails the activation link', async () => {
  const { execFile } = await import('node:child_process');
  const bin = require('node:path').join(__dirname, '..', 'bin', 'guichet.js');
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [bin, 'agent', 'create', 'fnoel', '--name', 'Félix Noël', '--email', 'felix.noel@mairie.example', '--service', 'voirie'], { env: h.env }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
  });
  expect(out).toContain("lien d'activation envoyé à felix.noel@mairie.example");
  const mail = await waitFor(() => h.mails.find((m) => m.to.includes('felix.noel@mairie.example')), 20000, 'the activation e-mail');
  expect(linkIn(mail.text)).toMatch(/^\/activation\//);
});
