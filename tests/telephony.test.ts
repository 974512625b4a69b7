// The telephony connector (issue 14): its contract and refusals, the call panel's matching
// (the caller's files and the open requests carrying the number), the call recorded on the
// request the agent had open (or chose) through its workflow, its wrap-up, the simulator,
// and no personal data in the workflow's history.
import { assignPhoneLine, createTelephonyKey, revokeTelephonyKey } from '../src/calls/keys';
import { createCitizen } from '../src/db/citizens';
import { workflowIdOf } from '../workflows/definitions';
import { runGuichet } from './support/cli';
import { agentByCode, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let key: string;
let anne: ReturnType<typeof webClient>;
let seq = 0;
const callId = () => `appel-${Date.now()}-${++seq}`;
const NUMBER = '+33612345678';

beforeAll(async () => {
  h = await startHarness();
  key = (await createTelephonyKey(h.db, 'Standard de la mairie')).secret;
  anne = webClient(h.baseUrl, '10.89.14.1');
  expect((await anne.login('amartin')).status).toBe(303);
});
afterAll(async () => {
  await h?.close();
});

const report = (body: unknown, token: string | null = key) => h.api('POST', '/api/telephonie/appels', token, body);
const callRows = async () => Number((await h.db('phone_calls').count({ n: '*' }).first())!.n);
/** The agent's page asks for its call panel, from the page `path`: 204 when nothing changed since `stamp`. */
const poll = async (client: ReturnType<typeof webClient>, path = '/', stamp = '') =>
  client.call('POST', '/telephonie/panneau', { _csrf: await client.csrf('/'), etat: stamp }, { 'HX-Request': 'true', 'HX-Current-URL': `${h.baseUrl}${path}` });

describe('the connector refuses, writing nothing', () => {
  const good = { event: 'ringing', callId: 'x-1', caller: NUMBER, agent: 'amartin' };

  test('a missing, wrong or revoked key: 401; another kind of credential: 403; a telephony key elsewhere: 403', async () => {
    const before = await callRows();
    expect((await report(good, null))).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect((await report(good, 'gtk_pas-une-cle'))).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect((await report(good, h.tokens.amartin))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await report(good, h.partnerKey))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const revoked = await createTelephonyKey(h.db, 'Ancien standard');
    await revokeTelephonyKey(h.db, revoked.id);
    expect((await report(good, revoked.secret)).status).toBe(401);
    // The connector's key reads nothing else of the API.
    expect((await h.api('GET', '/api/form-types', key)).status).toBe(403);
    expect((await h.api('GET', '/api/requests/DEM-2026-000001', key)).status).toBe(403);
    expect((await h.api('GET', '/api/me/presence', key)).status).toBe(403);
    expect(await callRows()).toBe(before);
  });

  test.each([
    ['not JSON', '{"event": "ringing",', 'body'],
    ['no event', { callId: 'x', caller: NUMBER, agent: 'amartin' }, 'event'],
    ['an unknown event', { ...good, event: 'transferred' }, 'event'],
    ['no callId', { ...good, callId: '' }, 'callId'],
    ['a callId with spaces', { ...good, callId: 'a b' }, 'callId'],
    ['a caller that is no number', { ...good, caller: 'anonyme' }, 'caller'],
    ['a French number too short', { ...good, caller: '06 12 34' }, 'caller'],
    ['neither agent nor line', { event: 'ringing', callId: 'x', caller: NUMBER }, 'agent'],
    ['both agent and line', { ...good, line: '201' }, 'agent'],
    ['a caller of the wrong type', { ...good, caller: 33612345678 }, 'caller'],
    ['an array', [good], 'body'],
  ])('a malformed body (%s): 400 naming the field', async (_what, body, field) => {
    const before = await callRows();
    const res = await report(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(res.body.error.message).toMatch(/\S/);
    expect(await callRows()).toBe(before);
  });

  test('an unknown agent or line: 404; a hangup of a call never reported: 404; a deactivated agent: 404', async () => {
    const before = await callRows();
    expect((await report({ ...good, agent: 'inconnu' }))).toMatchObject({ status: 404, body: { error: { code: 'PHONE_AGENT_NOT_FOUND', field: 'agent' } } });
    expect((await report({ event: 'ringing', callId: 'x', caller: NUMBER, line: '999' }))).toMatchObject({ status: 404, body: { error: { code: 'PHONE_AGENT_NOT_FOUND', field: 'line' } } });
    expect((await report({ ...good, event: 'hangup', callId: 'jamais-vu' }))).toMatchObject({ status: 404, body: { error: { code: 'PHONE_CALL_NOT_FOUND' } } });
    expect(await callRows()).toBe(before);
  });
});

describe('the contract', () => {
  test('ringing, answered (twice: idempotent), hangup: the call moves forward and the answer says nothing of the caller', async () => {
    const id = callId();
    const base = { callId: id, caller: '06 12 34 56 78', agent: 'amartin' };
    expect(await report({ ...base, event: 'ringing' })).toMatchObject({ status: 200, body: { callId: id, status: 'RINGING', agent: 'amartin', durationSeconds: null } });
    expect(await report({ ...base, event: 'ringing' })).toMatchObject({ status: 200, body: { status: 'RINGING' } });
    expect(await report({ ...base, event: 'answered' })).toMatchObject({ status: 200, body: { status: 'ANSWERED' } });
    expect(await report({ ...base, event: 'answered' })).toMatchObject({ status: 200, body: { status: 'ANSWERED' } });
    const row = await h.db('phone_calls').where({ call_id: id }).first();
    expect(row.caller).toBe(NUMBER); // kept in E.164
    const ended = await report({ ...base, event: 'hangup' });
    expect(ended).toMatchObject({ status: 200, body: { status: 'ENDED' } });
    expect(Object.keys(ended.body).sort()).toEqual(['agent', 'callId', 'durationSeconds', 'status']);
    expect(Number.isInteger(ended.body.durationSeconds)).toBe(true);
    expect((await report({ ...base, event: 'hangup' })).body).toEqual(ended.body);
    expect(await report({ ...base, event: 'answered' })).toMatchObject({ status: 409, body: { error: { code: 'PHONE_CALL_ENDED' } } });
  });

  test('a line names the agent; a line set on an account is one agent\'s', async () => {
    expect((await runGuichet(h.env, 'telephonie', 'ligne', 'bdurand', '204')).code).toBe(0);
    await expect(assignPhoneLine(h.db, 'amartin', '204')).rejects.toMatchObject({ status: 400, code: 'PHONE_LINE_TAKEN', field: 'line' });
    await expect(assignPhoneLine(h.db, 'amartin', 'poste 12')).rejects.toMatchObject({ code: 'PHONE_LINE_INVALID' });
    const id = callId();
    expect(await report({ event: 'answered', callId: id, caller: '+32470123456', line: '204' })).toMatchObject({ status: 200, body: { agent: 'bdurand', status: 'ANSWERED' } });
    await report({ event: 'hangup', callId: id, caller: '+32470123456', line: '204' });
  }, 180_000);
});

describe('the call panel and the recorded call', () => {
  test('answered: the panel shows the caller\'s file, their open requests and those carrying the number; the hangup records the call on the request open in the page, with its duration', async () => {
    const amartin = await agentByCode(h, 'amartin');
    const { id: citizenId } = await createCitizen(h.db, { firstName: 'Jeanne', lastName: 'Dupré', phone: '06.12.34.56.78' }, amartin.id);
    const ofFile = await submitRequest(h, { citizenId, citizen: { firstName: 'Jeanne', lastName: 'Dupré', email: null, phone: null, address: null } });
    const carrying = await submitRequest(h, { citizen: { firstName: 'Paul', lastName: 'Martin', email: null, phone: null, address: null }, answers: { motif: 'Rappeler au 06 12 34 56 78' } });
    const unrelated = await submitRequest(h, { citizen: { firstName: 'Luc', lastName: 'Nom', email: null, phone: '0699999999', address: null } });
    const otherService = await submitRequest(h, { formType: 'signalement-voirie' });

    const idle = await poll(anne);
    expect(idle.status).toBe(200);
    const stamp = /"etat": "([^"]+)"/.exec(idle.text)![1];
    expect((await poll(anne, '/', stamp)).status).toBe(204);

    const id = callId();
    await report({ event: 'ringing', callId: id, caller: NUMBER, agent: 'amartin' });
    await report({ event: 'answered', callId: id, caller: NUMBER, agent: 'amartin' });
    // Anne's page, on the request of the file: it changed.
    const panel = await poll(anne, `/demandes/${ofFile.reference}`, stamp);
    expect(panel.status).toBe(200);
    expect(panel.text).toContain('Appel en cours');
    expect(panel.text).toContain('+33 6 12 34 56 78');
    expect(panel.text).toContain('Jeanne Dupré');
    expect(panel.text).toContain(ofFile.reference);
    expect(panel.text).toContain(carrying.reference);
    expect(panel.text).not.toContain(unrelated.reference);
    expect(panel.text).not.toContain(otherService.reference); // not in Anne's groups
    expect(panel.text).toContain(`L'appel sera enregistré sur la demande ${ofFile.reference}`);
    expect(panel.text).not.toContain('Créer la fiche');

    await new Promise((r) => setTimeout(r, 1100));
    const ended = await report({ event: 'hangup', callId: id, caller: NUMBER, agent: 'amartin' });
    expect(ended.body.durationSeconds).toBeGreaterThanOrEqual(1);
    const event = await waitFor(() => h.db('events').where({ request_id: ofFile.id, type: 'APPEL_TELEPHONIQUE' }).first());
    expect(Number(event.call_seconds)).toBe(ended.body.durationSeconds);
    expect(Number(event.agent_id)).toBe(amartin.id);
    const read = await h.api('GET', `/api/requests/${ofFile.reference}`, h.tokens.amartin);
    expect(read.body.events.find((e: { type: string }) => e.type === 'APPEL_TELEPHONIQUE')).toMatchObject({ agent: { code: 'amartin' }, durationSeconds: ended.body.durationSeconds });
    const page = await anne.call('GET', `/demandes/${ofFile.reference}`);
    expect(page.text).toContain(`Appel téléphonique (${ended.body.durationSeconds} s)`);

    // The panel now offers the wrap-up; the code is recorded as « Enregistrer l'appel » does, and the panel closes.
    const after = await poll(anne, `/demandes/${ofFile.reference}`);
    expect(after.text).toContain(`Appel enregistré sur la demande ${ofFile.reference}`);
    const callRow = await h.db('phone_calls').where({ call_id: id }).first();
    const csrf = await anne.csrf('/');
    const wrapped = await anne.call('POST', `/telephonie/appels/${callRow.id}/qualification`, { _csrf: csrf, wrapUpCode: 'JOINT', note: '' }, { 'HX-Request': 'true' });
    expect(wrapped.status).toBe(200);
    expect(wrapped.text).toContain(`Appel qualifié sur la demande ${ofFile.reference}`);
    expect(await h.db('events').where({ request_id: ofFile.id, type: 'CALL_LOGGED', wrap_up_code: 'JOINT' }).first()).toBeTruthy();
    const closed = await h.db('phone_calls').where({ call_id: id }).first();
    expect(closed.closed_at).not.toBeNull();
    expect(closed.caller).toBeNull(); // the number is forgotten with the panel

    // Nothing of the caller reached the workflow's history: ids and a duration only.
    const history = JSON.stringify(await h.ctx.client.workflow.getHandle(workflowIdOf(ofFile.reference)).fetchHistory(), (k, v: unknown) =>
      (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : k === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v));
    expect(history).toContain('phoneCall');
    for (const secret of ['612345678', '12 34 56 78', 'Jeanne', 'Dupré', 'Dupr\\u00e9']) {
      expect(history.includes(secret)).toBe(false);
    }
  }, 60_000);

  test('no request open: the agent chooses one (once), another agent cannot; an unknown number offers to create the file and enter a request', async () => {
    const request = await submitRequest(h, { citizen: { firstName: 'Inès', lastName: 'Roux', email: null, phone: '+33 7 11 22 33 44', address: null } });
    const id = callId();
    const caller = '+33711223344';
    await report({ event: 'answered', callId: id, caller, agent: 'amartin' });
    const during = await poll(anne, '/demandes/en-cours');
    expect(during.text).toContain('Ouvrez la demande dont il s\'agit');
    expect(during.text).toContain(request.reference); // its phone is the number
    await report({ event: 'hangup', callId: id, caller, agent: 'amartin' });
    const ended = await poll(anne, '/');
    expect(ended.text).toContain('Sur quelle demande enregistrer l\'appel ?');
    const row = await h.db('phone_calls').where({ call_id: id }).first();
    expect(row.request_id).toBeNull();

    // Bruno cannot touch Anne's call: « not found ».
    const bruno = webClient(h.baseUrl, '10.89.14.2');
    await bruno.login('bdurand');
    const refused = await bruno.call('POST', `/telephonie/appels/${row.id}/demande`, { _csrf: await bruno.csrf('/'), reference: request.reference }, { 'HX-Request': 'true' });
    expect(refused.status).toBe(404);

    const csrf = await anne.csrf('/');
    const chosen = await anne.call('POST', `/telephonie/appels/${row.id}/demande`, { _csrf: csrf, reference: request.reference }, { 'HX-Request': 'true' });
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain(`Appel enregistré sur la demande ${request.reference}`);
    expect(await h.db('events').where({ request_id: request.id, type: 'APPEL_TELEPHONIQUE' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    const again = await anne.call('POST', `/telephonie/appels/${row.id}/demande`, { _csrf: csrf, reference: request.reference }, { 'HX-Request': 'true' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('déjà enregistré');
    expect(Number((await h.db('events').where({ request_id: request.id, type: 'APPEL_TELEPHONIQUE' }).count({ n: '*' }).first())!.n)).toBe(1);
    const closed = await anne.call('POST', `/telephonie/appels/${row.id}/fermer`, { _csrf: csrf }, { 'HX-Request': 'true' });
    expect(closed.status).toBe(200);

    // A number nobody has: « Créer la fiche » and « Saisir une demande », prefilled.
    const unknown = callId();
    await report({ event: 'answered', callId: unknown, caller: '+32470123456', agent: 'amartin' });
    const panel = await poll(anne, '/');
    expect(panel.text).toContain('Créer la fiche');
    expect(panel.text).toContain('/usagers/nouveau?telephone=%2B32470123456');
    expect(panel.text).toContain('/saisie?telephone=%2B32470123456');
    expect((await anne.call('GET', '/usagers/nouveau?telephone=%2B32470123456')).text).toMatch(/name="telephone"[^>]*value="\+32470123456"/);
    const entry = await anne.call('GET', '/saisie/acte-naissance?telephone=%2B33711223344');
    expect(entry.text).toMatch(/name="telephone"[^>]*value="\+33 7 11 22 33 44"/);
    await report({ event: 'hangup', callId: unknown, caller: '+32470123456', agent: 'amartin' });
  }, 60_000);

  test('npx guichet telephonie simuler drives the connector: ringing, answered, hangup, with a key of its own, revoked after', async () => {
    const keysBefore = Number((await h.db('api_tokens').where({ kind: 'telephony' }).whereNull('revoked_at').count({ n: '*' }).first())!.n);
    const run = await runGuichet(h.env, 'telephonie', 'simuler', '--agent', 'cpetit', '--numero', '06 98 76 54 32', '--url', h.baseUrl, '--duree', '1');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Sonnerie');
    expect(run.stdout).toContain('Décroché');
    expect(run.stdout).toContain('Raccroché');
    const cpetit = await agentByCode(h, 'cpetit');
    const row = await h.db('phone_calls').where({ agent_id: cpetit.id }).orderBy('id', 'desc').first();
    expect(row).toMatchObject({ status: 'ENDED', caller: '+33698765432' });
    expect(Number((await h.db('api_tokens').where({ kind: 'telephony' }).whereNull('revoked_at').count({ n: '*' }).first())!.n)).toBe(keysBefore);
    const bad = await runGuichet(h.env, 'telephonie', 'simuler', '--agent', 'personne', '--numero', '0612345678', '--url', h.baseUrl, '--duree', '0', '--cle', key);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('404');
  }, 240_000);
});
