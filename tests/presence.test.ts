// An agent's presence (Disponible, Occupé, Absent, Pause, Réunion, Formation): set from the
// header of every page (a form post, or htmx swapping the control alone), from « Mon compte »
// and through the API; seen by colleagues (« Équipe », the reassign list). An absent agent is
// given no request (page, API, bulk), gets no e-mail about a new one, and the reminders of
// their requests go to the other agents of the service.
import { changeDelays } from '../src/commands/changeDelays';
import { startBulk } from '../src/commands/bulk';
import { CommandError } from '../src/commands/errors';
import type { Delays } from '../workflows/definitions';
import { agentByCode, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const presenceOf = async (code: string) => (await h.db('agents').where({ code }).first('presence')).presence;
const setVia = (code: string, presence: string) => h.api('PUT', '/api/me/presence', h.tokens[code], { presence });
const file = async (formType = 'acte-naissance', lastName = 'Présence') =>
  (await submitRequest(h, { formType, citizen: { firstName: 'Léa', lastName } })).reference;

test('the header sets the presence by a form post and comes back to the page; with htmx only the control is answered; who and when are recorded', async () => {
  const web = webClient(h.baseUrl, '10.8.0.1');
  await web.login('amartin');
  const list = await web.call('GET', '/demandes/non-traitees');
  expect(list.text).toContain('<option value="DISPONIBLE" selected>Disponible</option>');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(list.text)![1];

  const before = Date.now();
  const posted = await web.call('POST', '/presence', { _csrf: csrf, presence: 'PAUSE', retour: '/demandes/non-traitees' });
  expect(posted.status).toBe(303);
  expect(posted.headers.get('location')).toBe('/demandes/non-traitees');
  const after = await web.call('GET', '/demandes/non-traitees');
  expect(after.text).toContain('<option value="PAUSE" selected>Pause</option>');
  expect(after.text).toContain('Présence : Pause.');
  const amartin = await agentByCode(h, 'amartin');
  const change = await h.db('presence_changes').where({ agent_id: amartin.id }).orderBy('id', 'desc').first();
  expect(change).toMatchObject({ presence: 'PAUSE' });
  expect(Number(change.set_by_agent_id)).toBe(amartin.id);
  expect(Number(change.at)).toBeGreaterThanOrEqual(before);

  const swapped = await web.call('POST', '/presence', { _csrf: csrf, presence: 'OCCUPE', retour: '/' }, { 'HX-Request': 'true' });
  expect(swapped.status).toBe(200);
  expect(swapped.text).toMatch(/^\s*<form id="presence-control"/);
  expect(swapped.text).not.toContain('<html');
  expect(swapped.text).toContain('<option value="OCCUPE" selected>Occupé</option>');
  expect(await presenceOf('amartin')).toBe('OCCUPE');

  const wrong = await web.call('POST', '/presence', { _csrf: csrf, presence: 'VACANCES', retour: '/' }, { 'HX-Request': 'true' });
  expect(wrong.status).toBe(400);
  expect(wrong.text).toContain('Choisissez une présence : Disponible, Occupé, Absent, Pause, Réunion ou Formation.');
  expect(await presenceOf('amartin')).toBe('OCCUPE');
});

test('« Mon compte » sets it too, and says what absence means', async () => {
  const web = webClient(h.baseUrl, '10.8.0.2');
  await web.login('amartin');
  const page = await web.call('GET', '/mon-compte');
  expect(page.text).toContain('Ma présence');
  expect(page.text).toContain('aucune demande ne vous est attribuée');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const posted = await web.call('POST', '/presence', { _csrf: csrf, presence: 'FORMATION', retour: '/mon-compte' });
  expect(posted.headers.get('location')).toBe('/mon-compte');
  expect((await web.call('GET', '/mon-compte')).text).toMatch(/id="presence-FORMATION" name="presence" value="FORMATION" checked/);
  await setVia('amartin', 'DISPONIBLE');
});

test('the API reads and sets the caller’s presence; a wrong one is a JSON error naming the field', async () => {
  const set = await setVia('cpetit', 'REUNION');
  expect(set).toMatchObject({ status: 200, body: { presence: 'REUNION' } });
  const read = await h.api('GET', '/api/me/presence', h.tokens.cpetit);
  expect(read).toMatchObject({ status: 200, body: { presence: 'REUNION', since: set.body.since } });
  expect(Date.parse(read.body.since)).toBeGreaterThan(Date.now() - 60_000);
  const wrong = await setVia('cpetit', 'VACANCES');
  expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'presence' } } });
  expect((await h.api('GET', '/api/me/presence', h.partnerKey)).status).toBe(403);
  await setVia('cpetit', 'DISPONIBLE');
});

test('colleagues see it: « Équipe » lists my services’ agents with their presence and since when, the reassign list names it', async () => {
  await setVia('bdurand', 'REUNION');
  const ref = await file();
  const web = webClient(h.baseUrl, '10.8.0.3');
  await web.login('amartin');
  const team = await web.call('GET', '/equipe');
  expect(team.status).toBe(200);
  expect(team.text).toContain('<a href="/equipe" aria-current="page">');
  const row = /<th scope="row">Bruno Durand<\/th>\s*<td><span class="presence presence-REUNION">Réunion<\/span><\/td>\s*<td><time datetime="([^"]+)">([^<]+)<\/time>/.exec(team.text);
  expect(row).not.toBeNull();
  expect(Date.parse(row![1])).toBeGreaterThan(Date.now() - 60_000);
  expect(team.text).toContain('Anne Martin <span class="muted">(vous)</span>');
  // Chloé Petit is of urbanisme only: not amartin's team.
  expect(team.text).not.toContain('Chloé Petit');

  const page = await web.call('GET', `/demandes/${ref}`);
  expect(page.text).toContain('<option value="bdurand">Bruno Durand (Réunion)</option>');
  expect(page.text).toContain('<option value="admin">Claire Admin</option>');
  await setVia('bdurand', 'DISPONIBLE');
});

test('an absent agent is offered disabled, and a reassign to them is refused in French: page, API, bulk', async () => {
  const ref = await file('acte-naissance', 'Absence');
  await setVia('bdurand', 'ABSENT');
  const web = webClient(h.baseUrl, '10.8.0.4');
  await web.login('amartin');
  const page = await web.call('GET', `/demandes/${ref}`);
  expect(page.text).toContain('<option value="bdurand" disabled>Bruno Durand (Absent)</option>');

  const message = "Bruno Durand est absent·e (sa présence) : une demande ne peut pas lui être attribuée tant qu'il ou elle n'est pas de retour.";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const forged = await web.call('POST', `/demandes/${ref}/reassign`, { _csrf: csrf, agent: 'bdurand' });
  const shown = forged.status === 303 ? await web.call('GET', forged.headers.get('location')!) : forged;
  expect(shown.text).toContain(message);
  const api = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'bdurand' });
  expect(api).toMatchObject({ status: 400, body: { error: { code: 'AGENT_ABSENT', field: 'agent', message } } });

  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const jobs = Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n);
  const bulk = await startBulk(h.ctx, await agentByCode(h, 'amartin'), { action: 'reassign', requestIds: [Number(id)], targetAgent: 'bdurand', notifyCitizen: false }).catch((e: unknown) => e);
  expect(bulk).toBeInstanceOf(CommandError);
  expect(bulk).toMatchObject({ status: 400, code: 'AGENT_ABSENT', message });
  expect(Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n)).toBe(jobs);
  expect(await h.db('requests').where({ reference: ref }).first('assignee_id')).toMatchObject({ assignee_id: null });

  await setVia('bdurand', 'DISPONIBLE');
  const given = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'bdurand' });
  expect(given).toMatchObject({ status: 200, body: { assignee: { code: 'bdurand' } } });
});

test('an absent agent gets no e-mail about a new request; the others of the service do', async () => {
  await setVia('bdurand', 'ABSENT');
  const ref = await file('acte-naissance', 'Annonce');
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const amartin = (await agentByCode(h, 'amartin')).id;
  const bdurand = (await agentByCode(h, 'bdurand')).id;
  await waitFor(async () => (await h.db('emails').where({ request_id: id, kind: 'NEW_REQUEST' }).pluck('agent_id')).map(Number).includes(amartin), 30000, 'the announcement to amartin');
  await new Promise((r) => setTimeout(r, 800));
  expect((await h.db('emails').where({ request_id: id }).pluck('agent_id')).map(Number)).not.toContain(bdurand);
  await setVia('bdurand', 'DISPONIBLE');
});

test('the in-progress reminder of an absent assignee goes to the other agents of the service', async () => {
  const HOUR = 3600_000;
  const slow: Delays = { unprocessedReminderMs: HOUR, reminderEveryMs: HOUR, deletionMs: 10 * HOUR, deletionWarningMs: HOUR, inProgressReminderMs: 2000 };
  await changeDelays(h.ctx, 'declaration-travaux', slow);
  const ref = await file('declaration-travaux', 'Relance');
  // Absent, and still holding a request (taken before leaving: here just after).
  await setVia('cpetit', 'ABSENT');
  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.cpetit, { notifyCitizen: false })).status).toBe(200);
  const reminders = () => h.mails.filter((m) => m.subject.includes(ref) && m.subject.startsWith('Relance'));
  await waitFor(() => reminders().length >= 2, 15000, 'the reminder to the colleagues');
  expect(reminders()[0].subject).toBe(`Relance : la demande ${ref} attend Chloé Petit, absent·e`);
  expect([...new Set(reminders().flatMap((m) => m.to))].sort()).toEqual(['admin@mairie.example', 'bdurand@mairie.example']);
  await setVia('cpetit', 'DISPONIBLE');
});
