// Single sign-on for agents against a real OpenID provider (oidc-provider, in a process of
// its own), through Chromium: the agent logs in at the provider's page, lands on Accueil as
// themself, and logs out of both; unknown accounts, altered answers and password logins
// (when turned off) are refused and change nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAgent } from '../src/admin';
import { loadConfig } from '../src/config';
import { agentsOfGroup, loadAgent } from '../src/db/agents';
import { COMMAND_LINE } from '../src/policies';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { closeWebApp, createWebApp } from '../src/web/server';
import { launchBrowser } from './support/browser';
import { startHarness, type Harness } from './support/harness';
import { screenProblems, screenshot, WIDTHS } from './support/screenAudit';

const CLIENT = { clientId: 'guichet', clientSecret: 'secret-du-client-guichet' };
/** Logins typed at the provider's page, and what it says of each. */
const ACCOUNTS = {
  'kc-amartin': { email: 'AMartin@Mairie.example', email_verified: true },
  'kc-inconnu': { email: 'inconnu@mairie.example', email_verified: true },
  'kc-pirate': { email: 'bdurand@mairie.example', email_verified: false },
  'kc-dleroy': { email: 'dleroy@mairie.example', email_verified: true },
  'kc-zoe': { email: 'zoe.nouvelle@mairie.example', email_verified: true },
};

interface Guichet {
  baseUrl: string;
  server: http.Server;
  close(): Promise<void>;
}

let h: Harness;
let browser: Browser;
let provider: ChildProcess;
let issuer: string;
/** With the provider's button and the password form; with the button only (PASSWORD_LOGIN=false). */
let both: Guichet;
let ssoOnly: Guichet;

/** A port first: the provider must know Guichet's return address before Guichet knows the provider. */
async function listening(): Promise<http.Server> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const baseOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function serve(server: http.Server, env: Record<string, string>): Guichet {
  const baseUrl = baseOf(server);
  const config = loadConfig({
    ...h.env, PUBLIC_URL: baseUrl, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT.clientId, OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    OIDC_PROVIDER_NAME: 'Keycloak de la mairie', ...env,
  });
  const app = createWebApp({ ...h.ctx, config });
  server.on('request', app);
  return {
    baseUrl, server,
    close: async () => {
      closeWebApp(app);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function startProvider(redirects: string[]): Promise<string> {
  const settings = {
    ...CLIENT, accounts: ACCOUNTS,
    redirectUris: redirects.map((base) => `${base}/connexion/oidc/retour`),
    postLogoutRedirectUris: redirects.map((base) => `${base}/connexion`),
  };
  provider = spawn(process.execPath, [path.join(__dirname, 'support/oidcProvider.mjs'), JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'pipe'] });
  provider.stderr!.resume();
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: provider.stdout! }).once('line', resolve);
    provider.once('exit', (code) => reject(new Error(`the OpenID provider stopped (${code})`)));
  });
  return JSON.parse(line).issuer;
}

beforeAll(async () => {
  h = await startHarness({ worker: false });
  const [first, second] = [await listening(), await listening()];
  issuer = await startProvider([baseOf(first), baseOf(second)]);
  both = serve(first, {});
  ssoOnly = serve(second, { PASSWORD_LOGIN: 'false' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await both?.close();
  await ssoOnly?.close();
  provider?.kill('SIGTERM');
  await h?.close();
});

/** A browser of its own that reaches only this machine (the provider's page asks for a web font). */
async function visitor(guichet: Guichet): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: guichet.baseUrl, locale: 'fr-FR' });
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  return { context, page: await context.newPage() };
}

/** From Guichet's login page to the provider's, logged in there as `login`; stops where the provider sends the agent back. */
async function throughProvider(page: Page, login: string): Promise<void> {
  await page.goto('/connexion');
  await Promise.all([page.waitForURL((url) => url.href.startsWith(issuer)), page.getByRole('button', { name: 'Se connecter avec Keycloak de la mairie' }).click()]);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('nimporte');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

/**
 * The provider's answer (Guichet's return address with its code and state), got without the
 * browser following it: the provider's login form sent and its redirects read with the
 * browser's cookies (page.request shares them), so that a test can alter it first.
 */
async function providerAnswer(page: Page, login: string): Promise<string> {
  await page.goto('/connexion');
  await Promise.all([page.waitForURL((url) => url.href.startsWith(issuer)), page.getByRole('button', { name: 'Se connecter avec Keycloak de la mairie' }).click()]);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('nimporte');
  const form = await page.locator('form').first().evaluate((element) => {
    const f = element as unknown as { action: string; elements: ArrayLike<{ name: string; value: string }> };
    return { action: f.action, fields: Object.fromEntries(Array.from(f.elements).filter((e) => e.name).map((e) => [e.name, e.value])) };
  });
  let next = (await page.request.post(form.action, { form: form.fields, maxRedirects: 0 })).headers().location;
  while (next && !next.includes('/connexion/oidc/retour')) {
    next = (await page.request.get(new URL(next, issuer).href, { maxRedirects: 0 })).headers().location;
  }
  return new URL(next, issuer).href;
}

/** The browser holds no Guichet session: Accueil sends it to the login page. */
async function expectNoSession(page: Page): Promise<void> {
  await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/connexion');
}

const agentRow = (code: string) => h.db('agents').where({ code }).first();

describe('single sign-on through a real OpenID provider', () => {
  it('logs the agent in at the provider, lands on Accueil as that agent, and logs out of both', async () => {
    const { context, page } = await visitor(both);
    await throughProvider(page, 'kc-amartin');
    await page.waitForURL((url) => url.href === `${both.baseUrl}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Accueil');
    await expect(page.locator('body').textContent()).resolves.toContain('Anne Martin');
    // Matched by its verified address (whatever its case), then tied to its subject.
    expect(await agentRow('amartin')).toMatchObject({ oidc_issuer: new URL(issuer).href, oidc_subject: 'kc-amartin' });

    await Promise.all([page.waitForURL((url) => url.href.startsWith(issuer)), page.getByRole('button', { name: 'Se déconnecter' }).click()]);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${both.baseUrl}/connexion`)), page.getByRole('button', { name: 'Yes, sign me out' }).click()]);
    await expectNoSession(page);
    await context.close();
  });

  it('finds the agent by their subject next time, whatever their address has become', async () => {
    await h.db('agents').where({ code: 'amartin' }).update({ email: 'anne.martin@mairie.example' });
    const { context, page } = await visitor(both);
    await throughProvider(page, 'kc-amartin');
    await page.waitForURL((url) => url.href === `${both.baseUrl}/`);
    await expect(page.locator('body').textContent()).resolves.toContain('Anne Martin');
    await context.close();
  });

  it('refuses an account of the provider that matches no agent, and creates none', async () => {
    const before = await h.db('agents').count({ n: '*' }).first();
    const { context, page } = await visitor(both);
    const answer = page.waitForResponse((r) => r.url().includes('/connexion/oidc/retour'));
    await throughProvider(page, 'kc-inconnu');
    expect((await answer).status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Connexion refusée');
    await expect(page.locator('main [role=alert]').textContent()).resolves.toContain('Aucun agent du guichet ne correspond à ce compte (inconnu@mairie.example)');
    expect(await h.db('agents').count({ n: '*' }).first()).toEqual(before);
    for (const { width, height } of WIDTHS) {
      await page.setViewportSize({ width, height });
      await screenshot(page, 'sso-refused', width);
      expect(await screenProblems(page)).toEqual([]);
    }
    await expectNoSession(page);
    await context.close();
  });

  it('refuses an address the provider does not vouch for, and ties nothing', async () => {
    const { context, page } = await visitor(both);
    await throughProvider(page, 'kc-pirate');
    await expect(page.locator('main [role=alert]').textContent()).resolves.toContain("n'a pas donné d'adresse électronique vérifiée");
    expect(await agentRow('bdurand')).toMatchObject({ oidc_subject: null });
    await context.close();
  });

  it('refuses a deactivated agent, even one tied to the account', async () => {
    const { context, page } = await visitor(both);
    await h.db('agents').where({ code: 'dleroy' }).update({ oidc_issuer: new URL(issuer).href, oidc_subject: 'kc-dleroy', active: false });
    await throughProvider(page, 'kc-dleroy');
    await expect(page.locator('main [role=alert]').textContent()).resolves.toContain('Ce compte d\'agent est désactivé');
    await expectNoSession(page);
    await context.close();
  });

  it('refuses an answer whose state was altered, and the genuine one replayed after it', async () => {
    const { context, page } = await visitor(both);
    const genuine = await providerAnswer(page, 'kc-amartin');
    const altered = new URL(genuine);
    altered.searchParams.set('state', `${altered.searchParams.get('state')}x`);
    expect((await page.goto(altered.href))!.status()).toBe(400);
    await expect(page.locator('main [role=alert]').textContent()).resolves.toContain("Cette connexion n'est plus valable");
    // The login under way was used up by the altered answer: the real code opens nothing either.
    expect((await page.goto(genuine))!.status()).toBe(400);
    await expectNoSession(page);
    await context.close();
  });
});

describe('password login turned off (PASSWORD_LOGIN=false)', () => {
  it('shows only the provider button; POST /connexion and the reset pages are refused', async () => {
    const { context, page } = await visitor(ssoOnly);
    await page.goto('/connexion');
    await expect(page.getByRole('button', { name: 'Se connecter avec Keycloak de la mairie' }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Code agent').count()).resolves.toBe(0);
    await expect(page.getByLabel('Mot de passe').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Mot de passe oublié ?' }).count()).resolves.toBe(0);

    // The right code and password, with the page's CSRF token and cookie: refused all the same.
    const token = await page.locator('input[name=_csrf]').first().inputValue();
    const refused = await page.request.post('/connexion', { form: { _csrf: token, code: 'bdurand', password: DEMO_PASSWORD, retour: '/' }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('La connexion par mot de passe est désactivée');
    for (const url of ['/mot-de-passe-oublie', '/reinitialisation/abc', '/activation/abc']) {
      expect((await page.request.get(url)).status()).toBe(403);
    }
    await expectNoSession(page);
    await context.close();
  });

  it('lets in an agent who never chose a password, who then counts as activated', async () => {
    const id = await createAgent(h.db, COMMAND_LINE, { code: 'znouvelle', name: 'Zoé Nouvelle', email: 'zoe.nouvelle@mairie.example', services: ['etat-civil'], admin: false, password: null });
    expect(await loadAgent(h.db, id)).toMatchObject({ activated: false });
    const { context, page } = await visitor(ssoOnly);
    await throughProvider(page, 'kc-zoe');
    await page.waitForURL((url) => url.href === `${ssoOnly.baseUrl}/`);
    await expect(page.locator('body').textContent()).resolves.toContain('Zoé Nouvelle');
    // Given requests and their e-mails from now on, like an agent who chose a password.
    expect(await loadAgent(h.db, id)).toMatchObject({ activated: true });
    const group = await h.db('agent_groups').where({ agent_id: id }).first();
    expect((await agentsOfGroup(h.db, group.group_id)).map((a) => a.code)).toContain('znouvelle');
    await context.close();
  });
});

describe('a provider that does not answer', () => {
  it('says so in French and opens nothing', async () => {
    const down = serve(await listening(), { OIDC_ISSUER: 'http://127.0.0.1:1/realms/agents' });
    const { context, page } = await visitor(down);
    await page.goto('/connexion');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/connexion/oidc')),
      page.getByRole('button', { name: 'Se connecter avec Keycloak de la mairie' }).click(),
    ]);
    expect(answer.status()).toBe(503);
    await expect(page.locator('main [role=alert]').textContent()).resolves.toContain('Le fournisseur d\'identité ne répond pas');
    await expectNoSession(page);
    await context.close();
    await down.close();
  });
});

describe('the login page', () => {
  it.each([['with-password', () => both], ['sso-only', () => ssoOnly]])('reads well at both widths (%s)', async (name, guichet) => {
    const { context, page } = await visitor(guichet());
    await page.goto('/connexion');
    for (const { width, height } of WIDTHS) {
      await page.setViewportSize({ width, height });
      await screenshot(page, `sso-login-${name}`, width);
      expect(await screenProblems(page)).toEqual([]);
    }
    await context.close();
  });
});
