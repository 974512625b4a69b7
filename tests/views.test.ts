import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { agentIdOf, closedAndPurged, filedAt, projectionWas } from './support/rawRows';

// The lists read the database only: most rows here are written straight into it, with
// no workflow behind them, and never acted upon. The refresh test uses real requests.
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ env: { REFRESH_SECONDS: '1' } }), launchBrowser()]);
  await seed();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const agentId = (code: string) => agentIdOf(h, code);

const file = (formType: string, firstName: string, lastName: string, createdAt: number, email: string | null = null) =>
  filedAt(h, { formType, citizen: { firstName, lastName, email }, at: createdAt });

const refs: Record<string, { id: number; reference: string; trackingCode: string }> = {};

async function seed() {
  const now = Date.now();
  // 120 unprocessed birth-certificate requests, one per hour back in time.
  for (let i = 0; i < 120; i++) {
    const r = await file('acte-naissance', 'Jean', `Usager${String(i).padStart(3, '0')}`, now - (i + 1) * 3600_000);
    if (i === 0) refs.recent = r;
  }
  refs.heloise = await file('acte-mariage', 'Héloïse', 'Dupré-Laforêt', now - 10 * DAY, 'heloise@example.org');
  refs.old = await file('acte-mariage', 'Gérard', 'Ancien', now - 29 * DAY);
  refs.urba = await file('declaration-travaux', 'Ursule', 'Urbain', now - DAY);
  refs.mine = await file('acte-naissance', 'Marc', 'Encours', now - 12 * DAY);
  await projectionWas(h, refs.mine.id, { status: 'EN_COURS', assignee_id: await agentId('amartin'), taken_at: now - 11 * DAY, status_since: now - 11 * DAY });
  refs.closed = await file('acte-naissance', 'Clotilde', 'Fermée', now - 40 * DAY);
  await projectionWas(h, refs.closed.id, { status: 'CLOTUREE', closing_code: 'TRAITEE', closed_at: now - 35 * DAY, assignee_id: await agentId('bdurand') });
}

const rowsOf = (page: Page) => page.locator('#list-region table.requests tbody tr');
const headersOf = (page: Page) => page.locator('#list-region table.requests thead th').allInnerTexts();
const nameCells = (page: Page) => page.locator('#list-region table.requests tbody td.citizen-col').allTextContents();

test('Non traitées: count, 100 rows a page, sorting and paging in the URL, back button, accessible', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: /Non traitées/ }).click();
  await page.getByRole('heading', { name: 'Demandes non traitées' }).waitFor();
  // 120 + Héloïse + Gérard; not the urbanisme one, not the one in progress.
  await page.getByText('122 demandes', { exact: true }).waitFor();
  expect(await rowsOf(page).count()).toBe(100);
  await page.getByText('Page 1 sur 2').waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);

  // Oldest first by default: the 29-day-old one leads (its deletion is the closest).
  expect(await rowsOf(page).first().textContent()).toContain(refs.old.reference);

  await page.getByRole('link', { name: 'Suivante ›' }).click();
  await page.getByText('Page 2 sur 2').waitFor();
  expect(new URL(page.url()).searchParams.get('page')).toBe('2');
  expect(await rowsOf(page).count()).toBe(22);

  await page.getByRole('link', { name: /^Démarche/ }).click();
  await page.waitForURL(/tri=formType/);
  await page.getByText('Page 1 sur 2').waitFor();
  // Ascending by title: "Demande d'acte de mariage" before "Demande d'acte de naissance".
  expect(await rowsOf(page).first().textContent()).toContain("Demande d'acte de mariage");
  expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Démarche');
  await page.getByRole('link', { name: /^Démarche/ }).click();
  await page.waitForURL(/ordre=desc/);
  expect(await rowsOf(page).first().textContent()).toContain("Demande d'acte de naissance");

  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('ordre') === 'asc');
  await page.reload();
  expect(await rowsOf(page).first().textContent()).toContain("Demande d'acte de mariage");
  await context.close();
});

test('filters of a view live in the URL: a shared link shows the same list', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees');
  await page.getByLabel("Nom de l'usager").fill('HELOISE dupre');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/nom=HELOISE/);
  await page.getByText('1 demande', { exact: true }).waitFor();
  expect(await rowsOf(page).first().textContent()).toContain(refs.heloise.reference);

  // The same URL in another agent's browser: same list.
  const other = await loggedIn(browser, h.baseUrl, 'bdurand');
  await other.page.goto(page.url());
  await other.page.getByText('1 demande', { exact: true }).waitFor();
  expect(await other.page.getByLabel("Nom de l'usager").inputValue()).toBe('HELOISE dupre');
  await other.context.close();
  await context.close();
});

test('search: each criterion finds its request and no other; closed ones too; only the agent\'s services', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: 'Recherche' }).click();
  await page.getByRole('heading', { name: 'Recherche' }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);

  const search = async (query: string) => {
    await page.goto(`/recherche?${query}`);
    return (await rowsOf(page).allTextContents()).join('\n');
  };
  const number = String(refs.heloise.id);
  expect(await search(`reference=${number}`)).toContain(refs.heloise.reference);
  expect(await page.getByText('1 demande', { exact: true }).count()).toBe(1);
  expect(await search(`reference=${refs.closed.reference.toLowerCase()}`)).toContain(refs.closed.reference);
  expect(await search(`suivi=${refs.heloise.trackingCode}`)).toContain(refs.heloise.reference);
  expect(await search('nom=laforet')).toContain(refs.heloise.reference);
  expect(await search('courriel=HELOISE@example.org')).toContain(refs.heloise.reference);
  const closed = await search('statut=CLOTUREE');
  expect(closed).toContain(refs.closed.reference);
  expect(closed).not.toContain(refs.heloise.reference);
  expect(await search('agent=bdurand')).toContain(refs.closed.reference);
  // Closed 35 days ago: within a closing range around it, not outside.
  const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
  expect(await search(`cloture_du=${day(36 * DAY)}&cloture_au=${day(34 * DAY)}`)).toContain(refs.closed.reference);
  expect(await search(`cloture_du=${day(20 * DAY)}`)).not.toContain(refs.closed.reference);
  const submitted = await search(`depot_du=${day(11 * DAY)}&depot_au=${day(9 * DAY)}&demarche=acte-mariage`);
  expect(submitted).toContain(refs.heloise.reference);
  expect(submitted).not.toContain(refs.old.reference);
  expect(await search('en_retard=1&demarche=acte-mariage')).toContain(refs.old.reference);

  // Another service's request: never, whatever is typed.
  expect(await search(`reference=${refs.urba.reference}`)).toBe('');
  await page.getByText('Aucune demande ne correspond à ces critères.').waitFor();
  expect(await search('nom=urbain')).toBe('');
  const urbanist = await loggedIn(browser, h.baseUrl, 'cpetit');
  await urbanist.page.goto('/recherche?nom=urbain');
  expect(await urbanist.page.locator('#list-region tbody tr').allTextContents()).toEqual([expect.stringContaining(refs.urba.reference)]);
  await urbanist.page.goto('/recherche?nom=heloise');
  expect(await urbanist.page.locator('#list-region tbody tr').count()).toBe(0);
  await urbanist.context.close();

  // A bad date is said, in French, and ignored.
  await page.goto('/recherche?depot_du=31-12-2026&nom=heloise');
  await page.getByText('« 31-12-2026 » n\'est pas une date').waitFor();
  await context.close();
});

test('Accueil: counters, my open requests, the overdue ones and the next deletions with their dates', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.getByRole('heading', { name: 'Accueil' }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  const counters = page.getByRole('region', { name: 'Demandes de mes groupes' });
  await counters.getByRole('link', { name: /122\s+Non traitée/ }).waitFor();
  await counters.getByRole('link', { name: /1\s+En cours \(les miennes\)/ }).waitFor();

  const mine = page.getByRole('region', { name: 'Mes demandes ouvertes' });
  await mine.getByRole('link', { name: refs.mine.reference }).waitFor();
  // In progress for 11 days, over the 7-day reminder delay.
  const overdue = page.getByRole('region', { name: 'Demandes en retard' });
  await overdue.getByRole('link', { name: refs.mine.reference }).waitFor();
  await overdue.getByRole('link', { name: refs.old.reference }).waitFor();
  // Submitted 29 days ago with a 30-day deletion delay: deleted tomorrow, said plainly.
  const deletions = page.getByRole('region', { name: 'Prochaines suppressions' });
  await deletions.getByRole('row', { name: new RegExp(`${refs.old.reference}.*demain`) }).waitFor();
  await deletions.getByRole('link', { name: /Voir les 122 demandes/ }).waitFor();
  await context.close();
});

test('a colleague acts: the request page says who did what without a reload, the list refreshes itself', async () => {
  const { reference: ref } = await submitRequest(h, { citizen: { firstName: 'Rémi', lastName: 'Rafraîchi' } });

  const anne = await loggedIn(browser, h.baseUrl, 'amartin');
  await anne.page.goto(`/demandes/${ref}`);
  await anne.page.locator('#request-status', { hasText: 'Non traitée' }).waitFor();
  await anne.page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
  const list = await loggedIn(browser, h.baseUrl, 'amartin');
  await list.page.goto('/demandes/non-traitees?nom=rafraichi');
  await list.page.getByText('1 demande', { exact: true }).waitFor();

  const took = await h.api('POST', `/api/requests/${ref}/take`, h.tokens.bdurand, { notifyCitizen: false });
  expect(took.status).toBe(200);

  await anne.page.getByText('Bruno Durand vient de modifier cette demande : Prise en compte.').waitFor({ timeout: 10000 });
  await anne.page.locator('#request-status', { hasText: 'En cours' }).waitFor();
  expect(await anne.page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);
  // Her take button is gone; the list no longer shows it among the unprocessed ones.
  expect(await anne.page.getByRole('button', { name: /Prendre en compte/ }).count()).toBe(0);
  await list.page.getByText('0 demande', { exact: true }).waitFor({ timeout: 10000 });
  await anne.context.close();
  await list.context.close();
});

test('a list with ticked rows is not reloaded under the agent: it says it changed', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees');
  await rowsOf(page).first().locator('input[type=checkbox]').check();
  await file('acte-naissance', 'Nouveau', 'Venu', Date.now());
  await page.getByText('Cette liste a changé depuis son affichage').waitFor({ timeout: 10000 });
  expect(await rowsOf(page).first().locator('input[type=checkbox]').isChecked()).toBe(true);
  await context.close();
});

test('each view shows its own requests with its count, and is accessible', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  const expectations: [string, RegExp, string | null][] = [
    ['En cours', /Mes demandes en cours/, refs.mine.reference],
    ['Non traitées', /Demandes non traitées/, refs.old.reference],
    ['En attente', /Demandes en attente/, null],
    // Newest first: the one filed an hour ago leads the first page.
    ['Du service', /Demandes du service/, refs.recent.reference],
  ];
  for (const [nav, heading, shows] of expectations) {
    await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: new RegExp(`^${nav}`) }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
    const navCount = await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: new RegExp(`^${nav}`) }).locator('.count').textContent();
    await page.locator('#list-region .list-count', { hasText: new RegExp(`^${navCount} demandes?$`) }).waitFor();
    if (shows) {
      await page.locator('#list-region').getByRole('link', { name: shows }).waitFor();
    } else {
      await page.getByText('Aucune demande dans cette rubrique.').waitFor();
    }
    expect(await page.locator('#list-region').getByRole('link', { name: refs.urba.reference }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  }
  await context.close();
});

test('the name is the column after the reference, sorts by last name, is found by the search and shown there; a purged request says its data are deleted', async () => {
  const now = Date.now();
  // One word of the name in common, for a list of their own.
  const named = [await file('acte-naissance', 'Anne Trinom', 'Zébulon', now - 5 * HOUR), await file('acte-naissance', 'Paul Trinom', 'Émeric', now - 4 * HOUR), await file('acte-naissance', 'Marie Trinom', 'Dupont', now - 3 * HOUR)];
  const gone = await file('acte-naissance', 'Jean', 'Effacé', now - 2 * HOUR);
  await closedAndPurged(h, gone.id);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/demandes/non-traitees?nom=trinom');
  // What agents look for first: reference, name, form type, status and priority, due date; then the rest.
  expect((await headersOf(page)).map((s) => s.replace(/\s*[▲▼]$/, '').trim().toLowerCase()))
    .toEqual(['sélection', 'référence', 'usager', 'démarche', 'statut', 'priorité', 'échéance', 'agent', 'déposée le']);
  const sortByName = page.locator('#list-region thead').getByRole('link', { name: /^Usager/ });
  await sortByName.click();
  await page.waitForURL(/tri=name/);
  await page.locator('th[aria-sort="ascending"]', { hasText: 'Usager' }).waitFor();
  // Accents ignored: Émeric among the E's, before Zébulon.
  expect(await nameCells(page)).toEqual(['Dupont Marie Trinom', 'Émeric Paul Trinom', 'Zébulon Anne Trinom']);
  await sortByName.click();
  await page.waitForURL(/ordre=desc/);
  expect(await nameCells(page)).toEqual(['Zébulon Anne Trinom', 'Émeric Paul Trinom', 'Dupont Marie Trinom']);
  expect(await rowsOf(page).first().textContent()).toContain(named[0].reference);
  expect(await accessibilityViolations(page)).toEqual([]);

  // The search by name shows the names it found; a purged request is found by its reference, without a name.
  await page.goto('/recherche?nom=emeric');
  expect(await nameCells(page)).toEqual(['Émeric Paul Trinom']);
  await page.goto(`/recherche?reference=${gone.reference}`);
  expect(await nameCells(page)).toEqual(['données supprimées']);
  expect(await accessibilityViolations(page)).toEqual([]);

  // The home page's blocks too.
  await page.goto('/');
  const deletions = page.getByRole('region', { name: 'Prochaines suppressions' });
  await deletions.getByRole('row', { name: new RegExp(`${refs.old.reference} Ancien Gérard`, 'i') }).waitFor();
  await context.close();
  for (const r of named) await closedAndPurged(h, r.id);
});

/** Presses Tab until `reached` holds of the focused element; the number of presses. */
async function tabsUntil(page: Page, reached: string, limit = 80): Promise<number> {
  for (let n = 1; n <= limit; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`Boolean(document.activeElement && document.activeElement.matches(${JSON.stringify(reached)}))`)) {
      return n;
    }
  }
  throw new Error(`not reached in ${limit} Tab presses: ${reached}`);
}

test('keyboard: « Prendre en compte » of the third unprocessed request in far fewer Tab presses than 60', async () => {
  for (const name of ['Clavier1', 'Clavier2', 'Clavier3']) await file('acte-naissance', 'Jean', name, Date.now() - HOUR, `${name.toLowerCase()}@example.org`);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/demandes/non-traitees?nom=clavier');
  await page.getByText('3 demandes', { exact: true }).waitFor();
  // The list page: the skip link to the list, then down to the third row's link.
  const toSkip = await tabsUntil(page, 'a.skip-link[href="#liste"]');
  await page.keyboard.press('Enter');
  const toRow = await tabsUntil(page, '#liste tr:nth-child(3) th a');
  const third = await page.evaluate('document.activeElement.textContent');
  await Promise.all([page.waitForURL((url) => url.pathname === `/demandes/${third}`), page.keyboard.press('Enter')]);
  // The request page: its own skip link to the content, or straight on, whichever is shorter.
  const take = 'form[action$="/take"] button[type="submit"]';
  const straight = await tabsUntil(page, take);
  await page.reload();
  const toContent = await tabsUntil(page, 'a.skip-link[href="#contenu"]');
  await page.keyboard.press('Enter');
  const viaContent = toContent + (await tabsUntil(page, take));
  const onRequest = Math.min(straight, viaContent);
  const total = toSkip + toRow + onRequest;
  console.info(`Tab presses to « Prendre en compte » of the 3rd request: ${total} (list: ${toSkip} to the skip link + ${toRow} to the row; request page: ${onRequest}, straight ${straight}, via « Aller au contenu » ${viaContent})`);
  expect(toSkip + toRow).toBeLessThan(10);
  expect(total).toBeLessThan(30);
  await context.close();
});
