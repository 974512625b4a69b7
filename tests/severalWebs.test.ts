// Several web processes, one service (issue 15): two `guichet web` processes share the
// database and nothing else (on MySQL/MariaDB each has its own DATA_DIR, as two machines
// would; on SQLite both are on the one machine that holds the database file). A session
// opened on one acts on the other, a file sent through one downloads from the other, the
// login limit counts the attempts made on both, and a list on one learns what a colleague
// did on the other. On MySQL the attachments are in the database, in chunks of 1 MiB.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CHUNK_BYTES } from '../src/attachments/databaseStore';
import { attachmentStore } from '../src/attachments/store';
import { LOGIN_LIMITS } from '../src/accounts/loginLimiter';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { submitRequest, type Filed } from './support/factories';
import { EXECUTABLE, PDF, PNG } from './support/files';
import { startHarness, waitFor, type Harness } from './support/harness';
import { storedFileCount } from './support/storedFiles';
import { readable } from './support/webClient';

const BIN = path.join(__dirname, '..', 'bin', 'guichet.js');
const TEN_MIB = 10 * 1024 * 1024;

interface Web {
  url: string;
  dataDir: string;
  child: ChildProcess;
  log: string[];
}

let h: Harness;
let a: Web;
let b: Web;
const mysql = () => Boolean(h.config.databaseUrl);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `guichet web` in a process of its own, on the harness's database and Temporal, with this DATA_DIR. */
async function startWeb(dataDir: string): Promise<Web> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'web'], { env: { ...h.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) {
      throw new Error(`guichet web exited: ${log.join('')}`);
    }
    return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok;
  }, 180_000, 'guichet web');
  return { url, dataDir, child, log };
}

async function stopWeb(web: Web | undefined): Promise<void> {
  if (web && web.child.exitCode === null) {
    const exited = new Promise((resolve) => web.child.once('exit', resolve));
    web.child.kill('SIGTERM');
    await exited;
  }
}

beforeAll(async () => {
  h = await startHarness({ env: { REFRESH_SECONDS: '3600' } });
  // Two machines on MySQL (nothing shared but the database); one machine on SQLite.
  const dirOf = () => (mysql() ? fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-web-')) : h.config.dataDir);
  [a, b] = await Promise.all([startWeb(dirOf()), startWeb(dirOf())]);
}, 240_000);
afterAll(async () => {
  await Promise.all([stopWeb(a), stopWeb(b)]);
  for (const web of [a, b]) {
    if (web && web.dataDir !== h?.config.dataDir) {
      fs.rmSync(web.dataDir, { recursive: true, force: true });
    }
  }
  await h?.close();
});

let addresses = 0;
/** A browser from an address of its own, whose cookie goes to whichever web it calls. */
function browser() {
  const address = `203.0.113.${++addresses}`;
  let cookie = '';
  const call = async (web: Web | string, method: string, url: string, body?: URLSearchParams | FormData, headers: Record<string, string> = {}) => {
    const res = await fetch(`${typeof web === 'string' ? web : web.url}${url}`, {
      method, body, redirect: 'manual', headers: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}), ...headers },
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: readable(bytes.toString('utf8')) };
  };
  const token = async (web: Web, url = '/') => /name="_csrf" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"/.exec((await call(web, 'GET', url)).text)!.slice(1).find(Boolean)!;
  const login = async (web: Web, code: string, password = DEMO_PASSWORD) =>
    call(web, 'POST', '/connexion', new URLSearchParams({ _csrf: await token(web, '/connexion'), code, password, retour: '/' }));
  /** An action of the request page, as htmx posts it. */
  const act = async (web: Web, reference: string, action: string, fields: Record<string, string> = {}, files: { name: string; data: Buffer; type: string }[] = []) => {
    const csrf = await token(web, `/demandes/${reference}`);
    let body: URLSearchParams | FormData = new URLSearchParams({ _csrf: csrf, ...fields });
    if (files.length) {
      const form = new FormData();
      for (const [k, v] of Object.entries({ _csrf: csrf, ...fields })) form.append(k, v);
      for (const f of files) form.append('fichiers', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
      body = form;
    }
    return call(web, 'POST', `/demandes/${reference}/${action}`, body, { 'HX-Request': 'true' });
  };
  return { call, token, login, act };
}

const sha = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
const filesOf = (requestId: number) => h.db('attachments').where({ request_id: requestId }).orderBy('id').select('id', 'request_id', 'storage_name', 'size', 'file_name', 'message_id');
const chunkRows = (ids: number[]) => h.db('attachment_chunks').whereIn('attachment_id', ids).orderBy('attachment_id').orderBy('seq').select('attachment_id', 'seq', h.db.raw('LENGTH(data) as bytes'));
/** A PDF of `size` bytes (its first bytes make it one), each MiB different so that a misplaced chunk shows. */
const pdfOf = (size: number) => {
  const bytes = crypto.randomBytes(size);
  PDF.copy(bytes, 0);
  return bytes;
};

test('a session opened on web A acts on web B; a file sent through one downloads from the other, byte for byte, agent and citizen side', async () => {
  const filed: Filed = await submitRequest(h);
  const anne = browser();
  expect((await anne.login(a, 'amartin')).status).toBe(303);
  // The cookie of A opens B's pages: the session is in the database.
  const home = await anne.call(b, 'GET', '/');
  expect(home.status).toBe(200);
  expect(home.text).toContain('Anne Martin');
  expect((await browser().call(b, 'GET', '/')).status).toBe(303); // without it, B asks to log in

  expect((await anne.act(b, filed.reference, 'take')).status).toBe(200);
  expect((await h.db('requests').where({ id: filed.id }).first('status', 'assignee_id')).status).toBe('EN_COURS');

  const big = pdfOf(3 * CHUNK_BYTES + 12345);
  expect((await anne.act(a, filed.reference, 'message', { body: 'Voici le formulaire complet.', kind: 'citizen' }, [{ name: 'formulaire.pdf', data: big, type: 'application/pdf' }])).status).toBe(200);
  expect((await anne.act(b, filed.reference, 'message', { body: 'Et le plan.', kind: 'citizen' }, [{ name: 'plan.png', data: PNG, type: 'image/png' }])).status).toBe(200);
  const [viaA, viaB] = await filesOf(filed.id);
  expect([viaA.file_name, viaB.file_name]).toEqual(['formulaire.pdf', 'plan.png']);

  // Each downloads from the other web, whole.
  const fromB = await anne.call(b, 'GET', `/demandes/${filed.reference}/pieces/${viaA.id}`);
  expect([fromB.status, fromB.headers.get('content-type'), fromB.headers.get('content-length')]).toEqual([200, 'application/pdf', String(big.length)]);
  expect(sha(fromB.bytes)).toBe(sha(big));
  const fromA = await anne.call(a, 'GET', `/demandes/${filed.reference}/pieces/${viaB.id}`);
  expect(fromA.bytes.equals(PNG)).toBe(true);
  // The citizen, with the tracking code, from either.
  const citizen = browser();
  expect(sha((await citizen.call(b, 'GET', `/suivi/${filed.trackingCode}/pieces/${viaA.id}`)).bytes)).toBe(sha(big));
  expect((await citizen.call(a, 'GET', `/suivi/${filed.trackingCode}/pieces/${viaB.id}`)).bytes.equals(PNG)).toBe(true);

  if (mysql()) {
    // In the database, in chunks of at most 1 MiB; nothing on either web's disk.
    const chunks = await chunkRows([viaA.id]);
    expect(chunks.map((c) => [Number(c.seq), Number(c.bytes)])).toEqual([[0, CHUNK_BYTES], [1, CHUNK_BYTES], [2, CHUNK_BYTES], [3, 12345]]);
    for (const web of [a, b]) {
      expect(fs.existsSync(path.join(web.dataDir, 'attachments'))).toBe(false);
    }
  } else {
    expect(await h.db('attachment_chunks').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(fs.existsSync(path.join(h.config.dataDir, 'attachments', String(filed.id), viaA.storage_name))).toBe(true);
  }

  // Closed and purged: no byte of its files remains, in the database or on a disk; the downloads are gone.
  expect(await storedFileCount(h, [filed.id])).toBe(2);
  expect((await h.api('POST', `/api/requests/${filed.reference}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);
  await waitFor(async () => (await h.db('requests').where({ id: filed.id }).first('purged_at')).purged_at, 30_000, 'the purge');
  expect(await storedFileCount(h, [filed.id])).toBe(0);
  expect(await chunkRows([viaA.id, viaB.id])).toEqual([]);
  expect(await h.db('attachments').where({ request_id: filed.id })).toEqual([]);
  expect((await citizen.call(b, 'GET', `/suivi/${filed.trackingCode}/pieces/${viaA.id}`)).status).toBe(404);
}, 300_000);

test('a file of 10 MiB is accepted, stored and downloaded one chunk at a time; one byte more, or a renamed program, is refused and writes nothing', async () => {
  const filed = await submitRequest(h);
  const anne = browser();
  await anne.login(b, 'amartin');
  expect((await anne.act(a, filed.reference, 'take')).status).toBe(200);
  const counts = async () => [Number((await h.db('attachments').count({ n: '*' }).first())!.n), Number((await h.db('attachment_chunks').count({ n: '*' }).first())!.n)];
  const before = await counts();
  const tooBig = await anne.act(a, filed.reference, 'message', { body: 'Trop gros.', kind: 'citizen' }, [{ name: 'gros.pdf', data: pdfOf(TEN_MIB + 1), type: 'application/pdf' }]);
  expect(tooBig.text).toContain('Un fichier dépasse la taille maximale de 10 Mo.');
  const renamed = await anne.act(b, filed.reference, 'message', { body: 'Un programme.', kind: 'citizen' }, [{ name: 'facture.pdf', data: EXECUTABLE, type: 'application/pdf' }]);
  expect(renamed.text).toContain('Le fichier « facture.pdf » n’est ni un PDF, ni une image JPEG ou PNG');
  expect(await counts()).toEqual(before);
  expect(await h.db('messages').where({ request_id: filed.id })).toEqual([]);

  const ten = pdfOf(TEN_MIB);
  expect((await anne.act(a, filed.reference, 'message', { body: 'Le dossier complet.', kind: 'citizen' }, [{ name: 'dossier.pdf', data: ten, type: 'application/pdf' }])).status).toBe(200);
  const [file] = await filesOf(filed.id);
  expect(file.size).toBe(TEN_MIB);
  expect(sha((await anne.call(b, 'GET', `/demandes/${filed.reference}/pieces/${file.id}`)).bytes)).toBe(sha(ten));

  // Downloaded through this process's web (its queries can be watched): one query per chunk, each for one row.
  const reads: unknown[][] = [];
  const watch = (q: { sql: string; bindings?: unknown[] }) => {
    if (/select .*data.* from .attachment_chunks./i.test(q.sql)) reads.push(q.bindings ?? []);
  };
  h.db.on('query', watch);
  try {
    const here = await anne.call(h.baseUrl, 'GET', `/demandes/${filed.reference}/pieces/${file.id}`);
    expect(sha(here.bytes)).toBe(sha(ten));
  } finally {
    h.db.off('query', watch);
  }
  if (mysql()) {
    expect((await chunkRows([file.id])).map((c) => Number(c.bytes))).toEqual(Array(10).fill(CHUNK_BYTES));
    // [attachment id, seq, limit 1] for each chunk, in order.
    expect(reads).toEqual(Array.from({ length: 10 }, (_, seq) => [file.id, seq, 1]));
  } else {
    expect(reads).toEqual([]);
    expect(attachmentStore(h.config).kind).toBe('folder');
  }
}, 300_000);

test('the login limit counts the attempts made on both webs', async () => {
  const guesser = browser();
  const half = Math.ceil(LOGIN_LIMITS.perAccountAddress / 2);
  for (let i = 0; i < LOGIN_LIMITS.perAccountAddress; i++) {
    const refused = await guesser.login(i < half ? a : b, 'bdurand', 'pas-le-bon');
    expect(refused.status).toBe(401);
  }
  // Neither web alone saw the limit reached; together they did: even the right password waits.
  const blocked = await guesser.login(a, 'bdurand');
  expect(blocked.status).toBe(429);
  expect(blocked.text).toContain('Trop de tentatives de connexion infructueuses');
  expect((await guesser.login(b, 'bdurand')).status).toBe(429);
  // Another address is not concerned.
  expect((await browser().login(b, 'bdurand')).status).toBe(303);
}, 180_000);

test('a list and a request page on web B learn that a colleague acted on web A', async () => {
  const filed = await submitRequest(h);
  const bruno = browser();
  const anne = browser();
  await bruno.login(b, 'bdurand');
  await anne.login(a, 'amartin');
  const stampOf = (html: string) => /hx-get="\/actualite\?depuis=([^"&]+)/.exec(html)![1];
  const list = stampOf((await bruno.call(b, 'GET', '/demandes/non-traitees')).text);
  const page = stampOf((await bruno.call(b, 'GET', `/demandes/${filed.reference}`)).text);
  // Nothing new yet.
  expect((await bruno.call(b, 'GET', `/actualite?depuis=${encodeURIComponent(list)}`)).headers.get('hx-trigger')).toBeNull();

  expect((await anne.act(a, filed.reference, 'take')).status).toBe(200);
  const listNews = await bruno.call(b, 'GET', `/actualite?depuis=${encodeURIComponent(list)}`);
  expect(listNews.headers.get('hx-trigger')).toBe('requestsChanged');
  const pageNews = await bruno.call(b, 'GET', `/actualite?depuis=${encodeURIComponent(page)}&demande=${filed.reference}`);
  expect(pageNews.headers.get('hx-trigger')).toBe('requestChanged');
  expect(pageNews.text).toContain('Anne Martin');
}, 180_000);
