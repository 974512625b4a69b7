// Actions under faults: Temporal or the database unreachable, an Update accepted just
// before Temporal became unreachable, a close retried after it took effect, concurrent
// start-ups on a fresh database, an over-long hold. On SQLite and on MariaDB.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net, { type AddressInfo } from 'node:net';
import knexFactory from 'knex';
import type { Client } from '@temporalio/client';
import type { Ctx } from '../../src/commands/context';
import { connect, migrate, type Db } from '../../src/db/connection';
import { DEMO_PASSWORD } from '../../src/seed/demo';
import { bodyHash } from '../../src/db/idempotency';
import { submit as submitCommand } from '../../src/commands/submit';
import { createScopedKey } from '../../src/partners/keys';
import { formClient } from '../support/formClient';
import { closeWebApp, createWebApp, listenWeb } from '../../src/web/server';
import { takeUpdate, workflowIdOf } from '../../workflows/definitions';
import { clientLosingUpdateAnswers, clientOfStoppedServer } from '../support/faultyTemporal';
import { submitRequest } from '../support/factories';
import { startHarness, waitFor, type Harness } from '../support/harness';

let h: Harness;
/** A client of a Temporal server that was stopped, shared by the tests of an outage. */
let stopped: Client;
beforeAll(async () => {
  h = await startHarness();
  stopped = await clientOfStoppedServer(h.config.temporalNamespace);
});
afterAll(async () => {
  // An abandoned call's retry may still be sleeping: closing its channel under it would throw.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  await stopped?.connection.close();
  await h?.close();
});

const citizen = { firstName: 'Olympe', lastName: 'de Gouges', email: 'olympe@example.org' };

const submit = async () => (await submitRequest(h, { citizen })).reference;

const requestOf = (ref: string) => h.db('requests').where({ reference: ref }).first();
const count = async (table: string, where: Record<string, unknown> = {}) => Number((await h.db(table).where(where).count({ n: '*' }).first())?.n);
/** What an action may write: its event, comment, e-mail rows. */
const written = async (ref: string) => {
  const { id } = await requestOf(ref);
  const citizenEmails = Number((await h.db('emails').where({ request_id: id }).whereIn('kind', ['ACKNOWLEDGEMENT', 'CLOSING']).count({ n: '*' }).first())?.n);
  return { events: await count('events', { request_id: id }), comments: await count('comments', { request_id: id }), citizenEmails };
};
const stillServes = async (baseUrl = h.baseUrl) => expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

/** A request in the given status, through the real API. */
async function requestIn(status: 'NON_TRAITEE' | 'EN_COURS' | 'EN_ATTENTE'): Promise<string> {
  const ref = await submit();
  if (status !== 'NON_TRAITEE') {
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  }
  if (status === 'EN_ATTENTE') {
    expect((await h.api('POST', `/api/requests/${ref}/hold`, h.tokens.amartin, { reason: 'pièce manquante' })).status).toBe(200);
  }
  // Its receipt and information e-mails sent: the worker is idle again (timings below are the action's own).
  await waitFor(async () => {
    const rows = await h.db('emails').where({ request_id: (await requestOf(ref)).id }).select('status');
    return rows.length >= 4 && rows.every((r: { status: string }) => r.status === 'SENT');
  }, 20000, 'submission e-mails');
  return ref;
}

/** The same web app and API, on the harness's database, with another Temporal client (or database). */
async function appWith(parts: Partial<Ctx>): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const app = createWebApp({ ...h.ctx, ...parts });
  const server = await listenWeb(app, 0, '127.0.0.1');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      closeWebApp(app);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function apiAt(baseUrl: string, url: string, token: string, body: unknown): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json(), ms: Date.now() - started };
}

/** An agent's browser session: logged in, with the CSRF token of its pages. */
async function webSession(baseUrl: string, code: string) {
  let cookie = '';
  const call = async (method: string, url: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method, redirect: 'manual',
      headers: { ...headers, ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return { status: res.status, text: await res.text() };
  };
  const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
  const login = await call('GET', '/connexion');
  expect((await call('POST', '/connexion', { code, password: DEMO_PASSWORD, _csrf: token(login.text) })).status).toBe(303);
  const home = await call('GET', '/');
  const csrf = token(home.text);
  /** An action as htmx sends it from the request page. */
  const act = (ref: string, action: string, form: Record<string, string> = {}) =>
    call('POST', `/demandes/${ref}/${action}`, { ...form, _csrf: csrf }, { 'HX-Request': 'true' });
  return { call, act };
}

const UNAVAILABLE = 'Le service est momentanément indisponible ; réessayez dans un instant.';
const UNCONFIRMED = "Le service n'a pas confirmé l'action à temps";

describe('Temporal unreachable (18)', () => {
  let app: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    app = await appWith({ client: stopped });
  });
  afterAll(async () => {
    await app.close();
  });

  test('take, hold, resume, close and reassign answer 503 with a French message within a few seconds, through the API', async () => {
    const [fresh, inProgress, held] = await Promise.all([requestIn('NON_TRAITEE'), requestIn('EN_COURS'), requestIn('EN_ATTENTE')]);
    const before = await Promise.all([fresh, inProgress, held].map(written));
    const answers = await Promise.all([
      apiAt(app.baseUrl, `/api/requests/${fresh}/take`, h.tokens.amartin, { notifyCitizen: true }),
      apiAt(app.baseUrl, `/api/requests/${inProgress}/hold`, h.tokens.amartin, { reason: 'attente de pièce' }),
      apiAt(app.baseUrl, `/api/requests/${held}/resume`, h.tokens.amartin, {}),
      apiAt(app.baseUrl, `/api/requests/${held}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true }),
      apiAt(app.baseUrl, `/api/requests/${inProgress}/reassign`, h.tokens.amartin, { agent: 'bdurand' }),
    ]);
    console.log('answer times (ms):', answers.map((a) => a.ms).join(', '));
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.body.error.code).toBe('ACTION_UNCONFIRMED');
      expect(a.body.error.message).toContain(UNCONFIRMED);
      expect(a.ms).toBeLessThan(8_000); // the client's retries of a server that is down (about 2 s), not its former ~20 s
    }
    // Nothing happened to the requests (the prepared e-mail is kept: see the next describe).
    expect((await requestOf(fresh)).status).toBe('NON_TRAITEE');
    expect((await requestOf(inProgress)).status).toBe('EN_COURS');
    expect((await requestOf(held)).status).toBe('EN_ATTENTE');
    const after = await Promise.all([fresh, inProgress, held].map(written));
    expect(after.map((w) => w.events)).toEqual(before.map((w) => w.events));
    await stillServes(app.baseUrl);
    await stillServes();
  });

  test('the same actions from the request page answer 503 with the French message in the panel', async () => {
    const [fresh, inProgress] = await Promise.all([requestIn('NON_TRAITEE'), requestIn('EN_COURS')]);
    const web = await webSession(app.baseUrl, 'amartin');
    const take = await web.act(fresh, 'take', {});
    expect(take.status).toBe(503);
    expect(take.text).toContain(UNCONFIRMED.replace(/'/g, '&#x27;'));
    const hold = await web.act(inProgress, 'hold', { reason: 'attente' });
    expect(hold.status).toBe(503);
    expect((await requestOf(fresh)).status).toBe('NON_TRAITEE');
    expect((await requestOf(inProgress)).status).toBe('EN_COURS');
    await stillServes(app.baseUrl);
  });

  test('a submission answers 503 and files nothing', async () => {
    const before = await count('requests');
    const res = await apiAt(app.baseUrl, '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: {} });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain(UNAVAILABLE);
    expect(await count('requests')).toBe(before);
  });
});

/**
 * The harness's database as seen through a link we can cut: on MariaDB a TCP relay that
 * is then shut (connections reset, then refused); on SQLite the file locked by another
 * connection (every write waits for its busy timeout, then fails SQLITE_BUSY).
 */
async function databaseThatGoesAway(): Promise<{ db: Db; cut(): Promise<void>; close(): Promise<void> }> {
  if (!h.config.databaseUrl) {
    const db = connect(h.config);
    const Sqlite = require('better-sqlite3');
    const locker = new Sqlite(path.join(h.config.dataDir, 'guichet.sqlite'), { timeout: 5000 });
    return {
      db,
      async cut() {
        locker.exec('BEGIN EXCLUSIVE');
      },
      async close() {
        if (locker.inTransaction) locker.exec('ROLLBACK');
        locker.close();
        await db.destroy();
      },
    };
  }
  const target = new URL(h.config.databaseUrl);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 3306), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
  const url = new URL(h.config.databaseUrl);
  url.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
  const db = connect({ databaseUrl: url.toString(), dataDir: h.config.dataDir });
  let cut = false;
  return {
    db,
    async cut() {
      cut = true;
      await new Promise<void>((resolve) => {
        relay.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async close() {
      if (!cut) relay.close();
      await db.destroy();
    },
  };
}

describe('database unreachable (18)', () => {
  test('the API, the actions and the pages answer 503 with a French message, not 500', async () => {
    const ref = await requestIn('EN_COURS');
    const link = await databaseThatGoesAway();
    const app = await appWith({ db: link.db });
    const web = await webSession(app.baseUrl, 'amartin');
    try {
      expect((await web.call('GET', `/demandes/${ref}`)).status).toBe(200); // works while the link holds
      await link.cut();
      const api = await apiAt(app.baseUrl, `/api/requests/${ref}/hold`, h.tokens.amartin, { reason: 'base coupée' });
      expect(api.status).toBe(503);
      expect(api.body.error).toEqual({ code: 'UNAVAILABLE', message: UNAVAILABLE });
      const filed = await apiAt(app.baseUrl, '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: {} });
      expect(filed.status).toBe(503);
      expect(filed.body.error.message).toBe(UNAVAILABLE);
      const action = await web.act(ref, 'hold', { reason: 'base coupée' });
      expect(action.status).toBe(503);
      expect(action.text).toContain('momentanément indisponible');
      if (h.config.databaseUrl) {
        // A whole page (SQLite's readers are not blocked by the lock: only MariaDB fails a read).
        const page = await web.call('GET', `/demandes/${ref}`);
        expect(page.status).toBe(503);
        expect(page.text).toContain('<html');
        expect(page.text).toContain('Le service est momentanément indisponible');
      }
      await stillServes(app.baseUrl);
    } finally {
      await app.close();
      await link.close();
    }
    expect((await requestOf(ref)).status).toBe('EN_COURS');
    await stillServes();
  });
});

describe('an Update accepted just before Temporal became unreachable (16)', () => {
  let lossy: Awaited<ReturnType<typeof clientLosingUpdateAnswers>>;
  let app: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    lossy = await clientLosingUpdateAnswers(process.env.GUICHET_TEST_TEMPORAL!, h.config.temporalNamespace);
    app = await appWith({ client: lossy.client });
  });
  afterAll(async () => {
    await app.close();
    await lossy.client.connection.close();
  });

  test('take, hold and close keep what they prepared: the workflow sends the e-mails, keeps the reason and purges', async () => {
    const ref = await submit();
    const mailsTo = (subject: string) => h.mails.filter((m) => m.subject.includes(ref) && m.subject.startsWith(subject) && m.to[0] === citizen.email);
    await waitFor(() => mailsTo('Votre demande').length === 1, 15000, 'receipt');

    const take = await apiAt(app.baseUrl, `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true, subject: `Accusé ${ref}`, body: 'Nous traitons votre demande.' });
    expect(take.status).toBe(503);
    expect(take.body.error.message).toContain(UNCONFIRMED);
    expect(lossy.delivered()).toBeGreaterThanOrEqual(1);
    // It took effect, and the acknowledgement it referred to goes out once.
    await waitFor(async () => (await requestOf(ref)).status === 'EN_COURS', 15000, 'take applied');
    await waitFor(() => mailsTo(`Accusé ${ref}`).length === 1, 20000, 'acknowledgement sent');

    const hold = await apiAt(app.baseUrl, `/api/requests/${ref}/hold`, h.tokens.amartin, { reason: 'Motif confidentiel 42' });
    expect(hold.status).toBe(503);
    await waitFor(async () => (await requestOf(ref)).status === 'EN_ATTENTE', 15000, 'hold applied');
    const held = await h.db('events as e').join('comments as c', 'c.id', 'e.comment_id').where({ 'e.request_id': (await requestOf(ref)).id, 'e.type': 'HELD' }).first('c.body');
    expect(held?.body).toBe('Motif confidentiel 42');

    const close = await apiAt(app.baseUrl, `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true, subject: `Clôture ${ref}` });
    expect(close.status).toBe(503);
    await waitFor(() => mailsTo(`Clôture ${ref}`).length === 1, 30000, 'closing e-mail sent');
    await waitFor(async () => (await requestOf(ref)).purged_at !== null, 30000, 'personal data purged');
    const { id } = await requestOf(ref);
    expect(await h.db('emails').where({ request_id: id }).whereNot({ status: 'SENT' }).select('kind', 'status')).toEqual([]);
    await stillServes(app.baseUrl);
  });

  test('a definite refusal still removes what was prepared: of two agents taking at once, one e-mail is kept', async () => {
    const ref = await submit();
    const [a, b] = await Promise.all([
      h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true }),
      h.api('POST', `/api/requests/${ref}/take`, h.tokens.bdurand, { notifyCitizen: true }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.error.message).toMatch(/^Cette demande a déjà été prise en compte par /);
    // The loser's draft is deleted by its refusal, or voided by the winner's take if that came first.
    const { id } = await requestOf(ref);
    const acks = await h.db('emails as e').leftJoin('email_contents as c', 'c.email_id', 'e.id').where({ 'e.request_id': id, 'e.kind': 'ACKNOWLEDGEMENT' }).select('e.status', 'c.to_address');
    expect(acks.filter((r: { status: string }) => r.status !== 'FAILED')).toHaveLength(1);
    expect(acks.filter((r: { to_address: string | null }) => r.to_address !== null)).toHaveLength(1);
  });

  test('an e-mail the workflow cannot find fails once, without holding the closing e-mail and the purge behind it', async () => {
    const ref = await submit();
    const { id } = await requestOf(ref);
    const handle = h.ctx.client.workflow.getHandle(workflowIdOf(ref));
    const amartin = await h.db('agents').where({ code: 'amartin' }).first('id');
    // An acknowledgement whose row no longer exists (as the old code deleted it).
    await handle.executeUpdate(takeUpdate, { args: [{ agentId: amartin.id, emailId: 987654321 }] });
    const close = await h.api('POST', `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true, subject: `Fin ${ref}` });
    expect(close.status).toBe(200);
    const started = Date.now();
    await waitFor(() => h.mails.some((m) => m.subject === `Fin ${ref}`), 30000, 'closing e-mail');
    await waitFor(async () => (await requestOf(ref)).purged_at !== null, 30000, 'purge');
    expect(Date.now() - started).toBeLessThan(30000);
    expect(await h.db('emails').where({ request_id: id, kind: 'CLOSING' }).first('status')).toEqual({ status: 'SENT' });
  });

  test('drafts orphaned by unconfirmed actions that never reached the workflow are voided when the take and the close happen', async () => {
    const ref = await requestIn('NON_TRAITEE');
    const { id } = await requestOf(ref);
    // A take and then a close whose Updates never arrived: their e-mails stay PENDING, unreferenced.
    const app2 = await appWith({ client: stopped });
    try {
      const res = await apiAt(app2.baseUrl, `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true, subject: `Orphelin A ${ref}` });
      expect(res.status).toBe(503);
    } finally {
      await app2.close();
    }
    expect(await count('emails', { request_id: id, kind: 'ACKNOWLEDGEMENT', status: 'PENDING' })).toBe(1);
    // The real take: its own e-mail goes, the orphan is voided (its text and address removed).
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true, subject: `Vrai ${ref}` })).status).toBe(200);
    await waitFor(() => h.mails.some((m) => m.subject === `Vrai ${ref}`), 20000, 'acknowledgement');
    const acks = await h.db('emails as e').leftJoin('email_contents as c', 'c.email_id', 'e.id').where({ 'e.request_id': id, 'e.kind': 'ACKNOWLEDGEMENT' }).orderBy('e.id').select('e.status', 'e.error', 'c.subject');
    expect(acks).toEqual([
      { status: 'FAILED', error: 'non envoyé : brouillon d’une tentative qui n’a pas abouti', subject: null },
      { status: 'SENT', error: null, subject: `Vrai ${ref}` },
    ]);

    const app3 = await appWith({ client: stopped });
    try {
      expect((await apiAt(app3.baseUrl, `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true, subject: `Orphelin C ${ref}` })).status).toBe(503);
    } finally {
      await app3.close();
    }
    expect((await h.api('POST', `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);
    await waitFor(async () => (await requestOf(ref)).purged_at !== null, 30000, 'purge');
    expect(await h.db('emails').where({ request_id: id, kind: 'CLOSING' }).select('status', 'error')).toEqual([
      { status: 'FAILED', error: 'non envoyé : brouillon d’une tentative qui n’a pas abouti' },
    ]);
    expect(await count('email_contents', { request_id: id })).toBe(0);
    expect(h.mails.some((m) => m.subject.startsWith('Orphelin'))).toBe(false);
  });
});

describe('a close retried after it took effect (19)', () => {
  test('answers 409 « déjà clôturée », after the purge too, and writes nothing', async () => {
    const ref = await requestIn('EN_COURS');
    const first = await h.api('POST', `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true });
    expect(first.status).toBe(200);
    const again = await h.api('POST', `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'ALREADY_CLOSED', message: 'Cette demande est déjà clôturée.' });
    await waitFor(async () => (await requestOf(ref)).purged_at !== null, 30000, 'purge');
    const before = await written(ref);
    for (const [action, body] of [
      ['close', { closingCode: 'TRAITEE', notifyCitizen: true }],
      ['take', { notifyCitizen: true }],
      ['hold', { reason: 'x' }],
      ['resume', {}],
      ['annotate', { eventType: 'NOTE', comment: 'appel' }],
    ] as const) {
      const res = await h.api('POST', `/api/requests/${ref}/${action}`, h.tokens.amartin, body);
      expect([action, res.status, res.body.error?.code]).toEqual([action, 409, 'ALREADY_CLOSED']);
    }
    expect(await written(ref)).toEqual(before);
    await stillServes();
  });

  test('a take retried after it took effect answers 409 without preparing an e-mail', async () => {
    const ref = await requestIn('EN_COURS');
    const before = await written(ref);
    const res = await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'ALREADY_TAKEN', message: 'Cette demande a déjà été prise en compte par Anne Martin.' });
    expect(await written(ref)).toEqual(before);
  });
});

describe('hold date bound (13)', () => {
  test('a hold until 9999-12-31, or beyond a year, is refused naming the field, through the API and the page', async () => {
    const ref = await requestIn('EN_COURS');
    const before = await written(ref);
    for (const until of ['9999-12-31', new Date(Date.now() + 367 * 86400_000).toISOString()]) {
      const res = await h.api('POST', `/api/requests/${ref}/hold`, h.tokens.amartin, { reason: 'loin', until });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe('until');
      expect(res.body.error.message).toMatch(/^La date de fin d'attente \(« Jusqu'au »\) ne peut pas être à plus d'un an : choisissez le \d+ \S+ \d{4} au plus tard\.$/);
    }
    const web = await webSession(h.baseUrl, 'amartin');
    const page = await web.act(ref, 'hold', { reason: 'loin', until: '9999-12-31' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('ne peut pas être à plus d&#x27;un an');
    expect(await written(ref)).toEqual(before);
    expect((await requestOf(ref)).status).toBe('EN_COURS');
    // Within a year is accepted.
    const ok = await h.api('POST', `/api/requests/${ref}/hold`, h.tokens.amartin, { reason: 'bientôt', until: new Date(Date.now() + 300 * 86400_000).toISOString() });
    expect(ok.status).toBe(200);
    await stillServes();
  });
});

describe('concurrent start-ups on a fresh database (15)', () => {
  /** A database nobody migrated yet: a new SQLite folder, or a new MariaDB schema. */
  async function freshDatabase(): Promise<{ env: Record<string, string>; db: () => Db; drop(): Promise<void> }> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-migrate-'));
    const base = process.env.DATABASE_URL;
    if (!base) {
      return { env: { DATA_DIR: dataDir, DATABASE_URL: '' }, db: () => connect({ databaseUrl: null, dataDir }), drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
    }
    const name = `guichet_m_${crypto.randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'mysql2', connection: base });
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
      db: () => connect({ databaseUrl: url.toString(), dataDir }),
      drop: async () => {
        await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  async function expectMigratedOnce(db: Db) {
    const migrations = fs.readdirSync(path.resolve(__dirname, '../../migrations')).filter((f) => f.endsWith('.ts'));
    const rows: { name: string }[] = await db('knex_migrations').select('name');
    expect(rows.map((r) => r.name).sort()).toEqual([...migrations].sort());
    expect(await db.schema.hasTable('requests')).toBe(true);
  }

  test('three processes migrating at once all succeed, and every migration runs once', async () => {
    const fresh = await freshDatabase();
    try {
      const script = path.join(__dirname, '../support/migrateOnce.ts');
      const runs = await Promise.all([1, 2, 3].map(() => new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', script], { env: { ...process.env, ...fresh.env }, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => resolve({ code, err }));
      })));
      expect(runs).toEqual([1, 2, 3].map(() => ({ code: 0, err: '' })));
      const db = fresh.db();
      await expectMigratedOnce(db);
      await db.destroy();
    } finally {
      await fresh.drop();
    }
  });

  test('three knex instances of one process migrating at once all succeed', async () => {
    const fresh = await freshDatabase();
    const dbs = [fresh.db(), fresh.db(), fresh.db()];
    try {
      const results = await Promise.allSettled(dbs.map((db) => migrate(db)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      await expectMigratedOnce(dbs[0]);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
      await fresh.drop();
    }
  });
});

describe('Idempotency-Key on POST /api/requests, and the public form\'s token (20)', () => {
  const body = (lastName: string) => ({ formType: 'acte-naissance', citizen: { ...citizen, lastName }, answers: { copies: 1 } });
  async function file(key: string | null, payload: unknown, partnerKey = h.partnerKey) {
    const res = await fetch(`${h.baseUrl}/api/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${partnerKey}`, 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }) },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotent-replayed') };
  }

  test('a retry with the same key and body answers as the first time and files nothing more', async () => {
    const key = crypto.randomUUID();
    const before = await count('requests');
    const first = await file(key, body('Idem'));
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    // The same body with its fields in another order is the same body.
    const again = await file(key, { answers: { copies: 1 }, citizen: { ...citizen, lastName: 'Idem' }, formType: 'acte-naissance' });
    expect(again).toEqual({ status: 201, body: first.body, replayed: 'true' });
    expect(await count('requests')).toBe(before + 1);
    expect(await count('idempotency_keys', { idem_key: key })).toBe(1);
  });

  test('the same key with another body is refused (422) in French, and files nothing', async () => {
    const key = crypto.randomUUID();
    const first = await file(key, body('Premier'));
    expect(first.status).toBe(201);
    const before = await count('requests');
    const other = await file(key, body('Autre'));
    expect(other.status).toBe(422);
    expect(other.body.error).toEqual({
      code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key',
      message: `Cette clé d'idempotence (en-tête Idempotency-Key) a déjà servi, dans les dernières 24 heures, à déposer la demande ${first.body.reference} avec un autre contenu : prenez une nouvelle clé pour une nouvelle demande.`,
    });
    const malformed = await file('x'.repeat(256), body('Long'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', field: 'Idempotency-Key' });
    expect(malformed.body.error.message).toMatch(/^L'en-tête Idempotency-Key doit compter de 1 à 255 caractères/);
    expect(await count('requests')).toBe(before);
    await stillServes();
  });

  test('six attempts at once with the same key file once, and all get its answer', async () => {
    const key = crypto.randomUUID();
    const before = await count('requests');
    const answers = await Promise.all(Array.from({ length: 6 }, () => file(key, body('Concurrent'))));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.reference)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.trackingCode)).size).toBe(1);
    expect(answers.filter((a) => a.replayed === null)).toHaveLength(1);
    expect(await count('requests')).toBe(before + 1);
  });

  test('a key is the partner key\'s own: another partner using the same key files its own request', async () => {
    const other = await createScopedKey(h.db, `Autre portail ${crypto.randomUUID()}`, ['acte-naissance']);
    const key = crypto.randomUUID();
    const a = await file(key, body('Portail'));
    const b = await file(key, body('Portail'), other.secret);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.reference).not.toBe(b.body.reference);
  });

  test('a retry after the web process died between filing and starting the workflow gets the first answer, and starts it', async () => {
    const key = crypto.randomUUID();
    const payload = body('Coupure');
    // The first attempt files its rows and then hangs before Temporal, as a process killed there would leave it.
    const hung = { ...h.ctx, client: { workflow: { start: () => new Promise(() => undefined) } } as unknown as Client };
    void submitCommand(hung, { ...payload, idempotency: { owner: `partner:${(await h.db('api_tokens').where({ kind: 'partner' }).orderBy('id').first('id')).id}`, key, hash: bodyHash(payload) } });
    const row = await waitFor(() => h.db('idempotency_keys').where({ idem_key: key }).first('request_id'), 10000, 'first attempt filed');
    const first = await h.db('requests').where({ id: row.request_id }).first('reference', 'tracking_code', 'workflow_started');
    expect(Boolean(first.workflow_started)).toBe(false);
    const retry = await file(key, payload);
    expect(retry).toEqual({ status: 201, body: { reference: first.reference, trackingCode: first.tracking_code, status: 'NON_TRAITEE' }, replayed: 'true' });
    expect(Boolean((await h.db('requests').where({ id: row.request_id }).first('workflow_started')).workflow_started)).toBe(true);
    await waitFor(() => h.mails.some((m) => m.subject === `Votre demande ${first.reference} a bien été reçue`), 20000, 'receipt of the completed filing');
  });

  test('the public form files once when sent twice from the same page, and says so when its answers changed', async () => {
    const client = formClient(h.baseUrl);
    const page = await client.call('GET', '/formulaires/acte-naissance');
    const token = /name="jeton" value="([0-9a-f]{32})"/.exec(page.text)![1];
    const fields = { nom: 'Deux-Fois', prenom: 'Jeanne', courriel: 'jeanne@example.org', jeton: token };
    const before = await count('requests');
    const first = await client.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', fields);
    expect(first.status).toBe(303);
    const shown = async () => /DEM-[0-9-]+|T[0-9A-F]{6}-[0-9-]+/.exec((await client.call('GET', '/formulaires/confirmation')).text)?.[0];
    const firstReference = await shown();
    expect(firstReference).toMatch(/-\d{4}-\d+$/);
    const second = await client.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', fields);
    expect(second.status).toBe(303);
    expect(await shown()).toBe(firstReference);
    expect(await count('requests')).toBe(before + 1);
    // Same page, other answers: not filed, said, and a new page token for a new request.
    const changed = await client.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', { ...fields, prenom: 'Marie' });
    expect(changed.status).toBe(409);
    expect(changed.text).toContain('Cette page a déjà servi à envoyer une demande, avec d&#x27;autres réponses.');
    const fresh = /name="jeton" value="([0-9a-f]{32})"/.exec(changed.text)![1];
    expect(fresh).not.toBe(token);
    expect(await count('requests')).toBe(before + 1);
    await stillServes();
  });
});
