import { SessionStore } from '../src/web/sessionStore';
import { t } from '../src/i18n';
import { findRequest } from '../src/db/requests';
import { submitRequest as submitRequestWith } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A cookie-keeping client of the agent UI, as one browser seen from `address` (through the loopback proxy). */
const client = (address = '10.9.9.9') => webClient(h.baseUrl, address);

const submitRequest = async () => (await submitRequestWith(h, { citizen: { firstName: 'Rémi', lastName: 'Sécurité', email: 'remi@example.org' } })).reference;

test('a form posted without its CSRF token is refused in French and changes nothing', async () => {
  const ref = await submitRequest();
  const amartin = client();
  expect((await amartin.login('amartin')).status).toBe(303);
  const refused = await amartin.call('POST', `/demandes/${ref}/take`, { courriel: 'ne-pas-envoyer' });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('Ce formulaire n\'est plus valide');
  const htmx = await amartin.call('POST', `/demandes/${ref}/take`, { courriel: 'ne-pas-envoyer' }, { 'hx-request': 'true', 'x-csrf-token': 'faux' });
  expect(htmx.status).toBe(403);
  expect(htmx.headers.get('hx-retarget')).toBe('#global-alert');
  expect((await findRequest(h.db, ref))?.status).toBe('NON_TRAITEE');

  const admin = client();
  await admin.login('admin');
  await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
  const before = await h.db('services').count({ n: '*' }).first();
  const noToken = await admin.call('POST', '/admin/services', { slug: 'sans-jeton', name: 'Sans jeton' });
  expect(noToken.status).toBe(403);
  expect(await h.db('services').count({ n: '*' }).first()).toEqual(before);
  // The same form with its token goes through: the refusal was the token's.
  const withToken = await admin.call('POST', '/admin/services', { _csrf: await admin.csrf('/admin/services'), slug: 'avec-jeton', name: 'Avec jeton' });
  expect(withToken.status).toBe(303);
  expect(await h.db('services').where({ slug: 'avec-jeton' }).first('slug', 'name')).toEqual({ slug: 'avec-jeton', name: 'Avec jeton' });
});

test('the Content-Security-Policy allows no inline script', async () => {
  const res = await fetch(`${h.baseUrl}/connexion`);
  const csp = res.headers.get('content-security-policy') ?? '';
  const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)![1];
  expect(scriptSrc.trim()).toBe("'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
});

test('the session cookie is HttpOnly and SameSite, and Secure behind an HTTPS proxy on the loopback', async () => {
  const plain = await fetch(`${h.baseUrl}/connexion`);
  const cookie = plain.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^guichet\.sid=/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Lax/i);
  expect(cookie).not.toMatch(/Secure/i);

  const proxied = await fetch(`${h.baseUrl}/connexion`, { headers: { 'x-forwarded-proto': 'https' } });
  const secure = proxied.headers.get('set-cookie') ?? '';
  expect(secure).toMatch(/HttpOnly/i);
  expect(secure).toMatch(/SameSite=Lax/i);
  expect(secure).toMatch(/;\s*Secure/i);
});

test('login attempts are limited per account, without blocking the other accounts of the same address', async () => {
  const browser = client('10.1.1.1');
  for (let i = 0; i < 5; i += 1) {
    const failed = await browser.login('amartin', `mauvais-${i}`);
    expect(failed.status).toBe(401);
    expect(failed.text).toContain('Code agent ou mot de passe incorrect.');
  }
  // Even the right password is refused now, with when to retry.
  const blocked = await browser.login('amartin');
  expect(blocked.status).toBe(429);
  expect(blocked.text).toMatch(/Trop de tentatives de connexion infructueuses : réessayez dans 15 minutes\./);
  expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
  // Another agent at the same address is not blocked by these failures.
  expect((await client('10.1.1.1').login('bdurand')).status).toBe(303);
  // The counter is in the database: a second web process would see it.
  // Five failures, and the refused right password, counted against her.
  expect(Number((await h.db('login_attempts').where('key', 'like', '%amartin').first('points'))?.points)).toBeGreaterThanOrEqual(5);
});

test('login attempts are limited per address: twenty failures there block even a right password from there only', async () => {
  const noisy = client('10.2.2.2');
  for (let i = 0; i < 20; i += 1) {
    expect((await noisy.login(`inconnu${i}`, 'x')).status).toBe(401);
  }
  const blocked = await noisy.login('cpetit');
  expect(blocked.status).toBe(429);
  expect(blocked.text).toContain('Trop de tentatives');
  expect((await client('10.2.2.3').login('cpetit')).status).toBe(303);
});

test("an agent reaching another service's request by URL gets 403 on its page, fragments and actions, and nothing changes", async () => {
  const ref = await submitRequest();
  const request = (await findRequest(h.db, ref))!;
  const cpetit = client('10.3.3.3');
  expect((await cpetit.login('cpetit')).status).toBe(303);
  const token = await cpetit.csrf('/');

  expect((await cpetit.call('GET', `/demandes/${ref}`)).status).toBe(403);
  expect((await cpetit.call('GET', `/demandes/${ref}/courriels`, undefined, { 'hx-request': 'true' })).status).toBe(403);
  expect((await cpetit.call('GET', `/demandes/${ref}/close-email?closingCode=TRAITEE`, undefined, { 'hx-request': 'true' })).status).toBe(403);
  for (const action of ['take', 'hold', 'resume', 'reassign', 'annotate', 'prioritize', 'close']) {
    const res = await cpetit.call('POST', `/demandes/${ref}/${action}`, { _csrf: token, courriel: 'ne-pas-envoyer', reason: 'x', agent: 'cpetit', eventType: 'NOTE', priority: 'haute', closingCode: 'TRAITEE' });
    expect([action, res.status]).toEqual([action, 403]);
  }

  const after = (await findRequest(h.db, ref))!;
  expect(after.status).toBe('NON_TRAITEE');
  expect(after.assignee_id).toBeNull();
  expect(await h.db('events').where({ request_id: request.id }).count({ n: '*' }).first()).toEqual({ n: 1 });

  // Administration is for administrators in the admin role, pages and fragments alike.
  expect((await cpetit.call('GET', '/admin/services')).status).toBe(403);
  const fragment = await cpetit.call('POST', '/admin/courriels/RECEIPT/apercu', { _csrf: token, subject: 'x', body: 'y' }, { 'hx-request': 'true' });
  expect(fragment.status).toBe(403);
  expect(fragment.text).toBe('Cette page est réservée aux administrateurs.');
});

test('the message a form post leaves for the next page is there when the browser follows the redirect at once, however slow the session store', async () => {
  const c = client('10.9.9.71');
  expect((await c.login('amartin')).status).toBe(303);
  const _csrf = /name="_csrf" value="([^"]+)"/.exec((await c.call('GET', '/mon-compte')).text)![1];
  // The session store takes its time to write (MariaDB under load): the redirect must wait for it.
  const set = SessionStore.prototype.set;
  const store = jest.spyOn(SessionStore.prototype, 'set').mockImplementation(async function slow(this: SessionStore, ...args: Parameters<SessionStore['set']>) {
    await new Promise((r) => setTimeout(r, 500));
    return set.apply(this, args);
  });
  try {
    const page = await c.postThenFollow('/mon-compte/courriels', { _csrf, choice: 'DIGEST' });
    expect(page.status).toBe(200);
    expect(page.text).toContain(t('ui.account.page.saved'));
  } finally {
    store.mockRestore();
  }
  // Shown once: not again on the page after.
  expect((await c.call('GET', '/mon-compte')).text).not.toContain(t('ui.account.page.saved'));
});
