// The knowledge base in Chromium: beside a request, the agent opens an article of its form
// type and inserts its text into the reply, then searches another and inserts its link;
// then every page of the knowledge base at a phone's width and an office screen's (fits,
// readable, accessible, in French), with a screenshot of each (tests/support/screenAudit.ts).
import type { Browser, Page } from 'playwright-core';
import { saveArticle } from '../src/commands/kb/saveArticle';
import { seedDemoForms } from '../src/seed/demoForms';
import { launchBrowser, loggedIn } from './support/browser';
import { agentByCode } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { filedAt } from './support/rawRows';
import { screenProblems, screenshot, WIDTHS } from './support/screenAudit';

let h: Harness;
let browser: Browser;
let reference: string;
const ids = {} as { help: number; internal: number; parking: number };

const HELP_BODY = [
  'Pour obtenir un **acte de naissance**, indiquez :',
  '',
  '- la commune de naissance ;',
  '- les nom et prénoms de la personne.',
  '',
  'Plus d\'informations sur [service-public.fr](https://www.service-public.fr/particuliers/vosdroits/F1427).',
].join('\n');

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ worker: false }), launchBrowser()]);
  await seedDemoForms(h.db);
  const acteNaissance = Number((await h.db('form_types').where({ slug: 'acte-naissance' }).first('id')).id);
  const etatCivil = String((await h.db('services').where({ slug: 'etat-civil' }).first('id')).id);
  await h.db('form_types').where({ id: acteNaissance }).update({ published: true });
  await h.db('agents').where({ code: 'amartin' }).update({ kb_editor: true });
  const admin = await agentByCode(h, 'admin');
  const write = (input: Record<string, unknown>, id: number | null = null) => saveArticle(h.ctx, admin, { id, input });
  ids.help = (await write({ title: 'Demander un acte de naissance', body: HELP_BODY, tags: 'état civil, actes', service: etatCivil, formTypes: [String(acteNaissance)], isPublic: true })).id;
  await write({ title: 'Demander un acte de naissance', body: `${HELP_BODY}\n\nDélai habituel : huit jours.`, tags: 'état civil, actes, délais', service: etatCivil, formTypes: [String(acteNaissance)], isPublic: true, note: 'Ajout du délai habituel' }, ids.help);
  ids.internal = (await write({ title: 'Vérifier le registre avant de répondre', body: 'Consulter le **registre papier** pour les naissances avant 1990.', tags: 'registres', service: etatCivil, formTypes: [String(acteNaissance)] })).id;
  ids.parking = (await write({ title: 'Stationnement résidentiel', body: 'La carte de stationnement se demande au service voirie, avec un justificatif de domicile.', tags: 'voirie' })).id;
  reference = (await filedAt(h, { formType: 'acte-naissance', citizen: { firstName: 'Léa', lastName: 'Navigateur', email: 'lea.navigateur@example.org' }, at: Date.now() - 3600_000 })).reference;
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

test('beside a request: an article of its form type inserted as text, a searched one as a link, into the reply', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/demandes/${reference}`);
  const panel = page.locator('#kb-panel');
  await panel.getByRole('heading', { name: 'Articles de la démarche « Demande d\'acte de naissance »' }).waitFor();
  // Its form type's articles first; the other one only when searched.
  await expect(panel.locator('summary').allTextContents()).resolves.toEqual(['Demander un acte de naissance Public', 'Vérifier le registre avant de répondre']);

  await panel.locator('summary', { hasText: 'Demander un acte de naissance' }).click();
  await panel.getByRole('button', { name: 'Insérer le texte' }).first().click();
  const reply = page.locator('#message-body');
  await expect(reply.isVisible()).resolves.toBe(true);
  await expect(reply.inputValue()).resolves.toBe(`${HELP_BODY}\n\nDélai habituel : huit jours.`);
  await expect(panel.getByRole('status').textContent()).resolves.toBe('Article inséré dans votre message.');

  // The agent writes a line of their own, then searches (accents left out) and inserts a link after it.
  await reply.press('End');
  await reply.pressSequentially('\n\nCordialement.');
  await panel.getByRole('searchbox', { name: 'Chercher dans la base de connaissances' }).fill('STATIONNEMENT residentiel');
  const found = panel.locator('#kb-panel-results summary', { hasText: 'Stationnement résidentiel' });
  await found.waitFor();
  await found.click();
  await panel.locator('#kb-panel-results').getByRole('button', { name: 'Insérer le lien (réservé aux agents)' }).click();
  await expect(reply.inputValue()).resolves.toBe(`${HELP_BODY}\n\nDélai habituel : huit jours.\n\nCordialement.\n\nStationnement résidentiel : http://localhost:1/base-de-connaissances/${ids.parking}`);
  // A public article's link is the citizens' page (its article is still open).
  await panel.getByRole('button', { name: 'Insérer le lien', exact: true }).first().click();
  await expect(reply.inputValue()).resolves.toContain(`Demander un acte de naissance : http://localhost:1/aide/${ids.help}`);
  await context.close();
});

/** The pages of the knowledge base, and the request and form pages it shows on. */
const SCREENS: { name: string; side: 'agent' | 'citizen'; open: (page: Page) => Promise<unknown> }[] = [
  { name: 'kb-list', side: 'agent', open: (page) => page.goto('/base-de-connaissances') },
  { name: 'kb-search', side: 'agent', open: (page) => page.goto('/base-de-connaissances?q=naissance') },
  { name: 'kb-tag', side: 'agent', open: (page) => page.goto('/base-de-connaissances?etiquette=actes') },
  { name: 'kb-article', side: 'agent', open: (page) => page.goto(`/base-de-connaissances/${ids.help}`) },
  { name: 'kb-new', side: 'agent', open: (page) => page.goto('/base-de-connaissances/nouveau') },
  { name: 'kb-edit', side: 'agent', open: (page) => page.goto(`/base-de-connaissances/${ids.help}/modifier`) },
  { name: 'kb-edit-refused', side: 'agent', open: async (page) => {
    await page.goto(`/base-de-connaissances/${ids.help}/modifier`);
    await page.locator('#kb-title').fill('');
    await page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { noValidate: boolean } } }).document.querySelector('form.kb-form').noValidate = true);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('#kb-error').waitFor();
  } },
  { name: 'kb-versions', side: 'agent', open: (page) => page.goto(`/base-de-connaissances/${ids.help}/versions`) },
  { name: 'kb-request-panel', side: 'agent', open: async (page) => {
    await page.goto(`/demandes/${reference}`);
    await page.getByRole('searchbox', { name: 'Chercher dans la base de connaissances' }).fill('carte');
    await page.locator('#kb-panel-results summary').first().waitFor();
  } },
  { name: 'kb-citizen-form-help', side: 'citizen', open: (page) => page.goto('/formulaires/acte-naissance') },
  { name: 'kb-citizen-article', side: 'citizen', open: (page) => page.goto(`/aide/${ids.help}`) },
];

const pages = {} as Record<'agent' | 'citizen', Page>;

test.each(SCREENS.map((s) => [s.name, s] as const))('%s: fits, readable, accessible, in French, at both widths', async (_name, screen) => {
  pages.agent ??= (await loggedIn(browser, h.baseUrl, 'amartin')).page;
  pages.citizen ??= await (await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' })).newPage();
  const page = pages[screen.side];
  const problems: string[] = [];
  for (const { width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    await screen.open(page);
    await page.waitForLoadState('load');
    await screenshot(page, screen.name, width);
    await page.evaluate(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { open: boolean }[] } }).document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    problems.push(...(await screenProblems(page)).map((p) => `${width}px ${p}`));
  }
  expect(problems).toEqual([]);
});
