// Callbacks and calls (issue 13): « Planifier un rappel » (date, hour in Paris, a checked
// number, « me la réattribuer si possible »), moved or cancelled; the request's workflow
// fires it at its hour to the agent who planned it (assigned, e-mailed) or to the group
// when that agent is absent; overdue marking; « Enregistrer l'appel » with a wrap-up code,
// its statistics, and « Pas de réponse » offering a callback at once.
import { findAgentRowByCode, loadAgent } from '../src/db/agents';
import { openCallbacksOfGroups, sortCallbacks } from '../src/db/callbacks';
import { navBadges } from '../src/db/navBadges';
import { statisticsOf } from '../src/db/statistics';
import { normalPhone } from '../src/calls/phone';
import { moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let amartin: ReturnType<typeof webClient>;
beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true', REFRESH_SECONDS: '3600' } });
  amartin = webClient(h.baseUrl, '10.89.3.1');
  await amartin.login('amartin');
});
afterAll(async () => {
  await h?.close();
});

const HTMX = { 'HX-Request': 'true' };
const wallClock = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
/** The Paris day and hour (HH:MM:SS) of an instant, as an agent would type them. */
const parisWhen = (ms: number) => {
  const [date, time] = wallClock.format(ms).split(' ');
  return { date, time };
};
const inSeconds = (s: number) => parisWhen(Date.now() + s * 1000);
const tomorrowAt = (time: string) => ({ date: parisWhen(Date.now() + 24 * 3600_000).date, time });

const plan = (ref: string, token: string, body: object) => h.api('POST', `/api/requests/${ref}/callbacks`, token, body);
const callbackRows = async (ref: string) => h.db('callbacks').where({ request_id: (await requestRow(h, ref)).id }).orderBy('id');
const eventTypes = async (ref: string) => (await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin)).body.events.map((e: { type: string }) => e.type) as string[];
const callbackMails = (ref: string) => h.mails.filter((m) => m.subject === `Rappel à faire : demande ${ref}`);

test('a phone number is read in international format, French ones as people write them', () => {
  expect(normalPhone('06 12 34 56 78')).toBe('+33612345678');
  expect(normalPhone('06.12.34.56.78')).toBe('+33612345678');
  expect(normalPhone('+33 (0)6 12 34 56 78')).toBe('+33612345678');
  expect(normalPhone('0033 6 12 34 56 78')).toBe('+33612345678');
  expect(normalPhone('+44 20 7946 0958')).toBe('+442079460958');
  expect(normalPhone('12345')).toBeNull();
  expect(normalPhone('+33 6 12 34')).toBeNull();
  expect(normalPhone('appelez-moi')).toBeNull();
});

test('an agent of the group plans a callback; bad number, past hour, another group\'s agent and a closed request are refused and write nothing', async () => {
  const { reference } = await submitRequest(h);
  const res = await plan(reference, h.tokens.amartin, { ...tomorrowAt('14:30'), phone: '06 12 34 56 78', reassignToMe: true });
  expect(res.status).toBe(201);
  expect(res.body.callbacks).toEqual([expect.objectContaining({
    phone: '+33612345678', status: 'PLANNED', reassignToMe: true, overdue: false, agent: { code: 'amartin', name: 'Anne Martin' },
  })]);
  // 14:30 in Paris, whatever the season.
  expect(parisWhen(Date.parse(res.body.callbacks[0].dueAt)).time).toBe('14:30:00');
  expect(res.body.events.at(-1)).toMatchObject({ type: 'CALLBACK_PLANNED', agent: { code: 'amartin' } });

  const before = await callbackRows(reference);
  const badPhone = await plan(reference, h.tokens.amartin, { ...tomorrowAt('10:00'), phone: '12 34' });
  expect(badPhone.status).toBe(400);
  expect(badPhone.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'phone' });
  expect(badPhone.body.error.message).toContain('numéro de téléphone valide');
  const past = await plan(reference, h.tokens.amartin, { ...parisWhen(Date.now() - 60_000), phone: '0612345678' });
  expect(past).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'time', message: 'L\'heure du rappel doit être dans le futur.' } } });
  const badTime = await plan(reference, h.tokens.amartin, { date: '2026-13-40', time: '25:00', phone: '0612345678' });
  expect(badTime.status).toBe(400);
  const other = await plan(reference, h.tokens.cpetit, { ...tomorrowAt('10:00'), phone: '0612345678' });
  expect(other.status).toBe(403);
  expect(await callbackRows(reference)).toEqual(before);

  await moveTo(h, reference, 'CLOTUREE', { agent: 'amartin' });
  const closed = await plan(reference, h.tokens.amartin, { ...tomorrowAt('10:00'), phone: '0612345678' });
  expect(closed.status).toBe(409);
  expect(closed.body.error).toEqual({ code: 'ALREADY_CLOSED', message: 'Cette demande est déjà clôturée.' });
});

test('a callback is moved and cancelled (history says so); a cancelled one cannot be again; another group\'s agent gets 403', async () => {
  const { reference } = await submitRequest(h);
  const planned = await plan(reference, h.tokens.bdurand, { ...tomorrowAt('09:00'), phone: '+33 1 23 45 67 89' });
  const id = planned.body.callbacks[0].id;
  const moved = await h.api('PATCH', `/api/requests/${reference}/callbacks/${id}`, h.tokens.amartin, tomorrowAt('16:15'));
  expect(moved.status).toBe(200);
  expect(parisWhen(Date.parse(moved.body.callbacks[0].dueAt)).time).toBe('16:15:00');
  expect((await h.api('PATCH', `/api/requests/${reference}/callbacks/${id}`, h.tokens.amartin, parisWhen(Date.now() - 3600_000))).status).toBe(400);
  expect((await h.api('PATCH', `/api/requests/${reference}/callbacks/${id}`, h.tokens.cpetit, tomorrowAt('17:00'))).status).toBe(403);
  expect((await h.api('DELETE', `/api/requests/${reference}/callbacks/${id}`, h.tokens.cpetit)).status).toBe(403);
  expect((await h.api('PATCH', `/api/requests/${reference}/callbacks/99999999`, h.tokens.amartin, tomorrowAt('17:00'))).status).toBe(404);

  const cancelled = await h.api('DELETE', `/api/requests/${reference}/callbacks/${id}`, h.tokens.amartin);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.callbacks).toEqual([]);
  expect((await callbackRows(reference))[0]).toMatchObject({ status: 'CANCELLED' });
  const again = await h.api('DELETE', `/api/requests/${reference}/callbacks/${id}`, h.tokens.amartin);
  expect(again).toMatchObject({ status: 409, body: { error: { code: 'CALLBACK_FINISHED' } } });
  expect(await eventTypes(reference)).toEqual(['SUBMITTED', 'CALLBACK_PLANNED', 'CALLBACK_MOVED', 'CALLBACK_CANCELLED']);
});

test('at its hour the callback goes back to the agent who asked for it and is available: assigned, e-mailed, first in their « À rappeler »', async () => {
  const { reference } = await submitRequest(h);
  await moveTo(h, reference, 'EN_COURS', { agent: 'bdurand' });
  expect((await plan(reference, h.tokens.amartin, { ...inSeconds(4), phone: '0612345678', reassignToMe: true })).status).toBe(201);
  // A second one, cancelled: it never fires.
  const cancelled = await plan(reference, h.tokens.amartin, { ...inSeconds(120), phone: '0612345678' });
  // Soonest first: the one in 2 minutes is the second.
  expect((await h.api('DELETE', `/api/requests/${reference}/callbacks/${cancelled.body.callbacks[1].id}`, h.tokens.amartin)).status).toBe(200);

  await waitFor(async () => (await callbackRows(reference)).some((c) => c.status === 'DUE'), 20000, 'callback due');
  const row = await waitFor(async () => {
    const r = await requestRow(h, reference);
    return r.assignee_code === 'amartin' ? r : undefined;
  }, 15000, 'assigned to amartin');
  expect(row.status).toBe('EN_COURS');
  await waitFor(() => callbackMails(reference).length === 1, 15000, 'callback e-mail');
  expect(callbackMails(reference)[0].to).toEqual(['amartin@mairie.example']);
  const events = await eventTypes(reference);
  expect(events.slice(-2)).toEqual(['CALLBACK_DUE', 'REASSIGNED']);
  expect(events.filter((e) => e === 'CALLBACK_DUE')).toHaveLength(1);

  const page = await amartin.call('GET', '/demandes/a-rappeler');
  expect(page.status).toBe(200);
  const mine = page.text.slice(page.text.indexOf('Mes rappels à faire'), page.text.indexOf('Rappels à faire pour le groupe'));
  expect(mine).toContain(reference);
  expect(mine).toContain('+33 6 12 34 56 78');
  expect(page.text).toMatch(/À rappeler <span class="count">[1-9]\d*<\/span>/);
});

test('when the agent who asked is absent, the group is told (not them) and the callback shows for the group; the request keeps its assignee', async () => {
  const { reference } = await submitRequest(h);
  await moveTo(h, reference, 'EN_COURS', { agent: 'bdurand' });
  expect((await plan(reference, h.tokens.amartin, { ...inSeconds(4), phone: '0612345678', reassignToMe: true })).status).toBe(201);
  expect((await h.api('PUT', '/api/me/presence', h.tokens.amartin, { presence: 'ABSENT' })).status).toBe(200);
  try {
    await waitFor(() => callbackMails(reference).length >= 2, 20000, 'callback e-mails to the group');
    await new Promise((r) => setTimeout(r, 500));
    expect(callbackMails(reference).flatMap((m) => m.to).sort()).toEqual(['admin@mairie.example', 'bdurand@mairie.example']);
    expect((await requestRow(h, reference)).assignee_code).toBe('bdurand');
    expect((await eventTypes(reference)).at(-1)).toBe('CALLBACK_DUE');

    const bdurand = webClient(h.baseUrl, '10.89.3.2');
    await bdurand.login('bdurand');
    const page = await bdurand.call('GET', '/demandes/a-rappeler');
    const group = page.text.slice(page.text.indexOf('Rappels à faire pour le groupe'), page.text.indexOf('Rappels planifiés'));
    expect(group).toContain(reference);
  } finally {
    await h.api('PUT', '/api/me/presence', h.tokens.amartin, { presence: 'DISPONIBLE' });
  }
});

test('the nav’s « À rappeler » count is what the page lists as the agent’s and the group’s, whatever the asker’s presence', async () => {
  const { reference } = await submitRequest(h);
  const asked = [
    [h.tokens.amartin, true], [h.tokens.amartin, false], [h.tokens.bdurand, true],
  ] as const;
  for (const [token, reassignToMe] of asked) {
    expect((await plan(reference, token, { ...tomorrowAt('11:00'), phone: '0612345678', reassignToMe })).status).toBe(201);
  }
  await h.db('callbacks').where({ request_id: (await requestRow(h, reference)).id }).update({ status: 'DUE' });
  const counted: Record<string, number[]> = {};
  try {
    // An unknown presence reads as « Disponible ».
    for (const presence of ['DISPONIBLE', 'OCCUPE', 'ABSENT', 'INCONNUE']) {
      await h.db('agents').where({ code: 'amartin' }).update({ presence });
      for (const code of ['amartin', 'bdurand']) {
        const agent = (await loadAgent(h.db, (await findAgentRowByCode(h.db, code))!.id))!;
        const { mine, group } = sortCallbacks(agent, await openCallbacksOfGroups(h.db, agent.groupIds));
        const { callbacksDue } = await navBadges(h.db, agent);
        expect({ presence, code, callbacksDue }).toEqual({ presence, code, callbacksDue: mine.length + group.length });
        counted[code] = [...(counted[code] ?? []), callbacksDue];
      }
    }
  } finally {
    await h.db('agents').where({ code: 'amartin' }).update({ presence: 'DISPONIBLE' });
  }
  // Those she asked back go to the group while she is not « Disponible »: her colleague counts them then.
  const [available, busy, away, unknown] = counted.bdurand;
  expect({ busy: busy > available, away: away === busy, unknown: unknown === available }).toEqual({ busy: true, away: true, unknown: true });
});

test('a callback not done 15 minutes after its hour is « en retard », on the request and in the API', async () => {
  const { reference } = await submitRequest(h);
  const planned = await plan(reference, h.tokens.amartin, { ...tomorrowAt('11:00'), phone: '0612345678' });
  await h.db('callbacks').where({ id: planned.body.callbacks[0].id }).update({ status: 'DUE', due_at: Date.now() - 20 * 60_000 });
  expect((await h.api('GET', `/api/requests/${reference}`, h.tokens.amartin)).body.callbacks[0]).toMatchObject({ status: 'DUE', overdue: true });
  const page = await amartin.call('GET', `/demandes/${reference}`);
  expect(page.text).toContain('En retard');
  expect(page.text).toContain('href="tel:+33612345678"');
});

test('« Enregistrer l\'appel » records the wrap-up code, closes the due callback and feeds the statistics; unknown codes and closed requests are refused', async () => {
  const { reference } = await submitRequest(h);
  const from = Date.now() - 1000;
  const planned = await plan(reference, h.tokens.amartin, { ...tomorrowAt('11:00'), phone: '0612345678' });
  await h.db('callbacks').where({ id: planned.body.callbacks[0].id }).update({ status: 'DUE' });
  const logged = await h.api('POST', `/api/requests/${reference}/calls`, h.tokens.amartin, { wrapUpCode: 'JOINT', note: 'Pièce reçue par téléphone' });
  expect(logged.status).toBe(200);
  expect(logged.body.events.at(-1)).toMatchObject({ type: 'CALL_LOGGED', wrapUpCode: 'JOINT', comment: 'Pièce reçue par téléphone', agent: { code: 'amartin' } });
  expect((await callbackRows(reference))[0]).toMatchObject({ status: 'DONE' });
  expect((await h.api('POST', `/api/requests/${reference}/calls`, h.tokens.amartin, { wrapUpCode: 'OCCUPE' })).status).toBe(200);

  const unknown = await h.api('POST', `/api/requests/${reference}/calls`, h.tokens.amartin, { wrapUpCode: 'PARTI' });
  expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_WRAP_UP_CODE', field: 'wrapUpCode' } } });
  expect((await h.api('POST', `/api/requests/${reference}/calls`, h.tokens.cpetit, { wrapUpCode: 'JOINT' })).status).toBe(403);

  const agent = (await h.db('agents').where({ code: 'amartin' }).first('id')).id;
  const groupIds = (await h.db('agent_groups').where({ agent_id: agent }).pluck('group_id')).map(Number);
  const stats = await statisticsOf(h.db, { groupIds, from, to: Date.now() + 1000 });
  const count = (code: string) => stats.byWrapUp.find((c) => c.code === code)?.count;
  expect(count('JOINT')).toBeGreaterThanOrEqual(1);
  expect(count('OCCUPE')).toBeGreaterThanOrEqual(1);
  expect(stats.byWrapUp.map((c) => c.label)).toEqual(expect.arrayContaining(['Joint', 'Pas de réponse', 'Occupé', 'Mauvais numéro', 'Rappel planifié']));
  const page = await amartin.call('GET', '/statistiques');
  expect(page.text).toContain('Appels par résultat');
  expect(page.text).toMatch(/<th scope="row">Joint<\/th><td>[1-9]\d*<\/td>/);

  await moveTo(h, reference, 'CLOTUREE', { agent: 'amartin' });
  expect((await h.api('POST', `/api/requests/${reference}/calls`, h.tokens.amartin, { wrapUpCode: 'JOINT' })).status).toBe(409);
});

test('on the request page: « Pas de réponse » brings the callback form back open and prefilled; planning, moving and cancelling from the page', async () => {
  const { reference } = await submitRequest(h);
  const csrf = await amartin.csrf(`/demandes/${reference}`);
  const noAnswer = await amartin.call('POST', `/demandes/${reference}/logCall`, { _csrf: csrf, wrapUpCode: 'PAS_DE_REPONSE', note: '' }, HTMX);
  expect(noAnswer.status).toBe(200);
  expect(noAnswer.text).toContain('<details class="action" id="rappel" open>');
  expect(noAnswer.text).toContain('Pas de réponse : planifiez un rappel.');
  // The citizen's number, as it is read.
  expect(noAnswer.text).toMatch(/id="callback-phone"[^>]*value="\+33 6 12 34 56 78"/);
  // Without JavaScript: back to the page, the form open.
  const plain = await amartin.call('POST', `/demandes/${reference}/logCall`, { _csrf: csrf, wrapUpCode: 'PAS_DE_REPONSE' });
  expect(plain.status).toBe(303);
  expect(plain.headers.get('location')).toBe(`/demandes/${reference}?rappel=1#rappel`);

  const when = tomorrowAt('15:45');
  const planned = await amartin.call('POST', `/demandes/${reference}/callback`, { _csrf: csrf, date: when.date, time: '15:45', phone: '06 11 22 33 44', reassignToMe: 'on' }, HTMX);
  expect(planned.status).toBe(200);
  expect(planned.text).toContain('Rappel planifié.');
  expect(planned.text).toContain('+33 6 11 22 33 44');
  const refused = await amartin.call('POST', `/demandes/${reference}/callback`, { _csrf: csrf, date: when.date, time: '15:45', phone: 'inconnu' }, HTMX);
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('numéro de téléphone valide');

  const id = String((await callbackRows(reference))[0].id);
  const moved = await amartin.call('POST', `/demandes/${reference}/moveCallback`, { _csrf: csrf, callback: id, date: when.date, time: '17:05' }, HTMX);
  expect(moved.text).toContain('Rappel déplacé.');
  expect(parisWhen(Number((await callbackRows(reference))[0].due_at)).time).toBe('17:05:00');
  const cancelled = await amartin.call('POST', `/demandes/${reference}/cancelCallback`, { _csrf: csrf, callback: id }, HTMX);
  expect(cancelled.text).toContain('Rappel annulé.');
  expect((await callbackRows(reference))[0].status).toBe('CANCELLED');
  expect((await amartin.call('GET', `/demandes/${reference}`)).text).toContain('Appel : Pas de réponse');
});

test('the administrator keeps the list of wrap-up codes like the closing codes', async () => {
  const admin = webClient(h.baseUrl, '10.89.3.3');
  await admin.login('admin');
  await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
  const page = await admin.call('GET', '/admin/codes/appels');
  expect(page.status).toBe(200);
  expect(page.text).toContain('Codes de qualification d\'appel');
  expect(page.text).toContain('MAUVAIS_NUMERO');
  const added = await admin.call('POST', '/admin/codes/appels', { _csrf: await admin.csrf('/admin/codes/appels'), code: 'MESSAGERIE', label: 'Messagerie vocale' });
  expect(added.status).toBe(303);
  expect(await h.db('wrap_up_codes').where({ code: 'MESSAGERIE' }).first()).toMatchObject({ label: 'Messagerie vocale' });
});
