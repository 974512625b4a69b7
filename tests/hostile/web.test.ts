// Hostile input to the web UI and the citizens' pages (issue 10, points 1, 6, 10, 12, 13):
// each probe answers 4xx with its French reason, writes nothing, and the service goes on.
import { replyToken } from '../../src/messages/secureLink';
import { client, filesOnDisk, multipart, partialUpload, rowCounts, stillServing, type RawAnswer } from '../support/hostileProbe';
import { citizenReplied, submitRequest } from '../support/factories';
import { startHarness, waitFor, type Harness } from '../support/harness';

let h: Harness;
const TRACKING_LIMIT = 6;

beforeAll(async () => {
  // TRUST_PROXY: each test speaks from an address of its own (X-Forwarded-For), so that the
  // tracking limit counts only its own hits.
  h = await startHarness({ env: { TRUST_PROXY: 'true', TRACKING_REQUESTS_PER_HOUR: String(TRACKING_LIMIT) } });
});
afterAll(async () => {
  await h?.close();
});

let lastAddress = 0;
const fromNewAddress = () => ({ 'x-forwarded-for': `203.0.113.${++lastAddress}` });

const submitted = (lastName = 'Hostile') => submitRequest(h, { citizen: { firstName: 'Iris', lastName, email: 'iris@example.org' } });

/**
 * Runs a probe and checks what every hostile case must show: no row written, no file left
 * in the upload folder, and the service still answering.
 */
async function probe(send: () => Promise<RawAnswer>): Promise<RawAnswer> {
  const before = await rowCounts(h);
  const answer = await send();
  expect(await rowCounts(h)).toEqual(before);
  await waitFor(() => filesOnDisk(h).uploads === 0, 5000, 'the upload folder emptied');
  expect(await stillServing(h)).toBe(true);
  return answer;
}

const BOUNDARY = '----guichetHostile7MA4YWxkTrZu0gW';
const multipartHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...extra });
const MALFORMED = "L'envoi est incomplet ou mal formé : rechargez la page et recommencez.";
const TOO_LARGE = "L'envoi est trop volumineux : allégez-le (moins de texte ou des fichiers plus petits) et recommencez.";

/** About 150 bytes: a field, then a file part cut off in its content. */
const truncatedFile = () => {
  const whole = multipart(BOUNDARY, [{ name: 'body', value: 'Bonjour' }, { name: 'fichiers', filename: 'a.pdf', type: 'application/pdf', value: Buffer.from('%PDF-1.4 coupé') }], false);
  return whole.subarray(0, whole.length - 4);
};

describe('point 1: a malformed multipart body answers 400 and the process keeps serving', () => {
  const routes = async () => {
    const r = await submitted('Tronque');
    const token = replyToken(h.config.sessionSecret, r.id);
    return [`/suivi/${r.trackingCode}/repondre?jeton=${encodeURIComponent(token)}`, '/formulaires/acte-naissance'];
  };

  it('a truncated file part (~150 bytes, no login, no CSRF) to the reply form and the public form', async () => {
    for (const url of await routes()) {
      const body = truncatedFile();
      expect(body.length).toBeLessThan(260);
      const answer = await probe(() => client(h, fromNewAddress()).call('POST', url, { body, headers: multipartHeaders() }));
      expect(answer.status).toBe(400);
      expect(answer.text).toBe(MALFORMED);
    }
  });

  it('a body cut inside the part headers', async () => {
    for (const url of await routes()) {
      const body = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="fichiers"; filena`);
      const answer = await probe(() => client(h, fromNewAddress()).call('POST', url, { body, headers: multipartHeaders() }));
      expect(answer.status).toBe(400);
      expect(answer.text).toBe(MALFORMED);
    }
  });

  it('a multipart content type without a boundary', async () => {
    for (const url of await routes()) {
      const body = multipart(BOUNDARY, [{ name: 'body', value: 'Bonjour' }]);
      const answer = await probe(() => client(h, fromNewAddress()).call('POST', url, { body, headers: { 'content-type': 'multipart/form-data' } }));
      expect(answer.status).toBe(400);
      expect(answer.text).toBe(MALFORMED);
    }
  });

  it('a part whose headers are garbage (no Content-Disposition, a header line without a colon)', async () => {
    for (const url of await routes()) {
      const body = Buffer.from(`--${BOUNDARY}\r\nX-Rien\r\n${'\u0000'.repeat(20)}\r\n\r\nvaleur\r\n--${BOUNDARY}--\r\n`);
      const answer = await probe(() => client(h, fromNewAddress()).call('POST', url, { body, headers: multipartHeaders() }));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
  });

  it('a body that stops before its first boundary (preamble only)', async () => {
    for (const url of await routes()) {
      const answer = await probe(() => client(h, fromNewAddress()).call('POST', url, { body: 'rien que du texte', headers: multipartHeaders() }));
      expect(answer.status).toBe(400);
      expect(answer.text).toBe(MALFORMED);
    }
  });

  it('a truncated body with a valid session and CSRF token (the reply page\'s): 400, nothing written', async () => {
    const [reply] = await routes();
    const citizen = client(h, fromNewAddress());
    const csrf = await citizen.csrf(reply);
    expect(csrf).not.toBe('');
    const whole = multipart(BOUNDARY, [{ name: '_csrf', value: csrf }, { name: 'body', value: 'Réponse' }, { name: 'fichiers', filename: 'b.png', type: 'image/png', value: Buffer.alloc(4096, 1) }], false);
    const answer = await probe(() => citizen.call('POST', reply, { body: whole.subarray(0, whole.length - 100), headers: multipartHeaders() }));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe(MALFORMED);
  });

  it('a client that disconnects mid-upload leaves no file and no row', async () => {
    const [, form] = await routes();
    const before = await rowCounts(h);
    const body = truncatedFile();
    await partialUpload(h, form, { headers: { ...multipartHeaders(), ...fromNewAddress() }, declared: body.length + 100_000, sent: body, timeoutMs: 300 }).catch(() => undefined);
    await waitFor(() => filesOnDisk(h).uploads === 0, 5000, 'the upload folder emptied');
    expect(await rowCounts(h)).toEqual(before);
    expect(await stillServing(h)).toBe(true);
  });

  it('an htmx request with a malformed body is told in the alert region, as the CSRF refusal is', async () => {
    const [reply] = await routes();
    const answer = await probe(() => client(h, fromNewAddress()).call('POST', reply, { body: truncatedFile(), headers: multipartHeaders({ 'HX-Request': 'true' }) }));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('hx-retarget')).toBe('#global-alert');
    expect(answer.text).toBe(MALFORMED);
  });
});

describe('point 6: body size, encoding, nesting and URL errors answer 4xx in French', () => {
  it('a 1.1 MB urlencoded form answers 413 in French', async () => {
    const body = `code=x&password=${'a'.repeat(1_150_000)}`;
    const answer = await probe(() => client(h, fromNewAddress()).call('POST', '/connexion', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(answer.status).toBe(413);
    expect(answer.text).toBe(TOO_LARGE);
  });

  it('a 1.1 MB urlencoded form from htmx goes to the alert region', async () => {
    const body = `x=${'a'.repeat(1_150_000)}`;
    const answer = await probe(() => client(h, fromNewAddress()).call('POST', '/formulaires/acte-naissance', { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' } }));
    expect(answer.status).toBe(413);
    expect(answer.headers.get('hx-retarget')).toBe('#global-alert');
    expect(answer.text).toBe(TOO_LARGE);
  });

  it('a form in an unknown charset answers 415 in French', async () => {
    const answer = await probe(() => client(h, fromNewAddress()).call('POST', '/connexion', { body: 'code=x', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' } }));
    expect(answer.status).toBe(415);
    expect(answer.text).toBe("L'envoi utilise un encodage non pris en charge : envoyez-le en UTF-8, sans compression.");
  });

  it('a form with a Content-Encoding the server does not know answers 415 in French', async () => {
    const answer = await probe(() => client(h, fromNewAddress()).call('POST', '/connexion', { body: 'code=x', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'zstd-maison' } }));
    expect(answer.status).toBe(415);
    expect(answer.text).toContain('encodage non pris en charge');
  });

  it('a gzip body that is not gzip answers 400 in French', async () => {
    const answer = await probe(() => client(h, fromNewAddress()).call('POST', '/connexion', { body: 'pas du gzip', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' } }));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe(MALFORMED);
  });

  it('/demandes/%ff (a path that does not decode) answers 400 to a logged-in agent', async () => {
    const agent = client(h, fromNewAddress());
    expect((await agent.login('amartin')).status).toBe(303);
    const answer = await probe(() => agent.call('GET', '/demandes/%ff'));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe("L'adresse demandée est mal formée.");
  });

  it('/suivi/%ff/repondre (no login) answers 400', async () => {
    const answer = await probe(() => client(h, fromNewAddress()).call('GET', '/suivi/%ff/repondre'));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe("L'adresse demandée est mal formée.");
  });
});

describe('point 10: the unread marker is cleared only by the agent\'s POST from the page', () => {
  const unread = async (id: number) => Number((await h.db('requests').where({ id }).first('citizen_unread')).citizen_unread);

  it('a GET of the request page (as a cross-site link or image would make) leaves the marker', async () => {
    const r = await submitted('NonLu');
    await citizenReplied(h, r);
    expect(await unread(r.id)).toBe(1);
    const agent = client(h, fromNewAddress());
    await agent.login('amartin');
    const page = await agent.call('GET', `/demandes/${r.reference}`);
    expect(page.status).toBe(200);
    // The page asks, once shown, to mark the messages read.
    expect(page.text).toContain(`hx-post="/demandes/${r.reference}/lu" hx-trigger="load"`);
    expect((await agent.call('GET', `/demandes/${r.reference}`, { headers: { 'HX-Request': 'true' } })).status).toBe(200);
    expect(await unread(r.id)).toBe(1);
  });

  it('a POST without the CSRF token (another site\'s form) is refused and leaves the marker', async () => {
    const r = await submitted('NonLuCsrf');
    await citizenReplied(h, r);
    expect(await unread(r.id)).toBe(1);
    const agent = client(h, fromNewAddress());
    await agent.login('amartin');
    const answer = await agent.call('POST', `/demandes/${r.reference}/lu`, agent.form({}));
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("Ce formulaire n'est plus valide");
    expect(await unread(r.id)).toBe(1);
    expect(await stillServing(h)).toBe(true);
  });

  it('the POST of the page, with its token, clears the marker; another service\'s agent cannot', async () => {
    const r = await submitted('NonLuLu');
    await citizenReplied(h, r);
    expect(await unread(r.id)).toBe(1);
    const other = client(h, fromNewAddress());
    await other.login('dleroy');
    const csrfOther = await other.csrf('/mon-compte');
    const refused = await other.call('POST', `/demandes/${r.reference}/lu`, { headers: { 'X-CSRF-Token': csrfOther, 'HX-Request': 'true' } });
    expect(refused.status).toBe(403);
    expect(await unread(r.id)).toBe(1);

    const agent = client(h, fromNewAddress());
    await agent.login('amartin');
    const page = await agent.call('GET', `/demandes/${r.reference}`);
    const token = /"X-CSRF-Token": "([^"]+)"/.exec(page.text)![1];
    const seen = await agent.call('POST', `/demandes/${r.reference}/lu`, { headers: { 'X-CSRF-Token': token, 'HX-Request': 'true' } });
    expect(seen.status).toBe(204);
    expect(await unread(r.id)).toBe(0);
    // Read: the page no longer asks.
    expect((await agent.call('GET', `/demandes/${r.reference}`)).text).not.toContain('/lu"');
  });
});

describe('point 12: agents\' uploads are refused before their body is read without a session', () => {
  const BIG = 27 * 1024 * 1024;

  it.each([['/demandes/DEM-2026-000001/message'], ['/saisie/acte-naissance']])('a 27 MB multipart to %s without a session is answered before the body is sent, and nothing reaches the disk', async (url) => {
    const before = await rowCounts(h);
    const head = multipart(BOUNDARY, [{ name: 'fichiers', filename: 'gros.pdf', type: 'application/pdf', value: Buffer.alloc(64 * 1024, 7) }], false);
    const answer = await partialUpload(h, url, { headers: { ...multipartHeaders(), ...fromNewAddress() }, declared: BIG, sent: head });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe(`/connexion?retour=${encodeURIComponent(url)}`);
    expect(answer.headers.connection).toBe('close');
    expect(filesOnDisk(h).uploads).toBe(0);
    expect(await rowCounts(h)).toEqual(before);
    expect(await stillServing(h)).toBe(true);
  });

  it('the same from htmx answers 401 with HX-Redirect to the login page', async () => {
    const head = multipart(BOUNDARY, [{ name: 'body', value: 'x' }], false);
    const answer = await partialUpload(h, '/demandes/DEM-2026-000001/message', { headers: { ...multipartHeaders({ 'HX-Request': 'true' }), ...fromNewAddress() }, declared: BIG, sent: head });
    expect(answer.status).toBe(401);
    expect(answer.headers['hx-redirect']).toBe(`/connexion?retour=${encodeURIComponent('/demandes/DEM-2026-000001/message')}`);
    expect(filesOnDisk(h).uploads).toBe(0);
    expect(await stillServing(h)).toBe(true);
  });

  it('a session cookie that names no agent (forged or logged out) is refused the same way', async () => {
    const head = multipart(BOUNDARY, [{ name: 'body', value: 'x' }], false);
    const answer = await partialUpload(h, '/saisie/acte-naissance', { headers: { ...multipartHeaders(), ...fromNewAddress(), cookie: 'guichet.sid=s%3Animporte.quoi' }, declared: BIG, sent: head });
    expect(answer.status).toBe(303);
    expect(filesOnDisk(h).uploads).toBe(0);
  });

  it('a logged-in agent\'s message with a file is still accepted', async () => {
    const r = await submitted('AvecPiece');
    const agent = client(h, fromNewAddress());
    await agent.login('amartin');
    const page = await agent.call('GET', `/demandes/${r.reference}`);
    const token = /"X-CSRF-Token": "([^"]+)"/.exec(page.text)![1];
    const form = new FormData();
    form.append('_csrf', token);
    form.append('body', 'Note avec pièce');
    form.append('internal', 'on');
    form.append('fichiers', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'note.pdf');
    const answer = await agent.call('POST', `/demandes/${r.reference}/message`, { body: form, headers: { 'HX-Request': 'true' } });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Message enregistré.');
    expect(await h.db('attachments').where({ request_id: r.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });
});

describe('point 13: tracking pages limited per address, no-store for agents and citizens, bulk report', () => {
  it('tracking lookups by code are limited per address: French 429 with Retry-After, another address unaffected', async () => {
    const r = await submitted('Suivi');
    const citizen = client(h, fromNewAddress());
    for (let i = 0; i < TRACKING_LIMIT; i++) {
      expect((await citizen.call('GET', `/suivi?code=AAAAA-${String(i).padStart(5, '0')}`)).status).toBe(404);
    }
    const before = await rowCounts(h);
    const refused = await citizen.call('GET', `/suivi?code=${r.trackingCode}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(refused.text).toContain('Trop de consultations depuis votre connexion : réessayez dans');
    expect(refused.text).not.toContain(r.reference);
    expect(await rowCounts(h)).toEqual(before);
    // The empty search form is not counted; another address finds its request.
    expect((await citizen.call('GET', '/suivi')).status).toBe(200);
    expect((await client(h, fromNewAddress()).call('GET', `/suivi?code=${r.trackingCode}`)).status).toBe(200);
    expect(await stillServing(h)).toBe(true);
  });

  it('the reply form and the downloads count against the same limit', async () => {
    const r = await submitted('SuiviRepondre');
    const citizen = client(h, fromNewAddress());
    const token = encodeURIComponent(replyToken(h.config.sessionSecret, r.id));
    for (let i = 0; i < TRACKING_LIMIT / 2; i++) {
      expect((await citizen.call('GET', `/suivi/${r.trackingCode}/repondre?jeton=${token}`)).status).toBe(200);
      expect((await citizen.call('GET', `/suivi/${r.trackingCode}/pieces/${i + 1}`)).status).toBe(404);
    }
    const page = await citizen.call('GET', `/suivi/${r.trackingCode}/repondre?jeton=${token}`);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
    const download = await citizen.call('GET', `/suivi/${r.trackingCode}/pieces/1`);
    expect(download.status).toBe(429);
    const post = await citizen.call('POST', `/suivi/${r.trackingCode}/repondre`, citizen.form({ jeton: decodeURIComponent(token), body: 'x', _csrf: 'x' }));
    expect(post.status).toBe(403); // the CSRF check comes first, and refuses
  });

  it('every page, fragment and export served to a logged-in agent says Cache-Control: no-store; static files do not', async () => {
    const r = await submitted('Cache');
    const agent = client(h, fromNewAddress());
    await agent.login('amartin');
    for (const [url, headers] of [
      ['/', {}], ['/demandes/non-traitees', {}], [`/demandes/${r.reference}`, {}], [`/demandes/${r.reference}`, { 'HX-Request': 'true' }],
      ['/navigation', { 'HX-Request': 'true' }], ['/journal', {}], ['/usagers', {}], ['/mon-compte', {}], ['/exports/non-traitees.csv', {}], ['/demandes/inconnue-42', {}],
    ] as [string, Record<string, string>][]) {
      const answer = await agent.call('GET', url, { headers });
      expect([url, answer.status < 500, answer.headers.get('cache-control')]).toEqual([url, true, 'no-store']);
    }
    const css = await agent.call('GET', '/static/guichet.css');
    expect(css.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('citizens\' tracking pages say Cache-Control: no-store, found or not', async () => {
    const r = await submitted('CacheSuivi');
    const citizen = client(h, fromNewAddress());
    for (const url of ['/suivi', `/suivi?code=${r.trackingCode}`, '/suivi?code=ZZZZZ-ZZZZZ', `/suivi/${r.trackingCode}/repondre?jeton=faux`]) {
      expect([url, (await citizen.call('GET', url)).headers.get('cache-control')]).toEqual([url, 'no-store']);
    }
  });

  it('the bulk report says « Demande inconnue » for another service\'s id, without its reference; an id of no request is no 500', async () => {
    const own = await submitted('BulkOwn');
    const foreignRes = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'declaration-travaux', citizen: { firstName: 'Ugo', lastName: 'Urbain' }, answers: {} });
    const foreign = await h.db('requests').where({ reference: foreignRes.body.reference }).first('id', 'reference');
    const agent = client(h, fromNewAddress());
    await agent.login('amartin');
    const csrf = await agent.csrf('/mon-compte');
    const body = new URLSearchParams([['_csrf', csrf], ['action', 'take'], ['ids', String(foreign.id)], ['ids', '99999999'], ['ids', String(own.id)]]).toString();
    const started = await agent.call('POST', '/actions-groupees', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(started.status).toBe(303);
    const jobUrl = started.headers.get('location')!;
    const jobId = Number(/\/actions-groupees\/(\d+)/.exec(jobUrl)![1]);
    await waitFor(async () => (await h.db('bulk_jobs').where({ id: jobId }).first('finished_at'))?.finished_at, 30000, 'the bulk job');
    const report = await agent.call('GET', jobUrl);
    // The id of no request is not an item; the other service's is refused as unknown.
    expect(report.text).toContain('Terminé : 1 réussie, 1 refusée, sur 2.');
    expect(report.text).toContain(`N° ${foreign.id} : Demande inconnue.`);
    expect(report.text).not.toContain('99999999');
    expect(report.text).not.toContain(foreign.reference);
    expect(report.text).not.toContain("Vous n'avez pas de droits");
    expect(await h.db('requests').where({ id: foreign.id }).first('status')).toEqual({ status: 'NON_TRAITEE' });
  });
});
