// Every page of the agent, admin and citizen sides, at a phone's width and an office
// screen's: no sideways scrolling, checkboxes beside their labels, readable buttons and
// links, no axe finding, French only. A screenshot of each is left for a reviewer
// (tests/support/screenAudit.ts says where; .ci/run prints it).
import { planCallback } from '../src/commands/callbacks';
import { parisIsoDay } from '../src/dates';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBulk } from '../src/commands/bulk';
import { consult } from '../src/commands/consult';
import { writeMessage } from '../src/commands/writeMessage';
import { postChatMessage } from '../src/commands/chat';
import { release } from '../src/commands/release';
import { createAccountToken } from '../src/db/accountTokens';
import { findBulkJob } from '../src/db/bulkJobs';
import { createCitizen } from '../src/db/citizens';
import { findGroupByName, insertGroup, setMember } from '../src/db/groups';
import { replyToken } from '../src/messages/secureLink';
import { seedDemoRequests } from '../src/seed/demo';
import { demoAnswers, seedDemoForms } from '../src/seed/demoForms';
import { administering, launchBrowser, loggedIn } from './support/browser';
import { agentByCode, citizenReplied, moveTo, submitRequest, type Filed } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { screenProblems, screenshot, WIDTHS } from './support/screenAudit';

type Side = 'agent' | 'admin' | 'citizen';

interface Screen {
  /** names the screenshot, e.g. agent-home */
  name: string;
  side: Side;
  /** the address, or how to get to the page (e.g. after a refused submission) */
  open: string | ((page: Page) => Promise<void>);
}

let h: Harness;
let browser: Browser;
const pages = {} as Record<Side, Page>;
const contexts: BrowserContext[] = [];
const seeded = {} as {
  unprocessed: Filed; inProgress: Filed; onHold: Filed; closed: Filed;
  released: Filed; heldByColleague: Filed;
  citizenFile: string; bulkJob: number; activation: string; reset: string; group: number;
  /** Anne Martin's request waiting for Urbanisme's opinion; Urbanisme's request on which her experts' group is consulted */
  consulting: Filed; consulted: Filed;
};

/** A consultation each way: Anne Martin asked Urbanisme; Chloé Petit (Urbanisme) asked Anne Martin's experts' group. */
async function seedConsultations(): Promise<void> {
  const [amartin, cpetit] = [await agentByCode(h, 'amartin'), await agentByCode(h, 'cpetit')];
  const experts = await insertGroup(h.db, { name: 'Experts état civil' });
  await setMember(h.db, experts, amartin.id);
  const urbanisme = Number((await h.db('groups').where({ name: 'Urbanisme' }).first('id')).id);
  seeded.consulting = await submitRequest(h, { formType: 'acte-mariage', citizen: { firstName: 'Écran', lastName: 'Consultée' }, answers: demoAnswers('acte-mariage') });
  await moveTo(h, seeded.consulting.reference, 'EN_COURS', { agent: amartin });
  await consult(h.ctx, amartin, seeded.consulting.reference, { group: urbanisme, question: 'Le mariage peut-il être célébré dans le jardin de la mairie, ouvert au public ?' });
  seeded.consulted = await submitRequest(h, { formType: 'declaration-travaux', citizen: { firstName: 'Écran', lastName: 'Travaux' }, answers: demoAnswers('declaration-travaux') });
  await moveTo(h, seeded.consulted.reference, 'EN_COURS', { agent: cpetit });
  await consult(h.ctx, cpetit, seeded.consulted.reference, { group: experts, question: 'Le demandeur est-il bien le propriétaire selon l’acte de mariage produit ?' });
}

/** Requests in every status (one closed and purged), a citizen's file, a bulk job, account links. */
async function seed(): Promise<void> {
  await seedDemoRequests(h.ctx);
  await seedDemoForms(h.db);
  const amartin = await agentByCode(h, 'amartin');
  const file = await createCitizen(h.db, { firstName: 'Mathilde', lastName: 'Écran', email: 'mathilde.ecran@example.org', phone: '06 01 02 03 04', address: '5 allée des Tilleuls\n44000 Nantes' }, amartin.id);
  const filing = (lastName: string, email: string | undefined = `${lastName.toLowerCase()}@example.org`) => submitRequest(h, {
    formType: 'acte-mariage', citizen: { firstName: 'Écran', lastName, email, address: '2 rue Basse\n44000 Nantes' }, answers: demoAnswers('acte-mariage'),
  });
  seeded.unprocessed = await filing('Nontraitée');
  seeded.inProgress = await submitRequest(h, { formType: 'acte-mariage', citizenId: file.id, citizen: { firstName: 'Mathilde', lastName: 'Écran', email: 'mathilde.ecran@example.org' }, answers: demoAnswers('acte-mariage') });
  seeded.onHold = await filing('Enattente', undefined);
  seeded.closed = await filing('Close');
  await moveTo(h, seeded.inProgress.reference, 'EN_COURS', { agent: amartin });
  await writeMessage(h.ctx, amartin, seeded.inProgress.reference, { body: 'Merci de nous envoyer une copie de votre pièce d’identité.', visible: true, finalCode: null });
  await citizenReplied(h, seeded.inProgress, 'La voici, en pièce jointe.');
  // Two callbacks on it: one tomorrow, one due (and late) for amartin, who asked for it back.
  const tomorrow = parisIsoDay(Date.now() + 24 * 3600_000);
  await planCallback(h.ctx, amartin, seeded.inProgress.reference, { date: tomorrow, time: '10:30', phone: '06 01 02 03 04', reassignToMe: false });
  const late = await planCallback(h.ctx, amartin, seeded.inProgress.reference, { date: tomorrow, time: '14:00', phone: '+44 20 7946 0958', reassignToMe: true });
  await h.db('callbacks').where({ id: late.callbackId }).update({ status: 'DUE', due_at: Date.now() - 30 * 60_000 });
  await moveTo(h, seeded.onHold.reference, 'EN_ATTENTE', { agent: amartin });
  await moveTo(h, seeded.closed.reference, 'CLOTUREE', { agent: amartin, closingCode: 'TRAITEE' });
  await waitFor(async () => (await h.db('requests').where({ reference: seeded.closed.reference }).first('purged_at'))?.purged_at, 20000, 'the purge');
  const toTake = await filing('Groupée');
  seeded.bulkJob = await startBulk(h.ctx, amartin, { action: 'take', requestIds: [toTake.id, seeded.closed.id], notifyCitizen: false });
  await waitFor(async () => (await findBulkJob(h.db, seeded.bulkJob))?.finished_at, 30000, 'the bulk job');
  seeded.citizenFile = file.publicId;
  const bdurand = await agentByCode(h, 'bdurand');
  // A contact centre's group across services: amartin dispatches there, so her nav leads with its queue.
  seeded.group = await insertGroup(h.db, { name: 'Accueil téléphonique' });
  await setMember(h.db, seeded.group, amartin.id, 'DISPATCHER');
  await setMember(h.db, seeded.group, bdurand.id, 'AGENT');
  // Anne Martin supervises her group: the agent's side has the board too.
  await setMember(h.db, Number((await findGroupByName(h.db, 'État civil'))!.id), amartin.id, 'SUPERVISOR');
  // Assignment: Anne supervises état civil (« Équipe » offers to release a colleague's
  // requests, the panel asks to confirm taking Bruno's); one request was released.
  seeded.released = await filing('Libérée');
  await moveTo(h, seeded.released.reference, 'EN_COURS', { agent: bdurand });
  await release(h.ctx, bdurand, seeded.released.reference);
  seeded.heldByColleague = await filing('Collègue');
  await moveTo(h, seeded.heldByColleague.reference, 'EN_COURS', { agent: bdurand });
  seeded.activation = await createAccountToken(h.db, bdurand.id, 'ACTIVATION', 3_600_000);
  seeded.reset = await createAccountToken(h.db, bdurand.id, 'PASSWORD_RESET', 3_600_000);
  // Agent assistance: messages of colleagues (unread by amartin), one naming a request, a long one, one of hers.
  const cpetit = await agentByCode(h, 'cpetit');
  const chat = async (agent: typeof amartin, room: string, body: string) => postChatMessage(h.ctx, agent, room, { body });
  await chat(cpetit, 'tous', 'Bonjour à tous ! Quelqu’un a la nouvelle grille des tarifs de la salle des fêtes ?');
  await chat(amartin, 'tous', 'Oui, elle est dans le dossier partagé « Tarifs 2027 ».');
  await chat(cpetit, 'tous', `Merci ! Et pour une réservation associative en semaine, avec la sono et l’estrade, le tarif réduit s’applique-t-il aussi ? ${'Il faudrait le confirmer avant vendredi. '.repeat(3)}`);
  const etatCivil = String((await h.db('agent_groups').where({ agent_id: bdurand.id }).orderBy('group_id').first('group_id')).group_id);
  await chat(bdurand, etatCivil, `Anne, peux-tu regarder ${seeded.inProgress.reference} ? L’usagère a répondu.`);
  await seedConsultations();
}

/** The citizen files the birth certificate form in the browser: the confirmation page is theirs. */
async function fileOnline(page: Page): Promise<void> {
  await page.goto('/formulaires/acte-naissance');
  const typed = {
    nom: 'Écran', prenom: 'Léon', courriel: 'leon.ecran@example.org', adresse: '12 rue des Lilas',
    'adresse-code-postal': '44000', 'adresse-commune': 'Nantes', 'date-naissance': '1985-03-14', lieu: 'Nantes',
  };
  for (const [field, value] of Object.entries(typed)) await page.locator(`#champ-${field}`).fill(value);
  await page.locator('#champ-motif').selectOption('Mariage');
  await page.getByLabel('Copie intégrale').check();
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await page.waitForURL('**/formulaires/confirmation');
}

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ env: { REFRESH_SECONDS: '3600', BOARD_REFRESH_SECONDS: '3600' } }), launchBrowser()]);
  await seed();
  const agent = await loggedIn(browser, h.baseUrl, 'amartin');
  contexts.push(agent.context);
  pages.agent = agent.page;
  const admin = await administering(browser, h.baseUrl);
  contexts.push(admin.context);
  pages.admin = admin.page;
  const citizen = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  contexts.push(citizen);
  pages.citizen = await citizen.newPage();
  await fileOnline(pages.citizen);
  for (const page of Object.values(pages)) page.setDefaultTimeout(20000);
}, 240000);
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await h?.close();
});

/** A form sent empty: the page as it comes back, with its errors. */
const refused = (path: string) => async (page: Page) => {
  await page.goto(path);
  await page.locator('main form[novalidate] button[type=submit]').last().click();
  await page.getByRole('main').getByRole('alert').first().waitFor();
};
/** A creation form filled as given and sent to `path`: the page as it comes back with the server's refusal. */
const refusedByServer = (path: string, fields: Record<string, string>) => async (page: Page) => {
  await page.goto(path);
  for (const [selector, value] of Object.entries(fields)) await page.locator(selector).fill(value);
  await page.locator(`main form[action="${path}"] button[type=submit]`).click();
  await page.getByRole('main').getByRole('alert').first().waitFor();
};
const request = (f: () => Filed) => (page: Page) => page.goto(`/demandes/${f().reference}`).then(() => undefined);

const SCREENS: Screen[] = [
  { name: 'agent-home', side: 'agent', open: '/' },
  { name: 'agent-list-en-cours', side: 'agent', open: '/demandes/en-cours' },
  { name: 'agent-list-non-traitees', side: 'agent', open: '/demandes/non-traitees' },
  { name: 'agent-list-en-attente', side: 'agent', open: '/demandes/en-attente' },
  { name: 'agent-list-du-service', side: 'agent', open: '/demandes/du-service' },
  { name: 'agent-list-du-groupe', side: 'agent', open: '/demandes/du-groupe' },
  { name: 'agent-list-du-groupe-non-assignes', side: 'agent', open: async (page) => {
    const { id } = await h.db('groups').where({ name: 'État civil' }).first('id');
    await page.goto(`/demandes/du-groupe?groupe=${id}&affectation=non-assignes`);
  } },
  { name: 'agent-list-mes-dossiers', side: 'agent', open: '/demandes/mes-dossiers' },
  { name: 'agent-list-traites-par-moi', side: 'agent', open: '/demandes/traites-par-moi' },
  { name: 'agent-search', side: 'agent', open: '/recherche' },
  { name: 'agent-search-results', side: 'agent', open: '/recherche?nom=Moreau' },
  { name: 'agent-request-non-traitee', side: 'agent', open: request(() => seeded.unprocessed) },
  { name: 'agent-request-en-cours', side: 'agent', open: request(() => seeded.inProgress) },
  { name: 'agent-request-en-attente', side: 'agent', open: request(() => seeded.onHold) },
  { name: 'agent-request-cloturee-purgee', side: 'agent', open: request(() => seeded.closed) },
  { name: 'agent-journal', side: 'agent', open: '/journal' },
  { name: 'agent-statistics', side: 'agent', open: '/statistiques' },
  { name: 'agent-callbacks', side: 'agent', open: '/demandes/a-rappeler' },
  { name: 'agent-request-callback-offered', side: 'agent', open: (page) => page.goto(`/demandes/${seeded.inProgress.reference}?rappel=1#rappel`).then(() => undefined) },
  { name: 'agent-citizens', side: 'agent', open: '/usagers' },
  { name: 'agent-citizen-new', side: 'agent', open: '/usagers/nouveau' },
  { name: 'agent-citizen-file', side: 'agent', open: (page) => page.goto(`/usagers/${seeded.citizenFile}`).then(() => undefined) },
  { name: 'agent-citizen-new-refused', side: 'agent', open: refused('/usagers/nouveau') },
  { name: 'agent-entry-catalogue', side: 'agent', open: '/saisie' },
  { name: 'agent-entry-form', side: 'agent', open: '/saisie/acte-naissance' },
  { name: 'agent-entry-form-refused', side: 'agent', open: refused('/saisie/acte-naissance') },
  { name: 'agent-account', side: 'agent', open: '/mon-compte' },
  { name: 'agent-team', side: 'agent', open: '/equipe' },
  { name: 'agent-chat-rooms', side: 'agent', open: '/entraide' },
  { name: 'agent-chat-room', side: 'agent', open: '/entraide/tous' },
  { name: 'agent-chat-room-group', side: 'agent', open: async (page) => {
    await page.goto('/entraide');
    await page.getByRole('link', { name: 'État civil', exact: true }).click();
    await page.locator('#chat-list').waitFor();
  } },
  { name: 'agent-chat-room-refused', side: 'agent', open: async (page) => {
    await page.goto('/entraide/tous');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByRole('main').getByRole('alert').first().waitFor();
  } },
  { name: 'agent-board', side: 'agent', open: '/supervision' },
  { name: 'agent-consultations', side: 'agent', open: '/demandes/consultations' },
  { name: 'agent-request-consultation-asked', side: 'agent', open: request(() => seeded.consulting) },
  { name: 'agent-request-consulted-expert', side: 'agent', open: request(() => seeded.consulted) },
  { name: 'agent-request-consult-form', side: 'agent', open: async (page) => {
    await page.goto(`/demandes/${seeded.inProgress.reference}`);
    await page.locator('summary', { hasText: 'Demander l\'avis d\'un expert' }).click();
  } },
  { name: 'agent-request-released', side: 'agent', open: request(() => seeded.released) },
  { name: 'agent-request-held-by-colleague', side: 'agent', open: request(() => seeded.heldByColleague) },
  { name: 'agent-release-all', side: 'agent', open: '/mes-dossiers/liberer' },
  { name: 'agent-release-colleague', side: 'agent', open: '/equipe/bdurand/liberer' },
  { name: 'agent-list-ticked', side: 'agent', open: async (page) => {
    // The bulk bar as an agent sees it once rows are ticked and an action chosen.
    await page.goto('/demandes/non-traitees');
    for (const box of (await page.locator('input[name="ids"]').all()).slice(0, 2)) await box.check();
    await page.getByLabel('Action', { exact: true }).selectOption('close');
  } },
  { name: 'agent-bulk-close-confirm', side: 'agent', open: async (page) => {
    await page.goto('/demandes/non-traitees');
    for (const box of (await page.locator('input[name="ids"]').all()).slice(0, 2)) await box.check();
    await page.getByLabel('Action', { exact: true }).selectOption('close');
    await page.locator('#bulk-code').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Appliquer aux demandes choisies' }).click();
    await page.locator('.bulk-confirm').waitFor();
  } },
  { name: 'agent-bulk-report', side: 'agent', open: (page) => page.goto(`/actions-groupees/${seeded.bulkJob}`).then(() => undefined) },
  { name: 'agent-not-found', side: 'agent', open: '/demandes/inconnue/nulle-part' },
  { name: 'admin-role', side: 'admin', open: '/role' },
  { name: 'admin-index', side: 'admin', open: '/admin' },
  { name: 'admin-agents', side: 'admin', open: '/admin/agents' },
  { name: 'admin-agent', side: 'admin', open: async (page) => {
    const { id } = await h.db('agents').where({ code: 'bdurand' }).first('id');
    await page.goto(`/admin/agents/${id}`);
  } },
  // An existing code: refused by the server (the browser's own checks pass).
  { name: 'admin-agents-refused', side: 'admin', open: refusedByServer('/admin/agents', { '#new-code': 'amartin', '#new-name': 'Anne Double', '#new-email': 'double@mairie.example' }) },
  { name: 'admin-services', side: 'admin', open: '/admin/services' },
  { name: 'admin-groups', side: 'admin', open: '/admin/groupes' },
  { name: 'admin-group', side: 'admin', open: (page) => page.goto(`/admin/groupes/${seeded.group}`).then(() => undefined) },
  { name: 'admin-group-of-service', side: 'admin', open: async (page) => {
    const { id } = await h.db('groups').where({ name: 'État civil' }).first('id');
    await page.goto(`/admin/groupes/${id}`);
  } },
  { name: 'admin-groups-refused', side: 'admin', open: refusedByServer('/admin/groupes', { '#group-name': 'Accueil téléphonique' }) },
  { name: 'admin-codes-clotures', side: 'admin', open: '/admin/codes/clotures' },
  { name: 'admin-codes-evenements', side: 'admin', open: '/admin/codes/evenements' },
  { name: 'admin-codes-appels', side: 'admin', open: '/admin/codes/appels' },
  { name: 'admin-form-types', side: 'admin', open: '/admin/demarches' },
  { name: 'admin-form-type', side: 'admin', open: '/admin/demarches/acte-naissance' },
  { name: 'admin-form-fields', side: 'admin', open: '/admin/demarches/acte-naissance/formulaire' },
  { name: 'admin-form-fields-draft', side: 'admin', open: async (page) => {
    // A move makes a draft: the page says what is not yet published.
    await page.goto('/admin/demarches/acte-naissance/formulaire');
    if (!(await page.getByRole('button', { name: /^Publier/ }).count())) {
      await page.locator('main table button', { hasText: 'Descendre' }).first().click();
      await page.getByRole('button', { name: /^Publier/ }).waitFor();
    }
  } },
  { name: 'admin-email-templates', side: 'admin', open: '/admin/courriels' },
  { name: 'admin-email-template', side: 'admin', open: '/admin/courriels/ACKNOWLEDGEMENT' },
  { name: 'admin-partners', side: 'admin', open: '/admin/partenaires' },
  { name: 'citizen-catalogue', side: 'citizen', open: '/formulaires' },
  { name: 'citizen-form', side: 'citizen', open: '/formulaires/acte-naissance' },
  { name: 'citizen-form-refused', side: 'citizen', open: refused('/formulaires/acte-naissance') },
  { name: 'citizen-confirmation', side: 'citizen', open: '/formulaires/confirmation' },
  { name: 'citizen-tracking-form', side: 'citizen', open: '/suivi' },
  { name: 'citizen-tracking', side: 'citizen', open: (page) => page.goto(`/suivi?code=${seeded.inProgress.trackingCode}`).then(() => undefined) },
  { name: 'citizen-tracking-unknown', side: 'citizen', open: '/suivi?code=AAAAA-BBBBB' },
  { name: 'citizen-reply', side: 'citizen', open: (page) => page.goto(`/suivi/${seeded.inProgress.trackingCode}/repondre?jeton=${replyToken(h.config.sessionSecret, seeded.inProgress.id)}`).then(() => undefined) },
  { name: 'citizen-activation', side: 'citizen', open: (page) => page.goto(`/activation/${seeded.activation}`).then(() => undefined) },
  { name: 'citizen-password-reset', side: 'citizen', open: (page) => page.goto(`/reinitialisation/${seeded.reset}`).then(() => undefined) },
  { name: 'citizen-forgotten-password', side: 'citizen', open: '/mot-de-passe-oublie' },
  { name: 'citizen-login', side: 'citizen', open: '/connexion' },
  { name: 'citizen-not-found', side: 'citizen', open: '/formulaires/inconnu' },
];

/** Opens the screen at each width and lists what is wrong, width by width. */
async function audit(screen: Screen): Promise<string[]> {
  const page = pages[screen.side];
  const problems: string[] = [];
  for (const { width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    if (typeof screen.open === 'string') await page.goto(screen.open);
    else await screen.open(page);
    await page.waitForLoadState('load');
    await screenshot(page, screen.name, width);
    // What the folded parts hold (an action's form, the message form's recipients) is checked too.
    await page.evaluate(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { open: boolean }[] } }).document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    problems.push(...(await screenProblems(page)).map((p) => `${width}px ${p}`));
  }
  return problems;
}

test.each(SCREENS.map((s) => [s.name, s] as const))('%s: fits, labels beside boxes, readable, accessible, in French', async (_name, screen) => {
  expect(await audit(screen)).toEqual([]);
});

test('the skip link is the first Tab stop and moves the focus to the main content', async () => {
  const page = pages.agent;
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/demandes/du-service');
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = (globalThis as unknown as { document: { activeElement: { className: string; getAttribute(n: string): string | null } } }).document.activeElement;
    return { className: el.className, href: el.getAttribute('href') };
  });
  expect(first).toEqual({ className: 'skip-link', href: '#contenu' });
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('contenu');
});

test('the checks find each kind of problem on a page made to have them', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.setContent(`<!doctype html><html lang="fr"><head><title>Piège</title></head><body><main>
    <div style="width: 600px">Trop large</div>
    <p><input type="checkbox" id="c" style="width: 100%"><label for="c">Loin de sa case</label></p>
    <div style="background: rgba(255, 255, 255, 0.5)"><button style="background: none; border: 1px solid #fff; color: #fff">Tout cocher</button></div>
    <p>Submit</p><p>Montant : [object Object]</p><img src="data:,">
  </main></body></html>`);
  const problems = await screenProblems(page);
  await page.close();
  const kinds = problems.map((p) => p.split(':')[0]);
  expect(kinds).toEqual(expect.arrayContaining(['overflow', 'label', 'contrast', 'english', expect.stringMatching(/^axe .*image-alt/)]));
  expect(problems.find((p) => p.startsWith('contrast'))).toContain('« Tout cocher »: text #ffffff on #ffffff, contrast 1.00:1');
  expect(problems.find((p) => p.startsWith('axe') && p.includes('color-contrast to review'))).toBeDefined();
  expect(problems.filter((p) => p.startsWith('english')).map((p) => p.split('»')[0])).toEqual(['english: « Submit ', 'english: « [object Object] ']);
});
