// Hostile probes of accounts and secrets: the dev mailbox, the session and link secret,
// login and online-form limits under concurrency, lock-out, password-reset floods.
// Each case: the status, the French message, nothing written, the service still answers.
// On SQLite and on MariaDB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keptSessionSecret, SECRET_FILE } from '../../src/accounts/sessionSecret';
import { createAgentAccount } from '../../src/commands/admin/createAgentAccount';
import { COMMAND_LINE } from '../../src/policies';
import { PUBLISHED_SECRET } from '../../src/config';
import { replyToken } from '../../src/messages/secureLink';
import { checkPassword } from '../../src/passwords';
import { runGuichet } from '../support/cli';
import { formClient } from '../support/formClient';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { readable, webClient } from '../support/webClient';

// Counts argon2 verifications: the real function, observed.
jest.mock('../../src/passwords', () => {
  const actual = jest.requireActual('../../src/passwords');
  return { ...actual, checkPassword: jest.fn((...args: Parameters<typeof actual.checkPassword>) => actual.checkPassword(...args)) };
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { FORM_SUBMISSIONS_PER_HOUR: '10' } });
});
afterAll(async () => {
  await h?.close();
});

const count = async (hh: Harness, table: string, where: Record<string, unknown> = {}) => Number((await hh.db(table).where(where).count({ n: '*' }).first())?.n);
const stillServes = async (hh: Harness = h) => expect((await fetch(`${hh.baseUrl}/healthz`)).status).toBe(200);

const browser = webClient;

describe('the dev mailbox (no SMTP_URL)', () => {
  let embedded: Harness;
  beforeAll(async () => {
    embedded = await startHarness({ env: { SMTP_URL: '' } });
  });
  afterAll(async () => {
    await embedded?.close();
  });

  it('sends a visitor without login to the login page and shows none of the e-mails', async () => {
    const res = await embedded.api('POST', '/api/requests', embedded.partnerKey, {
      formType: 'acte-naissance', citizen: { firstName: 'Ada', lastName: 'Visible', email: 'ada.visible@example.org' }, answers: {},
    });
    expect(res.status).toBe(201);
    await waitFor(() => embedded.db('emails').where({ kind: 'RECEIPT' }).first('id'), 20000, 'the receipt');
    // The workflow's other e-mails (to the agents) settle first: the count below is then the page's alone.
    const settled = async () => {
      const n = await count(embedded, 'emails');
      await new Promise((r) => setTimeout(r, 1000));
      return n === (await count(embedded, 'emails'));
    };
    await waitFor(settled, 20000, 'the e-mails of the new request');
    const before = await count(embedded, 'emails');
    const visitor = browser(embedded.baseUrl, '10.20.0.1');
    const page = await visitor.call('GET', '/dev/boite-mail');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/connexion?retour=%2Fdev%2Fboite-mail');
    expect(page.text).not.toContain('ada.visible@example.org');
    const login = await visitor.call('GET', page.headers.get('location')!);
    expect(login.text).toContain('Code agent');
    expect(await count(embedded, 'emails')).toBe(before);
    await stillServes(embedded);
  });

  it('refuses an agent who is not an administrator, in French, and hides its link from them', async () => {
    const amartin = browser(embedded.baseUrl, '10.20.0.2');
    expect((await amartin.login('amartin')).status).toBe(303);
    const before = await count(embedded, 'emails');
    const page = await amartin.call('GET', '/dev/boite-mail');
    expect(page.status).toBe(403);
    expect(page.text).toContain('La boîte mail de développement est réservée aux administrateurs.');
    expect(page.text).not.toContain('ada.visible@example.org');
    expect((await amartin.call('GET', '/')).text).not.toContain('href="/dev/boite-mail"');
    expect(await count(embedded, 'emails')).toBe(before);
    await stillServes(embedded);
  });

  it('never shows a reset or activation link, even to the administrator: asking a reset for admin gives nobody the account', async () => {
    const attacker = browser(embedded.baseUrl, '10.20.0.3');
    const asked = await attacker.call('POST', '/mot-de-passe-oublie', { _csrf: await attacker.csrf('/mot-de-passe-oublie'), who: 'admin' });
    expect(asked.status).toBe(200);
    await createAgentAccount(embedded, COMMAND_LINE, { code: 'nouvelle', name: 'Nouvelle Collègue', email: 'nouvelle@mairie.example', services: ['etat-civil'], admin: false });
    const accountMails = await embedded.db('emails').whereIn('kind', ['PASSWORD_RESET', 'ACTIVATION']).select('id');
    expect(accountMails).toHaveLength(2);
    // The links are in the database (so the page could show them) …
    const bodies = await embedded.db('email_contents').whereIn('email_id', accountMails.map((m) => m.id)).select('body_text');
    expect(bodies.filter((b) => /\/(reinitialisation|activation)\/[\w-]{20,}/.test(b.body_text))).toHaveLength(2);

    const admin = browser(embedded.baseUrl, '10.20.0.4');
    expect((await admin.login('admin')).status).toBe(303);
    const page = await admin.call('GET', '/dev/boite-mail');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    // … but not on the page: the rows are there, with the reason instead of the text.
    expect(page.text).not.toMatch(/\/(reinitialisation|activation)\/[\w-]{20,}/);
    expect(page.text).toContain('Réinitialisation du mot de passe');
    expect(page.text).toContain('Activation du compte agent');
    expect(page.text.split('Texte masqué : son lien ouvre le compte d\'un agent').length - 1).toBe(2);
    // The rest stays readable to the administrator: that is what the demo's mailbox is for.
    expect(page.text).toContain('ada.visible@example.org');
    expect((await admin.call('GET', '/admin')).text).toContain('href="/dev/boite-mail"');
    await stillServes(embedded);
  });
});

describe('the session and link secret', () => {
  it('`guichet web` without SESSION_SECRET refuses to start, in French, with a non-zero exit and nothing opened', async () => {
    const before = await count(h, 'knex_migrations');
    const run = await runGuichet({ ...h.env, SESSION_SECRET: '', PORT: '0' }, 'web');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('SESSION_SECRET n\'est pas défini : le serveur web refuse de démarrer sans lui');
    expect(run.stdout).not.toContain('Guichet web on');
    expect(await count(h, 'knex_migrations')).toBe(before);
    await stillServes();
  });

  it('`guichet web` with the formerly published default refuses to start', async () => {
    const run = await runGuichet({ ...h.env, SESSION_SECRET: PUBLISHED_SECRET, PORT: '0' }, 'web');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('SESSION_SECRET vaut la valeur publiée des versions précédentes');
    await stillServes();
  });

  it('the embedded default makes a random secret once, keeps it in DATA_DIR readable by its owner only, and reuses it', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-secret-')), 'data');
    try {
      const first = keptSessionSecret(dir);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(first).not.toBe(PUBLISHED_SECRET);
      expect(fs.statSync(path.join(dir, SECRET_FILE)).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(keptSessionSecret(dir)).toBe(first);
      // Another installation gets another secret.
      const other = path.join(path.dirname(dir), 'other');
      expect(keptSessionSecret(other)).not.toBe(first);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('a reply link forged with the published secret is refused, in French, and writes nothing', async () => {
    const filed = await h.api('POST', '/api/requests', h.partnerKey, {
      formType: 'acte-naissance', citizen: { firstName: 'Fausse', lastName: 'Clé', email: 'fausse.cle@example.org' }, answers: {},
    });
    expect(filed.status).toBe(201);
    const request = await h.db('requests').where({ reference: filed.body.reference }).first('id', 'tracking_code');
    // Valid until 2100, as the forged link.
    const forged = replyToken(PUBLISHED_SECRET, request.id, Date.UTC(2100, 0, 1) - 30 * 86_400_000);
    const citizen = browser(h.baseUrl, '10.21.0.1');
    const before = await count(h, 'messages');
    const page = await citizen.call('GET', `/suivi/${request.tracking_code}/repondre?jeton=${forged}`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Ce lien n\'est pas valide : utilisez le lien reçu par courriel, en entier.');
    const posted = await citizen.call('POST', `/suivi/${request.tracking_code}/repondre`, { _csrf: await citizen.csrf(), jeton: forged, body: 'Je suis l’usager, croyez-moi.' });
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('Ce lien n\'est pas valide');
    expect(await count(h, 'messages')).toBe(before);
    // The same link signed with this installation's secret opens: the refusal was the secret's.
    expect((await citizen.call('GET', `/suivi/${request.tracking_code}/repondre?jeton=${replyToken(h.config.sessionSecret, request.id)}`)).status).toBe(200);
    await stillServes();
  });
});

describe('login limits', () => {
  /** The argon2 verifications `fn` caused (every login checks one: a wrong code checks a decoy hash). */
  const argonChecks = async <T>(fn: () => Promise<T>): Promise<{ result: T; checks: number }> => {
    const before = jest.mocked(checkPassword).mock.calls.length;
    const result = await fn();
    return { result, checks: jest.mocked(checkPassword).mock.calls.length - before };
  };
  /** Sessions opened for this agent (the login's only write). */
  const sessionsOf = async (code: string) => {
    const { id } = await h.db('agents').where({ code }).first('id');
    const rows: { sess: string | { agentId?: number } }[] = await h.db('sessions').select('sess');
    return rows.filter((r) => (typeof r.sess === 'string' ? JSON.parse(r.sess) : r.sess).agentId === id).length;
  };

  it('20 wrong passwords sent at once for one account get at most 5 checked; the rest are refused with 429 before any check', async () => {
    const address = '10.30.0.1';
    const clients = await Promise.all(Array.from({ length: 20 }, async () => {
      const c = browser(h.baseUrl, address);
      return { c, token: await c.csrf() };
    }));
    const { result: answers, checks } = await argonChecks(() => Promise.all(clients.map(({ c, token }, i) =>
      c.call('POST', '/connexion', { _csrf: token, code: 'amartin', password: `mauvais-${i}`, retour: '/' }))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(checks).toBe(5);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.text).toMatch(/Trop de tentatives de connexion infructueuses : réessayez dans 15 minutes\./);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    // The right password from there is refused too, without a check, and opens no session.
    const { result: right, checks: more } = await argonChecks(() => browser(h.baseUrl, address).login('amartin'));
    expect(right.status).toBe(429);
    expect(more).toBe(0);
    expect(await sessionsOf('amartin')).toBe(0);
    await stillServes();
  });

  it('one address guessing a password does not lock the real agent out: they log in from their own address', async () => {
    const attacker = browser(h.baseUrl, '10.31.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      statuses.push((await attacker.login('bdurand', `devine-${i}`)).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    // Refused attempts added nothing to the account's count: only the 5 checked ones.
    const account = await h.db('login_attempts').where({ key: 'account:bdurand' }).first('points');
    expect(Number(account.points)).toBe(5);
    const agent = browser(h.baseUrl, '10.31.0.2');
    const ok = await agent.login('bdurand');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect(await sessionsOf('bdurand')).toBe(1);
    await stillServes();
  });

  it('an account is locked only when many addresses guess it: 10 addresses × 5 failures lock cpetit for everyone, for 15 minutes', async () => {
    for (let a = 0; a < 10; a += 1) {
      const guesser = browser(h.baseUrl, `10.32.0.${a + 1}`);
      for (let i = 0; i < 5; i += 1) {
        expect((await guesser.login('cpetit', `essai-${a}-${i}`)).status).toBe(401);
      }
    }
    const agent = browser(h.baseUrl, '10.32.1.1');
    const locked = await agent.login('cpetit');
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Trop de tentatives de connexion infructueuses');
    expect(await sessionsOf('cpetit')).toBe(0);
    // Other accounts are not affected.
    expect((await browser(h.baseUrl, '10.32.1.2').login('dleroy')).status).toBe(303);
    await stillServes();
  });
});

describe('the online forms limit', () => {
  it('15 submissions sent at once from one address with a limit of 10 file exactly 10; the others are refused with 429 in French', async () => {
    const headers = { 'x-forwarded-for': '198.51.100.77' };
    const citizens = await Promise.all(Array.from({ length: 15 }, async () => {
      const c = formClient(h.baseUrl, headers);
      return { c, token: await c.csrf('/formulaires/acte-naissance') };
    }));
    const before = await count(h, 'requests');
    const answers = await Promise.all(citizens.map(({ c, token }, i) => {
      const form = new FormData();
      form.append('_csrf', token);
      form.append('nom', `Rafale${i}`);
      form.append('prenom', 'Paul');
      return c.call('POST', '/formulaires/acte-naissance', form);
    }));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(readable(answers.find((a) => a.status === 429)!.text)).toContain('Trop de demandes ont été envoyées depuis votre connexion : réessayez dans');
    expect(await count(h, 'requests')).toBe(before + 10);
    // Another address is not affected.
    const other = formClient(h.baseUrl, { 'x-forwarded-for': '198.51.100.78' });
    expect((await other.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', { nom: 'Autre', prenom: 'Adresse' })).status).toBe(303);
    await stillServes();
  });

  it('a form refused for its content does not use up a submission', async () => {
    const one = formClient(h.baseUrl, { 'x-forwarded-for': '198.51.100.79' });
    const before = await count(h, 'requests');
    for (let i = 0; i < 12; i += 1) {
      const refused = await one.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', { nom: '', prenom: 'Sans nom' });
      expect(refused.status).toBe(400);
    }
    expect(await count(h, 'requests')).toBe(before);
    expect((await one.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', { nom: 'Enfin', prenom: 'Complet' })).status).toBe(303);
    await stillServes();
  });
});

describe('« Mot de passe oublié ? »', () => {
  const ask = async (address: string, who: string) => {
    const c = browser(h.baseUrl, address);
    return c.call('POST', '/mot-de-passe-oublie', { _csrf: await c.csrf('/mot-de-passe-oublie'), who });
  };
  const SENT = 'Si un compte correspond, un courriel avec un lien de réinitialisation vient d\'être envoyé.';
  const resetMails = (to: string) => h.mails.filter((m) => m.to.includes(to) && /\/reinitialisation\//.test(m.text));

  it('sends at most 3 reset e-mails per account and hour, answers the same sentence each time, and keeps the last link working', async () => {
    const agent = await h.db('agents').where({ code: 'dleroy' }).first('id', 'email');
    for (let i = 0; i < 6; i += 1) {
      const page = await ask(`10.40.0.${i + 1}`, 'dleroy');
      expect(page.status).toBe(200);
      expect(page.text).toContain(SENT);
    }
    await waitFor(() => resetMails(agent.email).length >= 3, 10000, 'three reset e-mails');
    await new Promise((r) => setTimeout(r, 500));
    expect(resetMails(agent.email)).toHaveLength(3);
    expect(await count(h, 'emails', { kind: 'PASSWORD_RESET', agent_id: agent.id })).toBe(3);
    // The 4th to 6th voided nothing: the last link sent still opens its page.
    const last = /\/reinitialisation\/([\w-]+)/.exec(resetMails(agent.email)[2].text)![1];
    const page = await browser(h.baseUrl, '10.40.1.1').call('GET', `/reinitialisation/${last}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('dleroy');
    await stillServes();
  });

  it('answers 10 requests per address and hour, then sends nothing more from there, with the same sentence (no account revealed)', async () => {
    const address = '10.41.0.1';
    for (let i = 0; i < 10; i += 1) {
      const page = await ask(address, `inconnu-${i}@example.org`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(SENT);
    }
    const agent = await h.db('agents').where({ code: 'amartin' }).first('id', 'email');
    const before = await count(h, 'emails', { kind: 'PASSWORD_RESET', agent_id: agent.id });
    const held = await ask(address, 'amartin');
    expect(held.status).toBe(200);
    expect(held.text).toContain(SENT);
    expect(await count(h, 'emails', { kind: 'PASSWORD_RESET', agent_id: agent.id })).toBe(before);
    // From another address the same request goes through: the limit was the address's.
    expect((await ask('10.41.0.2', 'amartin')).text).toContain(SENT);
    expect(await count(h, 'emails', { kind: 'PASSWORD_RESET', agent_id: agent.id })).toBe(before + 1);
    await stillServes();
  });
});
