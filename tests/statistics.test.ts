import type { Browser } from 'playwright-core';
import type { Channel } from '../src/db/requests';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { startHarness, type Harness } from './support/harness';
import { agentIdOf, emailWasSent, eventWas, filedAt, projectionWas } from './support/rawRows';

// The statistics read the database only: the rows are written straight into it, with
// dates chosen so that every figure is known in advance.
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ worker: false }), launchBrowser()]);
  await seed();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

async function file(formType: string, createdAt: number, channel: Channel, change: Record<string, unknown> = {}) {
  const r = await filedAt(h, { formType, citizen: { firstName: 'Stat', lastName: 'Istique' }, channel, at: createdAt });
  await projectionWas(h, r.id, change);
  return r;
}

async function seed() {
  const now = Date.now();
  const anne = await agentIdOf(h, 'amartin');
  const start = now - 10 * DAY;
  // Taken after 1 h, 2 h and 3 h: median 2 h, 90th percentile 3 h.
  for (const [i, hours] of [1, 2, 3].entries()) {
    await file('acte-naissance', start + i * HOUR, i === 0 ? 'phone' : 'web', { status: 'EN_COURS', assignee_id: anne, taken_at: start + i * HOUR + hours * HOUR });
  }
  // Closed four days after filing.
  const closed = await file('acte-mariage', now - 6 * DAY, 'counter', { status: 'CLOTUREE', closing_code: 'TRAITEE', assignee_id: anne, taken_at: now - 5 * DAY, closed_at: now - 2 * DAY });
  await eventWas(h, closed.id, { seq: 2, type: 'HELD', agentId: anne, at: now - 4 * DAY });
  await file('acte-naissance', now - 3 * DAY, 'web', { status: 'CLOTUREE', closing_code: 'EXPIRED', closed_at: now - DAY });
  const reminded = await file('acte-naissance', now - 3 * DAY, 'mail');
  await emailWasSent(h, reminded.id, { key: 'stat-reminder', kind: 'REMINDER_UNPROCESSED', at: now - DAY });
  // Outside the default period (the last 30 days), and another service's.
  await file('acte-naissance', now - 60 * DAY, 'web');
  await file('declaration-travaux', now - DAY, 'web');
}

test('statistics of the last 30 days: counts, median and 90th percentile, channels, per form type, charts beside their numbers', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: 'Statistiques' }).click();
  await page.getByRole('heading', { name: 'Statistiques', level: 1 }).waitFor();
  const counter = async (label: string) => (await page.locator('.counter', { hasText: label }).locator('.counter-value').textContent())?.trim();
  expect(await counter('Reçues')).toBe('6');
  expect(await counter('Prises en compte')).toBe('4');
  expect(await counter('Clôturées')).toBe('1');
  expect(await counter('Supprimées faute de prise en compte')).toBe('1');
  expect(await counter('Mises en attente')).toBe('1');
  expect(await counter('Relances envoyées')).toBe('1');

  const take = page.getByRole('row', { name: /Du dépôt à la prise en compte/ });
  expect((await take.locator('td').allTextContents()).map((s) => s.trim())).toEqual(['4', '2 h 0 min', '1 j 0 h']);
  const close = page.getByRole('row', { name: /Du dépôt à la clôture/ });
  expect((await close.locator('td').allTextContents()).map((s) => s.trim())).toEqual(['1', '4 j 0 h', '4 j 0 h']);

  const channels = page.getByRole('region', { name: 'Demandes reçues par canal' });
  expect(await channels.getByRole('row', { name: /Par téléphone/ }).locator('td').textContent()).toBe('1');
  expect(await channels.getByRole('row', { name: /Au guichet/ }).locator('td').textContent()).toBe('1');
  expect(await channels.getByRole('row', { name: /Par courrier/ }).locator('td').textContent()).toBe('1');
  expect(await channels.getByRole('row', { name: /En ligne/ }).locator('td').textContent()).toBe('3');
  const byType = page.getByRole('region', { name: 'Par démarche' });
  expect((await byType.getByRole('row', { name: /acte de mariage/ }).locator('td').allTextContents())).toEqual(['1', '1', '1', '0']);

  // The charts are drawn by Chart.js, served by Guichet itself.
  const drawn = await page.waitForFunction(() => {
    const chart = (globalThis as unknown as { Chart?: { getChart(id: string): unknown } }).Chart;
    return Boolean(chart?.getChart('chart-daily') && chart.getChart('chart-channels'));
  });
  expect(await drawn.jsonValue()).toBe(true);
  // Days in French: « lun. 30 nov. » under the chart, « lundi 30 novembre 2026 » in its table.
  const labels = JSON.parse((await page.locator('#stats-data').textContent())!).daily.labels as string[];
  expect(labels.length).toBeGreaterThan(0);
  for (const label of labels) expect(label).toMatch(/^(lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} \S+$/u);
  expect(await page.locator('section[aria-labelledby="st-daily"] tbody th').first().textContent()).toMatch(/^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} \S+ \d{4}$/u);
  expect(await accessibilityViolations(page)).toEqual([]);

  // One form type; then a period that leaves out everything but the old request.
  await page.getByLabel('Démarche', { exact: true }).selectOption({ label: "Demande d'acte de mariage" });
  await page.getByRole('button', { name: 'Afficher' }).click();
  await page.waitForURL(/demarche=acte-mariage/);
  expect(await counter('Reçues')).toBe('1');
  const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
  await page.goto(`/statistiques?du=${day(61 * DAY)}&au=${day(59 * DAY)}`);
  expect(await counter('Reçues')).toBe('1');
  await page.goto('/statistiques?du=2026-13-45');
  await page.getByRole('alert').filter({ hasText: "La période demandée n'est pas valide" }).waitFor();
  await context.close();
});

test('an agent counts only their services', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'cpetit');
  await page.goto('/statistiques');
  expect((await page.locator('.counter', { hasText: 'Reçues' }).locator('.counter-value').textContent())?.trim()).toBe('1');
  await context.close();
});
