// Agent assistance in Chromium, two agents in two browser contexts (two sessions): Anne has
// the room of their group open, Bruno posts; Anne's page shows his message without a reload,
// and each one's unread badge follows, without a reload either.
import type { Browser, Page } from 'playwright-core';
import { serviceGroupOf } from '../src/db/groups';
import { accessibilityViolations, actionResponse, launchBrowser, loggedIn } from './support/browser';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
let browser: Browser;
let room: string;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ worker: false }), launchBrowser()]);
  const { id } = await h.db('services').where({ slug: 'etat-civil' }).first('id');
  room = `/entraide/${(await serviceGroupOf(h.db, Number(id)))!.id}`;
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The unread badge of the navigation, as read on screen ('' when nothing is unread). */
const badge = (page: Page) => page.locator('#chat-badge .count-unread');
const noReload = (page: Page) => page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
const sameDocument = (page: Page) => page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument === true);

test('Anne has the room open, Bruno posts: his message appears on her page without a reload; the badges follow', async () => {
  const anne = await loggedIn(browser, h.baseUrl, 'amartin');
  const bruno = await loggedIn(browser, h.baseUrl, 'bdurand');
  await anne.page.goto(room);
  await anne.page.getByRole('heading', { name: 'Entraide : État civil' }).waitFor();
  await anne.page.getByText("Aucun message pour l'instant", { exact: false }).waitFor();
  await noReload(anne.page);

  // Bruno, in the room too, posts: his own page shows it at once, the form emptied.
  await bruno.page.getByRole('banner').getByRole('link', { name: /Entraide/ }).click();
  await bruno.page.getByRole('link', { name: 'État civil' }).click();
  await bruno.page.getByRole('heading', { name: 'Entraide : État civil' }).waitFor();
  await noReload(bruno.page);
  await bruno.page.getByLabel('Votre message').fill('Anne, tu sais où sont\nles registres de 1950 ?');
  expect(await actionResponse(bruno.page, room, () => bruno.page.getByRole('button', { name: 'Envoyer' }).click())).toBe(200);
  await bruno.page.locator('#chat-list li', { hasText: 'les registres de 1950' }).waitFor();
  expect(await bruno.page.getByLabel('Votre message').inputValue()).toBe('');
  expect(await sameDocument(bruno.page)).toBe(true);

  // Anne's open room shows it within its poll (3 s), without a reload; being read there, her badge stays empty.
  const received = anne.page.locator('#chat-list li', { hasText: 'les registres de 1950' });
  await received.waitFor({ timeout: 10_000 });
  expect(await received.locator('strong').textContent()).toBe('Bruno Durand');
  expect(await sameDocument(anne.page)).toBe(true);
  await anne.page.waitForTimeout(6000); // a badge poll or more
  expect(await badge(anne.page).count()).toBe(0);
  expect(await accessibilityViolations(anne.page)).toEqual([]);

  // Bruno leaves for his home page; Anne answers: his badge says 1 without a reload.
  await bruno.page.getByRole('link', { name: 'Accueil' }).click();
  await bruno.page.waitForURL((url) => url.pathname === '/');
  await noReload(bruno.page);
  expect(await badge(bruno.page).count()).toBe(0);
  await anne.page.getByLabel('Votre message').fill('Aux archives, 2e étage.');
  expect(await actionResponse(anne.page, room, () => anne.page.getByRole('button', { name: 'Envoyer' }).press('Enter'))).toBe(200);
  await anne.page.locator('#chat-list li', { hasText: 'Aux archives' }).waitFor();
  await badge(bruno.page).waitFor({ timeout: 12_000 });
  expect(await badge(bruno.page).textContent()).toBe('1');
  expect(await bruno.page.locator('#chat-badge').textContent()).toContain('(1 message non lu)');
  expect(await sameDocument(bruno.page)).toBe(true);

  // Opening the room marks it read: the badge is gone.
  await bruno.page.getByRole('banner').getByRole('link', { name: /Entraide/ }).click();
  await bruno.page.getByRole('link', { name: 'État civil' }).click();
  await bruno.page.locator('#chat-list li', { hasText: 'Aux archives' }).waitFor();
  expect(await badge(bruno.page).count()).toBe(0);

  // A refusal (an empty message) is said beside the form; what was typed elsewhere stays.
  await bruno.page.getByLabel('Demande liée (facultatif)').fill('pas une référence');
  expect(await actionResponse(bruno.page, room, () => bruno.page.getByRole('button', { name: 'Envoyer' }).click())).toBe(400);
  await bruno.page.getByRole('alert').filter({ hasText: 'Écrivez votre message.' }).waitFor();
  expect(await bruno.page.getByLabel('Demande liée (facultatif)').inputValue()).toBe('pas une référence');
  expect(await accessibilityViolations(bruno.page)).toEqual([]);

  await anne.context.close();
  await bruno.context.close();
}, 90_000);
