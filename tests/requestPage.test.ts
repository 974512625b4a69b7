// The request page as agents read it: the breadcrumb names the list they came from, the
// purge is said where the messages were, the citizen's e-mails come before the notices to
// agents, and every answer shows under a label, the demo's included.
import type { Browser } from 'playwright-core';
import { createCitizen } from '../src/db/citizens';
import { saveFormVersion } from '../src/db/formVersions';
import { seedDemoForms } from '../src/seed/demoForms';
import { seedDemoRequests } from '../src/seed/demo';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { startHarness, waitFor, type Harness } from './support/harness';
import { agentIdOf, closedAndPurged, emailWasSent, filedAt, projectionWas } from './support/rawRows';
import { webClient } from './support/webClient';

// Rows written straight into the database (no workflow): the page only reads them.
let h: Harness;
let browser: Browser;
let agent: ReturnType<typeof webClient>;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ env: { REFRESH_SECONDS: '3600' } }), launchBrowser()]);
  agent = webClient(h.baseUrl, '10.89.0.1');
  await agent.login('amartin');
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const filed = (lastName: string, at = Date.now() - 3600_000) => filedAt(h, { formType: 'acte-naissance', citizen: { firstName: 'Paul', lastName, email: 'paul@example.org' }, at });
const page = async (url: string) => (await agent.call('GET', url)).text;
const breadcrumb = (html: string) => /<a href="([^"]*)" id="request-origin"[^>]*>([^<]*)<\/a>/.exec(html)?.slice(1, 3);

test('the breadcrumb names the list the agent came from, and the lists\' links say which; without one, the rubrique of the status', async () => {
  const r = await filed('Origine');
  const mine = await filed('Mienne');
  await projectionWas(h, mine.id, { status: 'EN_COURS', assignee_id: await agentIdOf(h, 'amartin'), taken_at: Date.now() });
  const held = await filed('Attente');
  await projectionWas(h, held.id, { status: 'EN_ATTENTE', assignee_id: await agentIdOf(h, 'bdurand') });
  const file = await createCitizen(h.db, { firstName: 'Paul', lastName: 'Fiche' }, null);
  await projectionWas(h, r.id, { citizen_id: file.id });

  // The links of each list carry its name.
  expect(await page('/demandes/non-traitees')).toContain(`href="/demandes/${r.reference}?depuis=non-traitees"`);
  expect(await page('/demandes/du-service')).toContain(`href="/demandes/${r.reference}?depuis=du-service"`);
  expect(await page('/demandes/en-cours')).toContain(`href="/demandes/${mine.reference}?depuis=en-cours"`);
  expect(await page(`/recherche?reference=${r.reference}`)).toContain(`href="/demandes/${r.reference}?depuis=recherche"`);
  expect(await page('/')).toContain(`href="/demandes/${mine.reference}?depuis=accueil"`);
  expect(await page(`/usagers/${file.publicId}`)).toContain(`href="/demandes/${r.reference}?depuis=usager"`);

  const from = async (ref: string, origin?: string) => breadcrumb(await page(`/demandes/${ref}${origin === undefined ? '' : `?depuis=${encodeURIComponent(origin)}`}`));
  expect(await from(r.reference, 'non-traitees')).toEqual(['/demandes/non-traitees', 'Demandes non traitées']);
  expect(await from(r.reference, 'du-service')).toEqual(['/demandes/du-service', 'Demandes du service']);
  expect(await from(r.reference, 'recherche')).toEqual(['/recherche', 'Résultats de la recherche']);
  expect(await from(r.reference, 'accueil')).toEqual(['/', 'Accueil']);
  expect(await from(r.reference, 'journal')).toEqual(['/journal', 'Journal']);
  expect(await from(r.reference, 'usager')).toEqual([`/usagers/${file.publicId}`, 'Fiche de Paul Fiche']);
  // Without an origin, or with one we do not know: where the request stands now.
  expect(await from(r.reference)).toEqual(['/demandes/non-traitees', 'Demandes non traitées']);
  expect(await from(r.reference, 'https://ailleurs.example/')).toEqual(['/demandes/non-traitees', 'Demandes non traitées']);
  expect(await from(r.reference, 'constructor')).toEqual(['/demandes/non-traitees', 'Demandes non traitées']);
  expect(await from(mine.reference)).toEqual(['/demandes/en-cours', 'Mes demandes en cours']);
  expect(await from(held.reference)).toEqual(['/demandes/en-attente', 'Demandes en attente']);
  // A request without a file, said to come from one: its rubrique.
  expect(await from(held.reference, 'usager')).toEqual(['/demandes/en-attente', 'Demandes en attente']);
  // Another agent's request in progress is not in my « En cours ».
  const other = await filed('Autre');
  await projectionWas(h, other.id, { status: 'EN_COURS', assignee_id: await agentIdOf(h, 'bdurand') });
  expect(await from(other.reference)).toEqual(['/demandes/du-service', 'Demandes du service']);
});

test('in Chromium: from « Non traitées », or from a search, to a request and back by its breadcrumb (to the same results)', async () => {
  const r = await filed('Navigateur', Date.now() - 400 * 24 * 3600_000);
  const { context, page: p } = await loggedIn(browser, h.baseUrl, 'amartin');
  await p.goto('/demandes/non-traitees');
  await Promise.all([p.waitForURL(`**/demandes/${r.reference}?depuis=non-traitees`), p.getByRole('link', { name: r.reference }).click()]);
  await p.getByRole('link', { name: 'Demandes non traitées' }).first().waitFor();
  await Promise.all([p.waitForURL('**/demandes/non-traitees'), p.locator('#request-origin').click()]);
  await p.getByRole('heading', { name: 'Demandes non traitées' }).waitFor();

  // From a search: back to its results, not to an empty search form.
  await p.goto('/recherche');
  await p.locator('#s-nom').fill('navigateur');
  await p.getByRole('button', { name: 'Rechercher' }).click();
  await p.waitForURL((url) => url.search.includes('nom=navigateur'));
  await Promise.all([p.waitForURL(`**/demandes/${r.reference}?depuis=recherche`), p.getByRole('link', { name: r.reference }).click()]);
  expect(await p.locator('#request-origin').textContent()).toBe('Résultats de la recherche');
  await Promise.all([p.waitForURL((url) => url.pathname === '/recherche' && url.search.includes('nom=navigateur')), p.locator('#request-origin').click()]);
  await p.getByRole('link', { name: r.reference }).waitFor();
  await context.close();
});

test('after the purge, the messages are said to be deleted with the personal data, and when', async () => {
  const r = await filed('Purgé');
  const before = await page(`/demandes/${r.reference}`);
  expect(before).toContain('Aucun message.');
  await closedAndPurged(h, r.id);
  const after = await page(`/demandes/${r.reference}`);
  expect(after).not.toContain('Aucun message.');
  expect(after).toMatch(/id="messages-purged">Les messages ont été supprimés avec les données personnelles de la demande, le \d/);
});

test('the citizen\'s e-mails come first; the notices to agents are folded under their count', async () => {
  const r = await filed('Courriels');
  const at = Date.now() - 3000_000;
  await emailWasSent(h, r.id, { key: `${r.reference}:RECEIPT`, kind: 'RECEIPT', at });
  for (const code of ['amartin', 'bdurand', 'admin']) {
    await emailWasSent(h, r.id, { key: `${r.reference}:NEW:${code}`, kind: 'NEW_REQUEST', at: at + 1000 });
  }
  await emailWasSent(h, r.id, { key: `${r.reference}:REMIND`, kind: 'REMINDER_UNPROCESSED', at: at + 2000 });
  const html = await page(`/demandes/${r.reference}`);
  const citizenTable = html.indexOf('id="emails-citizen-heading"');
  const folded = html.indexOf('<details class="agent-emails" id="agent-emails">');
  expect(citizenTable).toBeGreaterThan(0);
  expect(folded).toBeGreaterThan(citizenTable);
  expect(html.slice(citizenTable, folded)).toContain('Accusé de dépôt (code de suivi)');
  expect(html.slice(citizenTable, folded)).not.toContain('Information : nouvelle demande');
  expect(html).toContain('<summary>4 avis envoyés aux agents</summary>');

  // In a browser: closed until opened, and accessible.
  const { context, page: p } = await loggedIn(browser, h.baseUrl, 'amartin');
  await p.goto(`/demandes/${r.reference}`);
  const notices = p.locator('#agent-emails table');
  expect(await notices.isVisible()).toBe(false);
  expect(await p.getByText('Accusé de dépôt (code de suivi)').isVisible()).toBe(true);
  await p.locator('summary', { hasText: '4 avis envoyés aux agents' }).click();
  await notices.waitFor();
  expect(await p.locator('#agent-emails tbody tr').count()).toBe(4);
  expect(await accessibilityViolations(p)).toEqual([]);
  await context.close();

  // One notice only: said in the singular.
  const single = await filed('Seul');
  await emailWasSent(h, single.id, { key: `${single.reference}:NEW`, kind: 'NEW_REQUEST', at });
  const one = await page(`/demandes/${single.reference}`);
  expect(one).toContain('<summary>1 avis envoyé aux agents</summary>');
  expect(one).toContain('Aucun courriel à l\'usager.');
});

test('answers show under labels: those of the version filed with, else of the current version, else a humanised key', async () => {
  const r = await filed('Réponses');
  const formType = await h.db('form_types').where({ slug: 'acte-mariage' }).first('id');
  const old = await saveFormVersion(h.db, formType.id, [{ key: 'lieu', label: 'Commune du mariage', type: 'text', required: false }], null);
  await saveFormVersion(h.db, formType.id, [
    { key: 'lieu', label: 'Lieu (nouveau libellé)', type: 'text', required: false },
    { key: 'conjoint', label: 'Autre époux', type: 'text', required: false },
  ], null);
  await projectionWas(h, r.id, { form_type_id: formType.id, form_version_id: old });
  await h.db('request_personal').where({ request_id: r.id }).update({ answers: JSON.stringify({ lieu: 'Nantes', conjoint: 'Marie', 'piece_demandee-2': 'oui' }) });
  const html = await page(`/demandes/${r.reference}`);
  expect(html).toContain('<dt>Commune du mariage</dt><dd class="multiline">Nantes</dd>');
  expect(html).toContain('<dt>Autre époux</dt><dd class="multiline">Marie</dd>');
  expect(html).toContain('<dt>Piece demandee 2</dt>');
  expect(html).not.toContain('<dt>piece_demandee-2</dt>');
});

// Last: it gives the demo's forms their fields, which the requests above did without.
test('the demo requests (seed) show their answers under the fields\' labels, never raw keys', async () => {
  const last = Number((await h.db('requests').max({ n: 'id' }).first())?.n ?? 0);
  await seedDemoForms(h.db);
  await seedDemoRequests(h.ctx);
  const demo = await h.db('requests as r').join('form_types as f', 'f.id', 'r.form_type_id').where('r.id', '>', last)
    .where('f.slug', 'acte-naissance').first('r.reference');
  expect(demo).toBeDefined();
  const html = await waitFor(async () => {
    const text = await page(`/demandes/${demo.reference}`);
    return text.includes('Réponses au formulaire') ? text : undefined;
  }, 10000, 'the demo request page');
  for (const label of ['Date de naissance', 'Commune de naissance', 'Motif de la demande', 'Documents souhaités']) {
    expect(html).toContain(`<dt>${label}</dt>`);
  }
  expect(html).not.toMatch(/<dt>(objet|précisions)<\/dt>/);
  // Every demo request: each answer's key is a field of the version it was filed with.
  const rows = await h.db('requests as r').join('request_personal as p', 'p.request_id', 'r.id').join('form_versions as v', 'v.id', 'r.form_version_id')
    .where('r.id', '>', last).select('p.answers', 'v.fields');
  expect(rows).toHaveLength(6);
  for (const row of rows) {
    const keys = new Set((JSON.parse(row.fields) as { key: string }[]).map((f) => f.key));
    const answers = Object.keys(JSON.parse(row.answers) as object);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((k) => !keys.has(k))).toEqual([]);
  }
});
