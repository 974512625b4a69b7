// Hostile input to the JSON API (issue 10, points 5, 6 and 14): what a partner key may read,
// bodies too large, too deep, badly encoded or not JSON, unknown addresses, and webhooks
// whose name points elsewhere when the POST connects (DNS rebinding).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { pinnedLookup, RefusedDestination, refusedDestination, type Resolve } from '../../src/partners/destinations';
import { postWebhook } from '../../src/partners/webhookPost';
import { submitRequest } from '../support/factories';
import { rowCounts, stillServing } from '../support/hostileProbe';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const citizen = { firstName: 'Aude', lastName: 'Api', email: 'aude@example.org' };
const submitBody = { formType: 'acte-naissance', citizen, answers: {} };

const submitted = async () => (await submitRequest(h, { citizen })).reference;

/** A raw call: any body, any headers. */
async function send(method: string, url: string, token: string | null, body?: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.baseUrl}${url}`, {
    method, redirect: 'manual', body: body === undefined ? undefined : new Uint8Array(Buffer.from(body)),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Runs a probe: nothing written, the service still answering. */
async function probe<T>(run: () => Promise<T>): Promise<T> {
  const before = await rowCounts(h);
  const answer = await run();
  expect(await rowCounts(h)).toEqual(before);
  expect(await stillServing(h)).toBe(true);
  return answer;
}

describe('point 5: a partner key reads the status and milestones, never agents\' notes or names', () => {
  it('GET /api/requests/<ref> with a partner key: events are type and date only, no assignee, no comment, no agent', async () => {
    const ref = await submitted();
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
    expect((await h.api('POST', `/api/requests/${ref}/annotate`, h.tokens.amartin, { eventType: 'NOTE', comment: 'Note interne : usager connu du service' })).status).toBe(200);
    const res = await probe(() => send('GET', `/api/requests/${ref}`, h.partnerKey));
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['closedAt', 'closingCode', 'createdAt', 'events', 'formType', 'reference', 'service', 'status', 'takenAt']);
    expect(res.json.status).toBe('EN_COURS');
    expect(res.json.events.map((e: any) => Object.keys(e).sort())).toEqual(res.json.events.map(() => ['at', 'type']));
    expect(res.json.events.map((e: any) => e.type)).toEqual(['SUBMITTED', 'TAKEN', 'NOTE']);
    for (const secret of ['Note interne', 'Anne Martin', 'amartin']) {
      expect(res.text).not.toContain(secret);
    }
  });

  it('an agent token keeps the whole history: assignee, comments and their authors', async () => {
    const ref = await submitted();
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
    expect((await h.api('POST', `/api/requests/${ref}/annotate`, h.tokens.amartin, { eventType: 'NOTE', comment: 'Pour les collègues' })).status).toBe(200);
    const res = await h.api('GET', `/api/requests/${ref}`, h.tokens.bdurand);
    expect(res.status).toBe(200);
    expect(res.body.assignee).toEqual({ code: 'amartin', name: 'Anne Martin' });
    expect(res.body.events.at(-1)).toMatchObject({ type: 'NOTE', comment: 'Pour les collègues', agent: { code: 'amartin', name: 'Anne Martin' } });
  });

  it('the OpenAPI document describes both shapes', async () => {
    const doc = (await h.api('GET', '/api/openapi.json', null)).body;
    expect(doc.paths['/api/requests/{reference}'].get.responses['200'].content['application/json'].schema.oneOf).toEqual([
      { $ref: '#/components/schemas/Request' }, { $ref: '#/components/schemas/PartnerRequest' },
    ]);
    expect(Object.keys(doc.components.schemas.PartnerRequest.properties)).not.toContain('assignee');
    expect(Object.keys(doc.components.schemas.PartnerRequest.properties.events.items.properties).sort()).toEqual(['at', 'type']);
  });
});

describe('point 6: bodies too large, too deep, badly encoded; unknown addresses', () => {
  it('a 10 MB JSON body to POST /api/requests answers 413 in French, nothing filed', async () => {
    const body = JSON.stringify({ ...submitBody, answers: { motif: 'x'.repeat(10 * 1024 * 1024) } });
    const res = await probe(() => send('POST', '/api/requests', h.partnerKey, body));
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: { code: 'BODY_TOO_LARGE', message: "L'envoi est trop volumineux : allégez-le (moins de texte ou des fichiers plus petits) et recommencez." } });
  });

  it('answers of 600 KB (under the 1 MB limit) are filed whole on both databases, not a 500', async () => {
    const before = await rowCounts(h);
    const answers = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`champ-${i}`, `é${'e'.repeat(19_999)}`]));
    const res = await h.api('POST', '/api/requests', h.partnerKey, { ...submitBody, answers });
    expect(res.status).toBe(201);
    const row = await h.db('requests as r').join('request_personal as p', 'p.request_id', 'r.id').where('r.reference', res.body.reference).first('p.answers');
    expect(JSON.parse(row.answers)).toEqual(answers);
    expect((await rowCounts(h)).requests).toBe(before.requests + 1);
  });

  it('a JSON body nested 100 000 deep answers 400 in French, nothing filed', async () => {
    const body = `{"formType":"acte-naissance","citizen":${JSON.stringify(citizen)},"answers":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const res = await probe(() => send('POST', '/api/requests', h.partnerKey, body));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { code: 'BODY_TOO_DEEP', message: 'Le corps de la requête est imbriqué trop profondément (32 niveaux au plus).' } });
  });

  it('a deep body to an agent action answers 400 too, and the request is unchanged', async () => {
    const ref = await submitted();
    const body = `{"notifyCitizen":false,"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await probe(() => send('POST', `/api/requests/${ref}/take`, h.tokens.amartin, body));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('BODY_TOO_DEEP');
    expect((await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin)).body.status).toBe('NON_TRAITEE');
  });

  it('brackets inside strings do not count as depth', async () => {
    const res = await h.api('POST', '/api/requests', h.partnerKey, { ...submitBody, citizen: { ...citizen, lastName: `Api${'['.repeat(100)}` } });
    expect(res.status).toBe(201);
  });

  it('a body that is not JSON answers 400 INVALID_INPUT in French', async () => {
    const res = await probe(() => send('POST', '/api/requests', h.partnerKey, '{"formType": "acte-naissance",'));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { code: 'INVALID_INPUT', message: "Le corps de la requête n'est pas du JSON valide.", field: 'body' } });
  });

  it('JSON in a charset other than UTF-8 answers 415 in French', async () => {
    const res = await probe(() => send('POST', '/api/requests', h.partnerKey, JSON.stringify(submitBody), { 'content-type': 'application/json; charset=iso-8859-1' }));
    expect(res.status).toBe(415);
    expect(res.json.error).toEqual({ code: 'BODY_ENCODING', message: "L'envoi utilise un encodage non pris en charge : envoyez-le en UTF-8, sans compression." });
  });

  it('a Content-Encoding the server does not know answers 415; a gzip body that does not inflate 400', async () => {
    const unknown = await probe(() => send('POST', '/api/requests', h.partnerKey, JSON.stringify(submitBody), { 'content-encoding': 'lzma' }));
    expect(unknown.status).toBe(415);
    expect(unknown.json.error.code).toBe('BODY_ENCODING');
    const broken = await probe(() => send('POST', '/api/requests', h.partnerKey, 'pas du gzip', { 'content-encoding': 'gzip' }));
    expect(broken.status).toBe(400);
    expect(broken.json.error).toEqual({ code: 'BODY_MALFORMED', message: "L'envoi est incomplet ou mal formé : rechargez la page et recommencez." });
  });

  it('a gzip bomb (1 KB inflating past 1 MB) answers 413', async () => {
    const bomb = zlib.gzipSync(Buffer.from(JSON.stringify({ ...submitBody, answers: { motif: ' '.repeat(3 * 1024 * 1024) } })));
    expect(bomb.length).toBeLessThan(10 * 1024);
    const res = await probe(() => send('POST', '/api/requests', h.partnerKey, bomb, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('BODY_TOO_LARGE');
  });

  it('/api/<unknown> answers a JSON 404, with or without credentials, never the login page', async () => {
    for (const [method, url, token] of [['GET', '/api/inconnu', null], ['GET', '/api/inconnu', h.partnerKey], ['POST', '/api/requests/x/inconnu', h.tokens.amartin], ['GET', '/api/requests', h.partnerKey], ['GET', '/api', null]] as [string, string, string | null][]) {
      const res = await probe(() => send(method, url, token));
      expect([method, url, res.status, res.headers.get('location')]).toEqual([method, url, 404, null]);
      expect(res.json).toEqual({ error: { code: 'NOT_FOUND', message: "Cette adresse de l'API n'existe pas : voyez /api/openapi.json." } });
    }
  });

  it('/api/requests/%ff answers 400 in JSON', async () => {
    const res = await probe(() => send('GET', '/api/requests/%ff', h.partnerKey));
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: 'URL_MALFORMED', message: "L'adresse demandée est mal formée." });
  });

  it('every API answer says Cache-Control: no-store', async () => {
    const ref = await submitted();
    for (const [url, token] of [[`/api/requests/${ref}`, h.tokens.amartin], [`/api/requests/${ref}`, h.partnerKey], ['/api/form-types', h.partnerKey], ['/api/inconnu', null]] as [string, string | null][]) {
      expect([url, (await send('GET', url, token)).headers.get('cache-control')]).toEqual([url, 'no-store']);
    }
  });
});

describe('point 14: a webhook connects to the address that was checked', () => {
  let receiver: http.Server;
  let port = 0;
  const received: { host: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ host: req.headers.host, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** A DNS that answers a public address first, then the loopback: a rebinding name. */
  const rebinding = (): Resolve & { calls: number } => {
    const answers = ['93.184.216.34', '127.0.0.1'];
    const resolve = Object.assign(async () => {
      const address = answers[Math.min(resolve.calls, answers.length - 1)];
      resolve.calls += 1;
      return [{ address, family: 4 }];
    }, { calls: 0 });
    return resolve;
  };

  it('a name that passed the check but resolves to the loopback when the POST connects is refused, and nothing reaches the loopback', async () => {
    const resolve = rebinding();
    const url = `http://partenaire.example:${port}/crochet`;
    expect(await refusedDestination(url, false, resolve)).toBeNull();
    const before = received.length;
    const posting = postWebhook(url, '{"id":1}', { timeoutMs: 2000, headers: {}, allowPrivate: false, resolve });
    await expect(posting).rejects.toThrow(RefusedDestination);
    await expect(posting).rejects.toThrow('L’adresse 127.0.0.1 de « partenaire.example » est une adresse interne ou réservée');
    expect(received.length).toBe(before);
    // The check of the POST was its connection's only resolution.
    expect(resolve.calls).toBe(2);
  });

  it('the connection goes to the address resolved for it, with the URL\'s name as Host', async () => {
    let calls = 0;
    const resolve: Resolve = async () => {
      calls += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const outcome = await postWebhook(`http://partenaire.example:${port}/crochet`, '{"id":2}', { timeoutMs: 2000, headers: { 'x-guichet-event': 'TAKEN' }, allowPrivate: true, resolve });
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(calls).toBe(1);
    expect(received.at(-1)).toEqual({ host: `partenaire.example:${port}`, body: '{"id":2}' });
  });

  it('an internal address written in the URL is refused without a connection', async () => {
    const before = received.length;
    await expect(postWebhook(`http://127.0.0.1:${port}/crochet`, '{}', { timeoutMs: 2000, headers: {}, allowPrivate: false })).rejects.toThrow(RefusedDestination);
    await expect(postWebhook(`http://[::ffff:127.0.0.1]:${port}/crochet`, '{}', { timeoutMs: 2000, headers: {}, allowPrivate: false })).rejects.toThrow(RefusedDestination);
    expect(received.length).toBe(before);
  });

  it('a name with one internal address among public ones is refused whole', async () => {
    const resolve: Resolve = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }];
    await expect(postWebhook(`http://partenaire.example:${port}/`, '{}', { timeoutMs: 2000, headers: {}, allowPrivate: false, resolve })).rejects.toThrow('10.0.0.7');
  });

  it('the lookup hands the socket only vetted addresses, in the form asked (one or all)', async () => {
    const resolve: Resolve = async () => [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }];
    const lookup = pinnedLookup(false, resolve);
    const one = await new Promise((ok) => lookup('partenaire.example', { family: 6 }, (err, address, family) => ok({ err, address, family })));
    expect(one).toEqual({ err: null, address: '2606:2800:220:1::1', family: 6 });
    const all = await new Promise((ok) => lookup('partenaire.example', { all: true }, (err, addresses) => ok({ err, addresses })));
    expect(all).toEqual({ err: null, addresses: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }] });
  });

  it('a network error or a timeout is an outcome, not an exception', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await postWebhook(`http://127.0.0.1:${deadPort}/`, '{}', { timeoutMs: 2000, headers: {}, allowPrivate: true });
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.error).toContain('ECONNREFUSED');

    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const slow = await postWebhook(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, '{}', { timeoutMs: 300, headers: {}, allowPrivate: true });
    expect(slow).toEqual({ ok: false, status: null, error: 'pas de réponse en 300 ms' });
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
