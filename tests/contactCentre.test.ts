// A contact centre's morning in Chromium (issue 13), each person in a browser of their own:
// the dispatcher gives a request to Anne; Anne serves « Traiter la suivante » three times,
// releases one, plans a callback on another and asks the experts' opinion on a third;
// Chloé, an expert, answers from her « Consultations »; Anne's request is back in progress;
// and the supervisor's board counts what happened. Every page on the way is axe-clean.
import type { Browser, Page } from 'playwright-core';
import { setFormTypeGroup } from '../src/db/formTypes';
import { insertGroup, setMember } from '../src/db/groups';
import { frenchDate } from '../src/dates';
import { axeResults, launchBrowser, loggedIn } from './support/browser';
import { agentByCode, requestRow, submitRequest, type Filed } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
let accueil: number;
const filed: Filed[] = [];
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ env: { BOARD_REFRESH_SECONDS: '2' } }), launchBrowser()]);
  // The administrator's setup: the telephone front desk takes the birth certificates; Bruno
  // dispatches there, David supervises; Chloé is in the experts' group.
  accueil = await insertGroup(h.db, { name: 'Accueil téléphonique' });
  const experts = await insertGroup(h.db, { name: 'Urbanisme – experts' });
  const member = async (group: number, code: string, role?: 'DISPATCHER' | 'SUPERVISOR') => setMember(h.db, group, (await agentByCode(h, code)).id, role);
  await member(accueil, 'amartin');
  await member(accueil, 'bdurand', 'DISPATCHER');
  await member(accueil, 'dleroy', 'SUPERVISOR');
  await member(experts, 'cpetit');
  const formType = await h.db('form_types').where({ slug: 'acte-naissance' }).first('id');
  await setFormTypeGroup(h.db, Number(formType.id), accueil);
  // Five calls of the morning, the oldest first.
  for (let i = 0; i < 5; i += 1) {
    filed.push(await submitRequest(h, { formType: 'acte-naissance' }));
  }
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** axe finds nothing on the page, whatever the impact. */
async function expectAxeClean(page: Page): Promise<void> {
  const { violations } = await axeResults(page);
  expect(violations.map((v) => `${v.id} at ${v.targets.join(', ')}`)).toEqual([]);
}

const assigneeOf = async (f: Filed) => (await requestRow(h, f.reference)).assignee_code;
const statusOf = async (f: Filed) => (await requestRow(h, f.reference)).status;

/** A request page's action, unfolded then sent; waits for the panel's answer. */
async function act(page: Page, summary: string, fill: () => Promise<unknown>, submit: string): Promise<void> {
  await page.locator('summary', { hasText: summary }).click();
  await fill();
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/demandes/')),
    page.getByRole('button', { name: submit }).click(),
  ]);
}

test('a morning: dispatch, three « suivante », a release, a callback, an expert\'s opinion, the board', async () => {
  const [r1, r2, r3, r4] = filed;

  // The dispatcher gives the oldest call to Anne, from the request page.
  const bruno = await loggedIn(browser, h.baseUrl, 'bdurand');
  await bruno.page.goto(`/demandes/${r1.reference}`);
  await expectAxeClean(bruno.page);
  await act(bruno.page, 'Réattribuer', () => bruno.page.locator('#reassign-agent').selectOption({ label: 'Anne Martin' }), 'Réattribuer');
  await waitFor(async () => (await assigneeOf(r1)) === 'amartin', 10000, 'R1 dispatched to Anne');

  // Anne serves herself three times: the most urgent unassigned ones, the oldest first (R1 is hers already).
  const anne = await loggedIn(browser, h.baseUrl, 'amartin');
  await expectAxeClean(anne.page);
  const served: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    await anne.page.goto('/');
    await Promise.all([
      anne.page.waitForURL(/\/demandes\/[^/]+$/),
      anne.page.getByRole('button', { name: 'Traiter la suivante' }).click(),
    ]);
    served.push(decodeURIComponent(new URL(anne.page.url()).pathname.split('/').pop()!));
    await anne.page.getByText('la plus urgente de vos groupes, vous est assignée').waitFor();
  }
  expect(served).toEqual([r2.reference, r3.reference, r4.reference]);
  await expectAxeClean(anne.page);
  for (const r of [r2, r3, r4]) {
    expect(await assigneeOf(r)).toBe('amartin');
  }

  // She releases the last one: back in the queue, nobody on it.
  await act(anne.page, 'Libérer', async () => undefined, 'Libérer la demande');
  await waitFor(async () => (await assigneeOf(r4)) === null, 10000, 'R4 released');
  expect(await statusOf(r4)).toBe('EN_COURS');

  // A callback on R3: later this hour when the hour has room left, else tomorrow morning.
  const now = Date.now();
  const inAMinute = now + 2 * 60_000;
  const thisHour = frenchDate(inAMinute, 'time').slice(0, 2) === frenchDate(now, 'time').slice(0, 2);
  const at = thisHour ? inAMinute : now + 24 * 3600_000;
  await anne.page.goto(`/demandes/${r3.reference}`);
  await act(anne.page, 'Planifier un rappel', async () => {
    await anne.page.locator('#callback-date').fill(new Date(at).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' }));
    await anne.page.locator('#callback-time').fill(thisHour ? frenchDate(at, 'time') : '10:00');
    await anne.page.locator('#callback-phone').fill('06 12 34 56 78');
    await anne.page.locator('#callback-reassign').check();
  }, 'Planifier le rappel');
  await anne.page.getByText('Rappel planifié.').first().waitFor();
  expect(await h.db('callbacks').where({ request_id: (await requestRow(h, r3.reference)).id, phone: '+33612345678' }).first()).toBeTruthy();
  await expectAxeClean(anne.page);

  // The experts' opinion on R2: it waits for their answer.
  await anne.page.goto(`/demandes/${r2.reference}`);
  await act(anne.page, 'Demander l\'avis d\'un expert', async () => {
    await anne.page.locator('#consult-group').selectOption({ label: 'Urbanisme – experts' });
    await anne.page.locator('#consult-question').fill('La naissance a eu lieu hors commune : qui délivre l\'acte ?');
  }, 'Demander l\'avis');
  await waitFor(async () => (await statusOf(r2)) === 'EN_ATTENTE', 10000, 'R2 on hold for the experts');

  // Chloé, an expert, finds it in her « Consultations » and answers.
  const chloe = await loggedIn(browser, h.baseUrl, 'cpetit');
  await chloe.page.getByRole('navigation').getByRole('link', { name: /Consultations/ }).click();
  await chloe.page.getByText('La naissance a eu lieu hors commune').waitFor();
  await expectAxeClean(chloe.page);
  await chloe.page.getByRole('link', { name: `Lire la demande ${r2.reference}` }).click();
  await chloe.page.getByLabel('Votre réponse').first().fill('La mairie du lieu de naissance : transférez-lui la demande.');
  await Promise.all([
    chloe.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/answer')),
    chloe.page.getByRole('button', { name: 'Répondre' }).first().click(),
  ]);

  // Anne's request resumes by itself, hers, with the answer in its history.
  await waitFor(async () => (await statusOf(r2)) === 'EN_COURS', 10000, 'R2 resumed');
  expect(await assigneeOf(r2)).toBe('amartin');
  await anne.page.goto(`/demandes/${r2.reference}`);
  await anne.page.getByText('La mairie du lieu de naissance').first().waitFor();
  await expectAxeClean(anne.page);

  // The supervisor's board: waiting with nobody (R4 released, R5 untouched), Anne's three,
  // the callback, no consultation left, three taken today — the page and the API agree.
  const david = await loggedIn(browser, h.baseUrl, 'dleroy');
  await david.page.getByRole('navigation').getByRole('link', { name: 'Tableau de bord' }).click();
  const group = david.page.locator('section', { has: david.page.getByRole('heading', { name: 'Accueil téléphonique' }) });
  const figure = (label: string | RegExp) => group.getByRole('row', { name: label }).locator('td').first();
  await group.waitFor();
  expect(await figure('En attente, sans agent').textContent()).toBe('2');
  expect(await figure('Rappels à faire dans l\'heure').textContent()).toBe(thisHour ? '1' : '0');
  expect(await figure('Avis demandés par le groupe, sans réponse').textContent()).toBe('0');
  expect(await figure('Prises en compte').textContent()).toBe('3');
  const perAgent = group.getByRole('table', { name: 'Dossiers ouverts par agent' });
  expect(await perAgent.getByRole('row', { name: /Anne Martin/ }).locator('td').first().textContent()).toBe('3');
  await expectAxeClean(david.page);
  const api = await h.api('GET', '/api/supervision', h.tokens.dleroy);
  const board = api.body.groups.find((g: { name: string }) => g.name === 'Accueil téléphonique');
  expect({
    waiting: board.waiting.count,
    anne: board.assigned.find((a: { code: string }) => a.code === 'amartin').count,
    callbacks: board.callbacksDue,
    consultations: board.consultations.askedByGroup,
    taken: board.today.taken,
  }).toEqual({ waiting: 2, anne: 3, callbacks: thisHour ? 1 : 0, consultations: 0, taken: 3 });
  expect(board.waiting.oldest.reference).toBe(r4.reference);
});
