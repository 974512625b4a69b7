// The citizen's side: the tracking page (a code typed as people type it, what each status
// means and what comes next, the way back to the online forms) and a refused form, which
// must say so to a screen reader first (title, focus).
import type { Browser, Page } from 'playwright-core';
import { saveFormVersion } from '../src/db/formVersions';
import { normalTrackingCode } from '../src/db/requests';
import { frenchDate } from '../src/dates';
import { accessibilityViolations, launchBrowser, loggedIn } from './support/browser';
import { moveTo, submitRequest, type Filed } from './support/factories';
import { BIRTH_FORM } from './support/files';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

const LIMIT = 12;
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ env: { TRACKING_REQUESTS_PER_HOUR: String(LIMIT), REFRESH_SECONDS: '3600' } }), launchBrowser()]);
  // A form with fields to get wrong; the other requests here are filed on forms without any.
  const formType = await h.db('form_types').where({ slug: 'acte-mariage' }).first('id');
  await saveFormVersion(h.db, formType.id, BIRTH_FORM, null);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

// Each test looks codes up from an address of its own: the limit counts per address.
let addresses = 0;
const citizen = () => webClient(h.baseUrl, `10.88.0.${++addresses}`);
const trackingPage = async (c: ReturnType<typeof citizen>, code: string) => {
  const res = await c.call('GET', `/suivi?code=${encodeURIComponent(code)}`);
  expect({ code, status: res.status }).toEqual({ code, status: 200 });
  return res.text;
};

test('normalTrackingCode: case, spaces and dashes do not matter; anything else is left as typed, to match nothing', () => {
  expect(normalTrackingCode('abcde23456')).toBe('ABCDE-23456');
  expect(normalTrackingCode('  ABCDE 23456 ')).toBe('ABCDE-23456');
  expect(normalTrackingCode('ab cd e-23 45 6')).toBe('ABCDE-23456');
  expect(normalTrackingCode('ABCDE\u201323456')).toBe('ABCDE-23456');
  expect(normalTrackingCode('ABCDE-23456')).toBe('ABCDE-23456');
  expect(normalTrackingCode('abcd-2345')).toBe('ABCD-2345');
  expect(normalTrackingCode('ABCDE-234567')).toBe('ABCDE-234567');
  expect(normalTrackingCode('ABCDE/23456')).toBe('ABCDE/23456');
});

test('a code typed without its hyphen, with spaces or in lower case opens the request; a wrong one is refused as before, and every lookup counts against the limit', async () => {
  const r = await submitRequest(h);
  const [head, tail] = r.trackingCode.split('-');
  const typed = [`${head}${tail}`, `${head}${tail}`.toLowerCase(), `${head} ${tail}`, ` ${r.trackingCode.toLowerCase()} `, `${head.slice(0, 3)} ${head.slice(3)}${tail.slice(0, 2)} ${tail.slice(2)}`];
  const c = citizen();
  for (const code of typed) {
    const text = await trackingPage(c, code);
    expect(text).toContain(`Demande ${r.reference}`);
    expect(text).toMatch(new RegExp(`<title>Demande ${r.reference} · `));
  }
  // One character short: not unambiguous, refused with the message it always had, and the title says so.
  const wrong = await c.call('GET', `/suivi?code=${head}${tail.slice(1)}`);
  expect(wrong.status).toBe(404);
  expect(wrong.text).toContain('Aucune demande ne correspond à ce code de suivi.');
  expect(wrong.text).toMatch(/<title>Erreur : Suivre ma demande · /);
  // The limit counts the tolerant lookups as any other: 6 so far.
  for (let i = typed.length + 1; i < LIMIT; i++) {
    await trackingPage(c, `${head}${tail}`.toLowerCase());
  }
  expect((await c.call('GET', `/suivi?code=${head}${tail}`)).status).toBe(429);

  // Agents read codes over the phone: their search by tracking code is as tolerant.
  const agent = webClient(h.baseUrl, '10.88.1.1');
  await agent.login('amartin');
  const found = await agent.call('GET', `/recherche?suivi=${encodeURIComponent(`${head} ${tail}`.toLowerCase())}`);
  expect(found.text).toContain(`>${r.reference}</a>`);
});

test('the tracking page says, for each status, what it means and what comes next, with the dates, a reply link when the service waits, and the way back to the online forms', async () => {
  const c = citizen();
  const filed = async (status: Parameters<typeof moveTo>[2], moves: Parameters<typeof moveTo>[3] = {}): Promise<Filed> => {
    const r = await submitRequest(h);
    if (status !== 'NON_TRAITEE') await moveTo(h, r.reference, status, moves);
    return r;
  };
  const catalogue = '<a href="/formulaires" id="tracking-catalogue">Voir les démarches en ligne</a>';

  const fresh = await trackingPage(c, (await filed('NON_TRAITEE')).trackingCode);
  expect(fresh).toContain('Votre demande a bien été reçue par le service État civil. Elle n\'a pas encore été prise en compte par un agent.');
  expect(fresh).toContain('Et ensuite ?');
  expect(fresh).toContain('elle passera alors « En cours de traitement »');
  expect(fresh).toContain('Déposée le');
  expect(fresh).not.toContain('Dernière évolution le');
  expect(fresh).not.toContain('/repondre');
  expect(fresh).toContain(catalogue);

  const taken = await trackingPage(c, (await filed('EN_COURS')).trackingCode);
  expect(taken).toContain('a été prise en compte par un agent du service État civil : elle est en cours de traitement.');
  expect(taken).toContain('Une fois le traitement terminé, la demande sera clôturée.');
  expect(taken).toContain('Prise en compte le');
  expect(taken).not.toContain('Dernière évolution le');
  expect(taken).toContain(catalogue);

  const until = Date.now() + 10 * 24 * 3600 * 1000;
  const held = await trackingPage(c, (await filed('EN_ATTENTE', { hold: { until } })).trackingCode);
  expect(held).toContain('puis mise en attente : son traitement est suspendu pour l\'instant.');
  expect(held).toContain(`Le traitement reprendra au plus tard le ${frenchDate(until)}.`);
  expect(held).toContain('Dernière évolution le');
  expect(held).not.toContain('/repondre');

  const waitingRequest = await filed('EN_ATTENTE', { hold: { waitingForCitizen: true } });
  const waiting = await trackingPage(c, waitingRequest.trackingCode);
  expect(waiting).toContain('qui attend une réponse de votre part.');
  expect(waiting).toContain('votre réponse remettra la demande en cours de traitement.');
  const reply = /href="(\/suivi\/[^"]+\/repondre\?jeton=[^"]+)"/.exec(waiting)?.[1];
  expect(reply).toBeDefined();
  // In a browser: the reply link stands out and the page is accessible.
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const tpage = await context.newPage();
  await tpage.goto(`/suivi?code=${waitingRequest.trackingCode.toLowerCase().replace('-', '')}`);
  await tpage.getByRole('link', { name: 'Répondre au service' }).waitFor();
  expect(await accessibilityViolations(tpage)).toEqual([]);
  await context.close();
  const replyPage = await c.call('GET', reply!);
  expect(replyPage.status).toBe(200);
  expect(replyPage.text).toContain('Envoyer ma réponse');
  expect(replyPage.text).not.toContain('id="tracking-reply"');

  const closedRequest = await filed('CLOTUREE', { closingCode: 'TRAITEE' });
  await waitFor(async () => (await h.db('requests').where({ id: closedRequest.id }).first('purged_at'))?.purged_at, 20000, 'the purge');
  const closed = await trackingPage(c, closedRequest.trackingCode);
  expect(closed).toContain('Clôturée</span> — Traitée');
  expect(closed).toContain('Le traitement de votre demande est terminé.');
  expect(closed).toContain('Vous n\'avez plus rien à faire pour cette demande.');
  expect(closed).toContain('seuls sont conservés sa référence et les dates de son traitement');
  expect(closed).toContain('Clôturée le');
  expect(closed).toContain('ses données personnelles et ses messages ont été supprimés');
  expect(closed).not.toContain('/repondre');
  expect(closed).toContain(catalogue);

  // The search form too leads back to the online forms.
  expect((await c.call('GET', '/suivi')).text).toContain(catalogue);
});

/** After a refused submission: what has the focus, and the page's title. */
const focusAndTitle = (page: Page) => page.evaluate(() => {
  const d = (globalThis as unknown as { document: { activeElement: { id: string; tagName: string } | null; title: string } }).document;
  return { focused: d.activeElement?.id ?? d.activeElement?.tagName, title: d.title };
});

test('a public form sent with mistakes: the error summary has the focus, links to each field, and the title starts with « Erreur : »', async () => {
  const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/formulaires/acte-mariage');
  expect(await page.title()).toBe("Demande d'acte de mariage · Guichet");
  await page.getByLabel('Nom', { exact: false }).first().fill('Curie');
  await Promise.all([page.waitForURL('**/formulaires/acte-mariage'), page.getByRole('button', { name: 'Envoyer ma demande' }).click()]);
  await page.locator('#erreurs').waitFor();
  expect(await focusAndTitle(page)).toEqual({ focused: 'erreurs', title: "Erreur : Demande d'acte de mariage · Guichet" });
  expect(await accessibilityViolations(page)).toEqual([]);
  // The summary's links lead to the fields.
  const link = page.locator('#erreurs a[href="#champ-prenom"]');
  await link.click();
  expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('champ-prenom');
  await context.close();
});

test('the agent\'s entry form sent with mistakes: same focus and title', async () => {
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto('/saisie/acte-mariage');
  await Promise.all([page.waitForURL('**/saisie/acte-mariage'), page.getByRole('button', { name: /Enregistrer/ }).click()]);
  await page.locator('#erreurs').waitFor();
  const { focused, title } = await focusAndTitle(page);
  expect(focused).toBe('erreurs');
  expect(title.startsWith('Erreur : ')).toBe(true);
  await context.close();
});
