import { spawn } from 'node:child_process';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createScopedKey } from '../src/partners/keys';
import { createTelephonyKey } from '../src/calls/keys';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  // The test's receivers listen on the loopback.
  h = await startHarness({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const res = await h.api('GET', '/api/openapi.json', null);
  expect(res.status).toBe(200);
  doc = res.body;
  // The document's schemas, under an id of their own, so that each operation's schema can refer to them.
  ajv.addSchema(relocated({ $id: 'guichet', $defs: doc.components.schemas }));
});
afterAll(async () => {
  await h?.close();
});

/** `#/components/schemas/X` → `guichet#/$defs/X`, the same schemas registered once in ajv. */
function relocated(schema: unknown): any {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"guichet#/$defs/'));
}

/** The documented operation of an actual URL: its path template matched segment by segment. */
function operationOf(method: string, url: string): any {
  const actual = url.split('?')[0].split('/');
  const template = Object.keys(doc.paths).find((p) => {
    const parts = p.split('/');
    return parts.length === actual.length && parts.every((part, i) => /^\{\w+\}$/.test(part) || part === actual[i]);
  });
  const operation = template ? doc.paths[template][method.toLowerCase()] : undefined;
  if (!operation) {
    throw new Error(`${method} ${url} is not in the document`);
  }
  return operation;
}

function errorsOf(schema: unknown, value: unknown): string | null {
  const validate = ajv.compile(relocated(schema));
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

/** Fails unless the answer's status is described for this operation and its body fits that description. */
function checkResponse(method: string, url: string, res: { status: number; body: unknown }): void {
  const response = operationOf(method, url).responses[String(res.status)];
  if (!response) {
    throw new Error(`${method} ${url} answered ${res.status}, which the document does not describe`);
  }
  const schema = response.content?.['application/json']?.schema;
  if (!schema) {
    expect(res.body).toBe('');
    return;
  }
  const problems = errorsOf(schema, res.body);
  if (problems) {
    throw new Error(`${method} ${url} ${res.status}: ${problems}\n${JSON.stringify(res.body)}`);
  }
}

/**
 * Sends a request and checks the answer against the document. The body sent must fit the
 * documented request body, unless `invalid` (a case meant to be refused), where it must not.
 */
async function call(method: string, url: string, token: string | null, body?: unknown, opts: { invalid?: boolean } = {}) {
  const requestSchema = operationOf(method, url).requestBody?.content['application/json'].schema;
  if (body !== undefined) {
    expect(requestSchema).toBeDefined();
    const problems = errorsOf(requestSchema, body);
    if (opts.invalid) {
      expect(problems).not.toBeNull();
    } else if (problems) {
      throw new Error(`the body sent to ${method} ${url} does not fit the document: ${problems}`);
    }
  }
  const res = await h.api(method, url, token, body);
  checkResponse(method, url, res);
  return res;
}

/** The suite's own validator, run as the ES module it is, on the document. */
function validateOpenApi(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const script = "import { Validator } from '@seriousme/openapi-schema-validator'; let input = ''; for await (const c of process.stdin) input += c; "
    + 'console.log(JSON.stringify(await new Validator().validate(JSON.parse(input))));';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(__dirname, '..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
    child.stdin.end(JSON.stringify(document));
  });
}

test('GET /api/openapi.json is a valid OpenAPI 3.1 document that covers every API route, with a bearer scheme', async () => {
  expect(doc.openapi).toBe('3.1.0');
  expect(await validateOpenApi(doc)).toEqual({ valid: true });
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`)).sort();
  expect(routes).toEqual([
    'DELETE /api/requests/{reference}/callbacks/{id}',
    'DELETE /api/webhooks/{id}',
    'GET /api/chat/rooms',
    'GET /api/chat/rooms/{room}/messages',
    'GET /api/consultations',
    'GET /api/form-types',
    'GET /api/me/presence',
    'GET /api/openapi.json',
    'GET /api/requests/{reference}',
    'GET /api/supervision',
    'GET /api/webhooks',
    'PATCH /api/requests/{reference}/callbacks/{id}',
    'POST /api/chat/rooms/{room}/messages',
    'POST /api/consultations/{id}/answer',
    'POST /api/consultations/{id}/withdraw',
    'POST /api/merges',
    'POST /api/requests',
    'POST /api/requests/next',
    'POST /api/requests/{reference}/annotate',
    'POST /api/requests/{reference}/assign',
    'POST /api/requests/{reference}/callbacks',
    'POST /api/requests/{reference}/calls',
    'POST /api/requests/{reference}/close',
    'POST /api/requests/{reference}/consultations',
    'POST /api/requests/{reference}/hold',
    'POST /api/requests/{reference}/prioritize',
    'POST /api/requests/{reference}/reassign',
    'POST /api/requests/{reference}/release',
    'POST /api/requests/{reference}/resume',
    'POST /api/requests/{reference}/split',
    'POST /api/requests/{reference}/take',
    'POST /api/requests/{reference}/transfer',
    'POST /api/requests/{reference}/unmerge',
    'POST /api/telephonie/appels',
    'POST /api/webhooks',
    'PUT /api/me/presence',
  ]);
  checkResponse('GET', '/api/openapi.json', { status: 200, body: doc });
  // The checker itself: an answer the document does not describe fails.
  expect(() => checkResponse('GET', '/api/form-types', { status: 418, body: {} })).toThrow(/does not describe/);
  expect(() => checkResponse('GET', '/api/form-types', { status: 200, body: [{ slug: 'x' }] })).toThrow(/200/);
  expect(() => operationOf('PUT', '/api/form-types')).toThrow(/not in the document/);
});

test('partner routes: form types, filing, reading, in and out of the key\'s scope, answer as documented', async () => {
  const { amartin, dleroy } = h.tokens;
  const { secret: voirieKey } = await createScopedKey(h.db, 'Voirie', ['signalement-voirie']);
  await call('GET', '/api/form-types', h.partnerKey);
  await call('GET', '/api/form-types', voirieKey);
  await call('GET', '/api/form-types', null);
  expect((await call('GET', '/api/form-types', amartin)).status).toBe(403);

  const citizen = { firstName: 'Ouvert', lastName: 'Api', email: 'ouvert@example.org', phone: null, address: '1 rue de la Paix' };
  const filed = await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: { copies: 1 }, channel: 'web' });
  expect(filed.status).toBe(201);
  expect((await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Sans nom' } }, { invalid: true })).status).toBe(400);
  expect((await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { ...citizen, email: 'pas-une-adresse' } }, { invalid: true })).status).toBe(400);
  expect((await call('POST', '/api/requests', h.partnerKey, { formType: 'inconnue', citizen })).status).toBe(400);
  expect((await call('POST', '/api/requests', voirieKey, { formType: 'acte-naissance', citizen })).status).toBe(403);
  expect((await call('POST', '/api/requests', amartin, { formType: 'acte-naissance', citizen })).status).toBe(403);
  expect((await call('POST', '/api/requests', null, { formType: 'acte-naissance', citizen })).status).toBe(401);

  const ref = filed.body.reference;
  expect((await call('GET', `/api/requests/${ref}`, h.partnerKey)).status).toBe(200);
  expect((await call('GET', `/api/requests/${ref}`, amartin)).status).toBe(200);
  expect((await call('GET', `/api/requests/${ref}`, dleroy)).status).toBe(403);
  expect((await call('GET', `/api/requests/${ref}`, voirieKey)).status).toBe(404);
  expect((await call('GET', '/api/requests/DEM-1999-000000', h.partnerKey)).status).toBe(404);
  expect((await call('GET', `/api/requests/${ref}`, 'gpk_faux')).status).toBe(401);
});

test('the six agent actions, accepted and refused, answer as documented', async () => {
  const { amartin, dleroy } = h.tokens;
  const filed = await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Agir', lastName: 'Api' }, answers: {} });
  const ref = filed.body.reference;
  const act = (name: string, token: string | null, body: unknown, opts?: { invalid?: boolean }) => call('POST', `/api/requests/${ref}/${name}`, token, body, opts);

  expect((await act('take', amartin, { notifyCitizen: 'oui' }, { invalid: true })).status).toBe(400);
  expect((await act('take', dleroy, { notifyCitizen: false })).status).toBe(403);
  expect((await act('take', h.partnerKey, { notifyCitizen: false })).status).toBe(403);
  expect((await act('take', null, { notifyCitizen: false })).status).toBe(401);
  expect((await call('POST', '/api/requests/DEM-1999-000000/take', amartin, { notifyCitizen: false })).status).toBe(404);
  expect((await act('take', amartin, { notifyCitizen: false })).status).toBe(200);
  expect((await act('take', amartin, { notifyCitizen: false })).status).toBe(409);

  expect((await act('hold', amartin, { reason: '' }, { invalid: true })).status).toBe(400);
  expect((await act('hold', amartin, { reason: 'Pièce manquante', until: new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10), waitingForCitizen: false })).status).toBe(200);
  expect((await act('hold', amartin, { reason: 'Encore' })).status).toBe(409);
  expect((await act('resume', amartin, {})).status).toBe(200);
  expect((await act('resume', amartin, {})).status).toBe(409);

  expect((await act('reassign', amartin, {}, { invalid: true })).status).toBe(400);
  expect((await act('reassign', amartin, { agent: 'personne' })).status).toBe(400);
  expect((await act('reassign', amartin, { agent: 'bdurand' })).status).toBe(200);

  expect((await act('annotate', amartin, { eventType: 'INCONNU', comment: 'x' })).status).toBe(400);
  expect((await act('annotate', amartin, { eventType: 'NOTE', comment: 'Appel du demandeur' })).status).toBe(200);

  expect((await act('close', bdurand(), { closingCode: 'TRAITEE' }, { invalid: true })).status).toBe(400);
  const closed = await act('close', bdurand(), { closingCode: 'TRAITEE', notifyCitizen: false });
  expect(closed.status).toBe(200);
  expect(closed.body.status).toBe('CLOTUREE');
  expect((await act('close', bdurand(), { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(409);
  expect((await act('annotate', bdurand(), { eventType: 'NOTE', comment: '' })).status).toBe(409);
});

const bdurand = () => h.tokens.bdurand;

test('callbacks (plan, move, cancel) and calls, accepted and refused, answer as documented', async () => {
  const { amartin, cpetit } = h.tokens;
  const filed = await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Rappel', lastName: 'Api' }, answers: {} });
  const base = `/api/requests/${filed.body.reference}`;
  const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
  expect((await call('POST', `${base}/callbacks`, amartin, { date: tomorrow, time: '9h', phone: '0612345678' }, { invalid: true })).status).toBe(400);
  expect((await call('POST', `${base}/callbacks`, amartin, { date: tomorrow, time: '09:00', phone: '12' })).status).toBe(400);
  expect((await call('POST', `${base}/callbacks`, cpetit, { date: tomorrow, time: '09:00', phone: '0612345678' })).status).toBe(403);
  const planned = await call('POST', `${base}/callbacks`, amartin, { date: tomorrow, time: '09:00', phone: '0612345678', reassignToMe: true });
  expect(planned.status).toBe(201);
  const id = planned.body.callbacks[0].id;
  expect((await call('PATCH', `${base}/callbacks/${id}`, amartin, { date: tomorrow, time: '10:00' })).status).toBe(200);
  expect((await call('PATCH', `${base}/callbacks/999999`, amartin, { date: tomorrow, time: '10:00' })).status).toBe(404);
  expect((await call('DELETE', `${base}/callbacks/${id}`, amartin)).status).toBe(200);
  expect((await call('DELETE', `${base}/callbacks/${id}`, amartin)).status).toBe(409);
  expect((await call('POST', `${base}/calls`, amartin, { wrapUpCode: 'JOINT', note: 'Rappelé' })).status).toBe(200);
  expect((await call('POST', `${base}/calls`, amartin, { wrapUpCode: 'INCONNU' })).status).toBe(400);
});

test('the agent’s presence, read and set, and a reassign to an absent agent, answer as documented', async () => {
  const { cpetit, amartin } = h.tokens;
  expect((await call('GET', '/api/me/presence', cpetit)).body.presence).toBe('DISPONIBLE');
  expect((await call('PUT', '/api/me/presence', amartin, { presence: 'ABSENT' })).status).toBe(200);
  expect((await call('PUT', '/api/me/presence', cpetit, { presence: 'ailleurs' }, { invalid: true })).status).toBe(400);
  expect((await call('GET', '/api/me/presence', h.partnerKey)).status).toBe(403);
  expect((await call('GET', '/api/me/presence', null)).status).toBe(401);
  const filed = await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Absente', lastName: 'Api' }, answers: {} });
  const refused = await call('POST', `/api/requests/${filed.body.reference}/reassign`, bdurand(), { agent: 'amartin' });
  expect(refused).toMatchObject({ status: 400, body: { error: { code: 'AGENT_ABSENT' } } });
  expect((await call('PUT', '/api/me/presence', amartin, { presence: 'DISPONIBLE' })).status).toBe(200);
});

test('agent assistance: rooms, messages and posting, accepted and refused, answer as documented', async () => {
  const { amartin, cpetit } = h.tokens;
  const filed = await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Salon', lastName: 'Api' }, answers: {} });
  const rooms = await call('GET', '/api/chat/rooms', amartin);
  const group = rooms.body.find((r: { room: string }) => r.room !== 'tous').room;
  expect((await call('POST', '/api/chat/rooms/tous/messages', amartin, { body: `Qui connaît ${filed.body.reference} ?` })).body.request).not.toBeNull();
  expect((await call('POST', `/api/chat/rooms/${group}/messages`, amartin, { body: 'Bonjour', request: filed.body.reference })).status).toBe(201);
  expect((await call('GET', '/api/chat/rooms/tous/messages', cpetit)).body.messages.at(-1).request).toBeNull();
  expect((await call('GET', '/api/chat/rooms/tous/messages?after=0', amartin)).status).toBe(200);
  expect((await call('GET', '/api/chat/rooms/tous/messages?after=x', amartin)).status).toBe(400);
  expect((await call('POST', '/api/chat/rooms/tous/messages', amartin, { body: '' })).status).toBe(400);
  expect((await call('POST', '/api/chat/rooms/tous/messages', amartin, { body: 3 }, { invalid: true })).status).toBe(400);
  expect((await call('GET', `/api/chat/rooms/${group}/messages`, cpetit)).status).toBe(404);
  expect((await call('POST', `/api/chat/rooms/${group}/messages`, cpetit, { body: 'Bonjour' })).status).toBe(404);
  expect((await call('GET', '/api/chat/rooms', h.partnerKey)).status).toBe(403);
  expect((await call('GET', '/api/chat/rooms', null)).status).toBe(401);
});

test('the supervisor’s board answers as documented: figures to an administrator, 403 to a plain agent and a partner', async () => {
  const board = await call('GET', '/api/supervision', h.tokens.admin);
  expect(board.status).toBe(200);
  expect(board.body.groups.length).toBeGreaterThan(0);
  expect((await call('GET', '/api/supervision', h.tokens.amartin)).status).toBe(403);
  expect((await call('GET', '/api/supervision', h.partnerKey)).status).toBe(403);
  expect((await call('GET', '/api/supervision', null)).status).toBe(401);
});

test('the telephony connector, accepted and refused, answers as documented', async () => {
  const { secret } = await createTelephonyKey(h.db, 'Standard');
  const report = (token: string | null, body: unknown, opts?: { invalid?: boolean }) => call('POST', '/api/telephonie/appels', token, body, opts);
  const id = `openapi-${Date.now()}`;
  expect((await report(secret, { event: 'ringing', callId: id, caller: '+33612345678', agent: 'amartin' })).status).toBe(200);
  expect((await report(secret, { event: 'answered', callId: id, caller: '+33612345678', agent: 'amartin' })).status).toBe(200);
  expect((await report(secret, { event: 'hangup', callId: id, caller: '+33612345678', agent: 'amartin' })).status).toBe(200);
  expect((await report(secret, { event: 'answered', callId: id, caller: '+33612345678', agent: 'amartin' })).status).toBe(409);
  expect((await report(secret, { event: 'sonne', callId: id, caller: '+33612345678', agent: 'amartin' }, { invalid: true })).status).toBe(400);
  expect((await report(secret, { event: 'ringing', callId: id, caller: 'masqué', agent: 'amartin' })).status).toBe(400);
  expect((await report(secret, { event: 'ringing', callId: 'x', caller: '+33612345678', agent: 'personne' })).status).toBe(404);
  expect((await report(null, { event: 'ringing', callId: 'x', caller: '+33612345678', agent: 'amartin' })).status).toBe(401);
  expect((await report(h.tokens.amartin, { event: 'ringing', callId: 'x', caller: '+33612345678', agent: 'amartin' })).status).toBe(403);
});

test('webhook routes answer as documented', async () => {
  const { secret: key } = await createScopedKey(h.db, 'Webhooks', ['acte-mariage']);
  const created = await call('POST', '/api/webhooks', key, { url: 'https://partenaire.example/guichet' });
  expect(created.status).toBe(201);
  expect((await call('POST', '/api/webhooks', key, { url: 'pas une url' }, { invalid: true })).status).toBe(400);
  expect((await call('POST', '/api/webhooks', key, {}, { invalid: true })).status).toBe(400);
  expect((await call('POST', '/api/webhooks', h.tokens.amartin, { url: 'https://partenaire.example/x' })).status).toBe(403);
  expect((await call('POST', '/api/webhooks', null, { url: 'https://partenaire.example/x' })).status).toBe(401);
  for (let i = 1; i < 10; i += 1) {
    expect((await call('POST', '/api/webhooks', key, { url: `https://partenaire.example/${i}` })).status).toBe(201);
  }
  expect((await call('POST', '/api/webhooks', key, { url: 'https://partenaire.example/11' })).status).toBe(409);

  expect((await call('GET', '/api/webhooks', key)).body).toHaveLength(10);
  expect((await call('GET', '/api/webhooks', h.tokens.amartin)).status).toBe(403);
  expect((await call('GET', '/api/webhooks', null)).status).toBe(401);

  expect((await call('DELETE', `/api/webhooks/${created.body.id}`, h.partnerKey)).status).toBe(404);
  expect((await call('DELETE', `/api/webhooks/${created.body.id}`, key)).status).toBe(204);
  expect((await call('DELETE', `/api/webhooks/${created.body.id}`, key)).status).toBe(404);
  expect((await call('DELETE', '/api/webhooks/abc', key)).status).toBe(404);
  expect((await call('DELETE', `/api/webhooks/${created.body.id}`, h.tokens.amartin)).status).toBe(403);
  expect((await call('DELETE', `/api/webhooks/${created.body.id}`, null)).status).toBe(401);
});

test('the split (Scinder) answers as documented: the original and its two parts, or the refusal', async () => {
  const filed = await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Scinder', lastName: 'Api' }, answers: {} });
  const url = `/api/requests/${filed.body.reference}/split`;
  const parts = { parts: [{ message: 'Un acte.' }, { message: 'Un autre acte.' }] };
  expect((await call('POST', url, h.tokens.amartin, { parts: [{ message: 'Un seul.' }] }, { invalid: true })).status).toBe(400);
  expect((await call('POST', url, h.tokens.dleroy, parts)).status).toBe(403);
  expect((await call('POST', '/api/requests/DEM-1999-000000/split', h.tokens.amartin, parts)).status).toBe(404);
  const done = await call('POST', url, h.tokens.amartin, { ...parts, message: 'Deux demandes désormais.' });
  expect(done.status).toBe(200);
  expect(done.body.original.closingCode).toBe('SCINDEE');
  expect((await call('POST', url, h.tokens.amartin, parts)).status).toBe(409);
});

test('merging and undoing it answer as documented', async () => {
  const citizen = { firstName: 'Ada', lastName: 'Contrat', email: 'ada.contrat@example.org' };
  const refs: string[] = [];
  for (let i = 0; i < 2; i++) {
    refs.push((await call('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen, answers: {} })).body.reference);
  }
  expect((await call('POST', '/api/merges', h.tokens.amartin, { references: [refs[0]] }, { invalid: true })).status).toBe(400);
  const merged = await call('POST', '/api/merges', h.tokens.amartin, { references: refs });
  expect(merged.status).toBe(201);
  expect((await call('POST', `/api/requests/${merged.body.reference}/unmerge`, h.tokens.amartin)).status).toBe(200);
  expect((await call('POST', `/api/requests/${merged.body.reference}/unmerge`, h.tokens.amartin)).status).toBe(409);
});
