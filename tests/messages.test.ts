import type { Browser } from 'playwright-core';
import { replyToken } from '../src/messages/secureLink';
import { accessibilityViolations, actionResponse, launchBrowser, loggedIn } from './support/browser';
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

async function takenRequest(email: string): Promise<{ reference: string; trackingCode: string; id: number }> {
  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Mona', lastName: 'Messagère', email }, answers: {} });
  expect((await h.api('POST', `/api/requests/${filed.body.reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  const row = await h.db('requests').where({ reference: filed.body.reference }).first('id');
  return { ...filed.body, id: row.id };
}

const linkIn = (text: string) => /(http:\/\/localhost:1\/suivi\/\S+)/.exec(text)![1];

test('on hold waiting for the citizen, a message e-mails a link; the answer brings the request back in progress with an unread marker', async () => {
  const r = await takenRequest('mona@example.org');
  expect((await h.api('POST', `/api/requests/${r.reference}/hold`, h.tokens.amartin, { reason: 'Il manque le livret de famille', waitingForCitizen: true })).status).toBe(200);

  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/demandes/${r.reference}`);
  await page.locator('summary', { hasText: 'Écrire un message' }).click();
  await page.getByLabel('Message', { exact: true }).fill('Bonjour, pouvez-vous nous envoyer une copie du livret de famille ?');
  expect(await actionResponse(page, `/${r.reference}/message`, () => page.getByRole('button', { name: 'Envoyer le message' }).click())).toBe(200);
  await page.getByText('Message enregistré.').waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);

  const mail = await waitFor(() => h.mails.find((m) => m.subject === `Un message au sujet de votre demande ${r.reference}`), 15000, 'the message e-mail');
  expect(mail.to).toEqual(['mona@example.org']);
  expect(mail.text).toContain('copie du livret de famille');
  const link = linkIn(mail.text).replace('http://localhost:1', h.baseUrl);

  // The citizen, not logged in, follows the link and answers.
  const citizen = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const cpage = await citizen.newPage();
  await cpage.goto(link);
  await cpage.getByRole('heading', { name: 'Répondre au service' }).waitFor();
  await cpage.getByText('copie du livret de famille').waitFor();
  expect(await accessibilityViolations(cpage)).toEqual([]);
  await cpage.getByLabel('Votre réponse').fill('Voici : le livret est au nom de Messagère.');
  await cpage.getByRole('button', { name: 'Envoyer ma réponse' }).click();
  await cpage.getByText('Votre réponse a bien été transmise au service. Merci.').waitFor();

  expect(await h.db('requests').where({ id: r.id }).first('status', 'citizen_unread', 'waiting_for_citizen')).toMatchObject({ status: 'EN_COURS', citizen_unread: 1, waiting_for_citizen: 0 });
  const resumed = await h.db('events').where({ request_id: r.id, type: 'RESUMED' }).first('agent_id');
  expect(resumed).toEqual({ agent_id: null });
  const told = await waitFor(() => h.mails.find((m) => m.subject === `Réponse de l'usager sur la demande ${r.reference}`), 15000, 'the assignee told');
  expect(told.to).toEqual(['amartin@mairie.example']);
  expect(told.text).toContain('de nouveau en cours de traitement');

  // Anne's list shows the marker until she opens the request (the page, once shown, POSTs that she saw it).
  await page.goto('/demandes/en-cours');
  await page.getByRole('row', { name: new RegExp(`${r.reference}.*Nouveau message de l'usager`) }).waitFor();
  const seen = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === `/demandes/${r.reference}/lu`);
  await page.getByRole('link', { name: r.reference }).click();
  await page.getByText('Voici : le livret est au nom de Messagère.').waitFor();
  expect((await seen).status()).toBe(204);
  await page.goto('/demandes/en-cours');
  await page.getByRole('link', { name: r.reference }).waitFor();
  expect(await page.getByText("Nouveau message de l'usager").count()).toBe(0);
  await citizen.close();
  await context.close();
});

test('the tracking page shows status, dates and the messages meant for the citizen, never internal notes; a final answer closes and purges them', async () => {
  const r = await takenRequest('suivi@example.org');
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/demandes/${r.reference}`);
  const write = async (body: string, internal: boolean, final?: string) => {
    await page.locator('summary', { hasText: 'Écrire un message' }).click();
    await page.getByLabel('Message', { exact: true }).fill(body);
    if (internal) await page.getByLabel('Note interne (seuls les agents la voient)').check();
    if (final) {
      await page.getByLabel('Réponse finale : clôturer la demande avec ce message').check();
      await page.getByLabel('Code de clôture (réponse finale)').selectOption({ label: final });
    }
    return actionResponse(page, `/${r.reference}/message`, () => page.getByRole('button', { name: 'Envoyer le message' }).click());
  };
  expect(await write('Note pour les collègues : dossier sensible', true)).toBe(200);
  expect(await write('Votre acte est en préparation.', false)).toBe(200);

  const anonymous = await browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR' });
  const tpage = await anonymous.newPage();
  await tpage.goto('/suivi');
  await tpage.getByLabel('Code de suivi').fill(r.trackingCode.toLowerCase());
  await tpage.getByRole('button', { name: 'Voir ma demande' }).click();
  await tpage.getByRole('heading', { name: `Demande ${r.reference}` }).waitFor();
  await tpage.getByText('En cours').first().waitFor();
  await tpage.getByText('Votre acte est en préparation.').waitFor();
  expect(await tpage.content()).not.toContain('dossier sensible');
  expect(await accessibilityViolations(tpage)).toEqual([]);
  await tpage.goto('/suivi?code=AAAAA-BBBBB');
  await tpage.getByText('Aucune demande ne correspond à ce code de suivi.').waitFor();

  expect(await write('Votre acte vous a été envoyé par courrier.', false, 'Traitée')).toBe(200);
  await page.getByText('Message enregistré.').waitFor();
  await waitFor(async () => (await h.db('requests').where({ id: r.id }).first('purged_at'))?.purged_at, 20000, 'the purge');
  expect(await h.db('requests').where({ id: r.id }).first('status', 'closing_code')).toEqual({ status: 'CLOTUREE', closing_code: 'TRAITEE' });
  expect(await h.db('messages').where({ request_id: r.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  const final = h.mails.find((m) => m.subject === `Un message au sujet de votre demande ${r.reference}` && m.text.includes('envoyé par courrier'));
  expect(final?.to).toEqual(['suivi@example.org']);
  await tpage.goto(`/suivi?code=${r.trackingCode}`);
  await tpage.getByText('ses données personnelles et ses messages ont été supprimés').waitFor();
  await anonymous.close();
  await context.close();
});

test('refusals: an altered link, an expired link, a link of another request, an answer to a closed request', async () => {
  const a = await takenRequest('a@example.org');
  const b = await takenRequest('b@example.org');
  const secret = h.config.sessionSecret;
  const post = (code: string, token: string, body = 'Une réponse') =>
    fetch(`${h.baseUrl}/suivi/${code}/repondre?jeton=${encodeURIComponent(token)}`).then(async (res) => ({ status: res.status, text: await res.text(), body }));

  const good = replyToken(secret, a.id);
  expect((await post(a.trackingCode, good)).status).toBe(200);
  const altered = good.slice(0, -2) + (good.endsWith('A') ? 'BB' : 'AA');
  const bad = await post(a.trackingCode, altered);
  expect(bad.status).toBe(403);
  expect(bad.text).toContain("Ce lien n&#x27;est pas valide");
  const forged = `${b.id}${good.slice(String(a.id).length)}`;
  expect((await post(b.trackingCode, forged)).status).toBe(403);
  const expired = await post(a.trackingCode, replyToken(secret, a.id, Date.now() - 31 * 24 * 3600 * 1000));
  expect(expired.status).toBe(403);
  expect(expired.text).toContain('Ce lien a expiré');
  const other = await post(b.trackingCode, good);
  expect(other.status).toBe(403);
  expect(other.text).toContain('Ce lien ne correspond pas à cette demande.');

  // Closed: the page says so and a hand-made answer is refused, nothing recorded.
  expect((await h.api('POST', `/api/requests/${a.reference}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);
  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  await page.goto(`/suivi/${a.trackingCode}/repondre?jeton=${good}`);
  expect(await page.getByRole('button', { name: 'Envoyer ma réponse' }).count()).toBe(0);
  const headers = JSON.parse((await page.locator('body').getAttribute('hx-headers'))!);
  const res = await context.request.post(`/suivi/${a.trackingCode}/repondre`, { form: { jeton: good, body: 'Trop tard', _csrf: headers['X-CSRF-Token'] } });
  expect(res.status()).toBe(409);
  expect(await res.text()).toContain("il n&#x27;est plus possible d&#x27;y répondre");
  expect(await h.db('messages').where({ request_id: a.id, author: 'CITIZEN' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  await context.close();
});
