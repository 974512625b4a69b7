// Priority (issue 13): haute, moyenne or basse on every request. Filed with its form
// type's default (the administrator's), changed by the agents of its service through the
// request page and the API (a workflow Update: refused on a closed request), recorded in
// the feuille de route, shown, sorted and filtered in the lists.
import { setDefaultPriority } from '../src/commands/admin/defaultPriority';
import { CommandError } from '../src/commands/errors';
import { saveFormVersion } from '../src/db/formVersions';
import { delaysOf, findFormType } from '../src/db/formTypes';
import { searchRequests } from '../src/db/requestSearch';
import { formatDelay } from '../src/durations';
import { COMMAND_LINE } from '../src/policies';
import { DELAY_FIELDS } from '../src/commands/admin/durations';
import { formClient } from './support/formClient';
import { moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let amartin: ReturnType<typeof webClient>;
beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true', REFRESH_SECONDS: '3600' } });
  const voirie = await h.db('form_types').where({ slug: 'signalement-voirie' }).first('id');
  await saveFormVersion(h.db, voirie.id, [{ key: 'objet', label: 'Objet', type: 'text', required: true }], null);
  amartin = webClient(h.baseUrl, '10.89.1.1');
  await amartin.login('amartin');
});
afterAll(async () => {
  await h?.close();
});

const HTMX = { 'HX-Request': 'true' };
const priorityOfRow = async (reference: string) => Number((await requestRow(h, reference)).priority);
const eventsOf = async (reference: string) => (await h.api('GET', `/api/requests/${reference}`, h.tokens.amartin)).body.events as { type: string }[];
const historyLine = /Priorité : moyenne → haute, par Anne Martin/;

test('the administrator sets a form type\'s default priority (the demo files road reports « haute »); the citizen\'s form and the API file with it; other form types keep moyenne', async () => {
  const admin = webClient(h.baseUrl, '10.89.1.2');
  await admin.login('admin');
  await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
  const formType = (await findFormType(h.db, 'signalement-voirie'))!;
  expect(Number(formType.default_priority)).toBe(1);
  const delays = delaysOf(formType);
  const fields = {
    title: formType.title,
    serviceId: String(formType.service_id),
    defaultPriority: 'basse',
    ...Object.fromEntries(DELAY_FIELDS.map((f) => [f, formatDelay(delays[f])])),
  };
  const saved = await admin.call('POST', '/admin/demarches/signalement-voirie', { ...fields, _csrf: await admin.csrf('/admin/demarches/signalement-voirie') });
  expect(saved.status).toBe(303);
  expect(Number((await findFormType(h.db, 'signalement-voirie'))!.default_priority)).toBe(3);
  expect((await admin.call('GET', '/admin/demarches/signalement-voirie')).text).toMatch(/<option value="basse" selected>Basse<\/option>/);
  // A word that is no priority is refused with its reason, and nothing changes.
  const refused = await admin.call('POST', '/admin/demarches/signalement-voirie', { ...fields, defaultPriority: 'urgente', _csrf: await admin.csrf('/admin/demarches/signalement-voirie') });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('« urgente » n\'est pas une priorité : choisissez haute, moyenne ou basse.');
  expect(Number((await findFormType(h.db, 'signalement-voirie'))!.default_priority)).toBe(3);

  // The citizen's online form.
  const citizen = formClient(h.baseUrl, { 'x-forwarded-for': '198.51.100.77' });
  const online = await citizen.post('/formulaires/signalement-voirie', '/formulaires/signalement-voirie', { nom: 'Lenoir', prenom: 'Paul', objet: 'Nid de poule' });
  expect(online.status).toBe(303);
  const filedOnline = await h.db('requests').where({ form_type_id: formType.id }).orderBy('id', 'desc').first('reference', 'priority');
  expect(Number(filedOnline.priority)).toBe(3);

  // A partner's filing through the API; an agent of the service reads it « basse ».
  const api = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'signalement-voirie', citizen: { firstName: 'Léa', lastName: 'Api' }, answers: { objet: 'Lampadaire' } });
  expect(api.status).toBe(201);
  expect((await h.api('GET', `/api/requests/${api.body.reference}`, h.tokens.dleroy)).body.priority).toBe('basse');

  // Another form type: moyenne, the default of defaults.
  const other = await submitRequest(h, { formType: 'acte-naissance' });
  expect((await h.api('GET', `/api/requests/${other.reference}`, h.tokens.amartin)).body.priority).toBe('moyenne');

  // The command line says the same, and refuses the same.
  await expect(setDefaultPriority(h.db, COMMAND_LINE, 'signalement-voirie', 'Haute')).resolves.toBe(1);
  await expect(setDefaultPriority(h.db, COMMAND_LINE, 'signalement-voirie', 'urgente')).rejects.toThrow(CommandError);
  expect(Number((await findFormType(h.db, 'signalement-voirie'))!.default_priority)).toBe(1);
});

test('an agent changes the priority through the API: the event says from what to what, and who; the same priority again is refused', async () => {
  const { reference } = await submitRequest(h);
  const res = await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.amartin, { priority: 'haute' });
  expect(res.status).toBe(200);
  expect(res.body.priority).toBe('haute');
  expect(res.body.events.at(-1)).toMatchObject({
    type: 'PRIORITY_CHANGED', agent: { code: 'amartin', name: 'Anne Martin' }, priority: { from: 'moyenne', to: 'haute' },
  });
  expect(await priorityOfRow(reference)).toBe(1);

  // Taken, then lowered by a colleague: the status stays, the history follows.
  await moveTo(h, reference, 'EN_COURS', { agent: 'amartin' });
  const lowered = await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.bdurand, { priority: 'basse' });
  expect(lowered.status).toBe(200);
  expect(lowered.body.status).toBe('EN_COURS');
  expect(lowered.body.events.at(-1)).toMatchObject({ agent: { code: 'bdurand' }, priority: { from: 'haute', to: 'basse' } });

  const same = await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.amartin, { priority: 'basse' });
  expect(same.status).toBe(409);
  expect(same.body.error).toEqual({ code: 'SAME_PRIORITY', message: 'Cette demande a déjà cette priorité.' });

  const bad = await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.amartin, { priority: 'urgente' });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'priority', message: 'Choisissez une priorité : haute, moyenne ou basse.' });
  expect((await eventsOf(reference)).filter((e) => e.type === 'PRIORITY_CHANGED')).toHaveLength(2);
});

test('a closed request\'s priority cannot change (409, French, nothing written); another service\'s agent gets 403', async () => {
  const { reference } = await submitRequest(h);
  const before = await eventsOf(reference);
  const other = await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.cpetit, { priority: 'haute' });
  expect(other.status).toBe(403);
  expect(other.body.error.code).toBe('FORBIDDEN');
  expect(await eventsOf(reference)).toEqual(before);

  await moveTo(h, reference, 'CLOTUREE', { agent: 'amartin' });
  const closed = await eventsOf(reference);
  const res = await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.amartin, { priority: 'haute' });
  expect(res.status).toBe(409);
  expect(res.body.error).toEqual({ code: 'ALREADY_CLOSED', message: 'Cette demande est déjà clôturée.' });
  expect(await eventsOf(reference)).toEqual(closed);
  expect(await priorityOfRow(reference)).toBe(2);

  // The page offers no change on it, and a stale form is told why.
  const page = await amartin.call('GET', `/demandes/${reference}`);
  expect(page.text).not.toContain('/prioritize"');
  const stale = await amartin.call('POST', `/demandes/${reference}/prioritize`, { priority: 'haute', _csrf: await amartin.csrf(`/demandes/${reference}`) }, HTMX);
  expect(stale.status).toBe(409);
  expect(stale.text).toContain('Cette demande est déjà clôturée.');
  expect(await eventsOf(reference)).toEqual(closed);
});

test('on the request page: the badge, the action offering the two other priorities, and the feuille de route line after the change', async () => {
  const { reference } = await submitRequest(h);
  const page = await amartin.call('GET', `/demandes/${reference}`);
  expect(page.text).toContain('<span class="priority priority-moyenne" id="request-priority">Moyenne</span>');
  const form = /action="\/demandes\/[^"]+\/prioritize"[\s\S]*?<\/form>/.exec(page.text)![0];
  expect([...form.matchAll(/<option value="(\w+)">/g)].map((m) => m[1])).toEqual(['haute', 'basse']);

  const answer = await amartin.call('POST', `/demandes/${reference}/prioritize`, { priority: 'haute', _csrf: await amartin.csrf(`/demandes/${reference}`) }, HTMX);
  expect(answer.status).toBe(200);
  expect(answer.text).toContain('Priorité changée.');
  expect(answer.text).toContain('<span class="priority priority-haute" id="request-priority">Haute</span>');
  expect(answer.text).toMatch(historyLine);
  expect(await priorityOfRow(reference)).toBe(1);

  // Without htmx: back to the page, which says the same.
  const plain = await amartin.call('POST', `/demandes/${reference}/prioritize`, { priority: 'basse', _csrf: await amartin.csrf(`/demandes/${reference}`) });
  expect(plain.status).toBe(303);
  const after = await amartin.call('GET', `/demandes/${reference}`);
  expect(after.text).toMatch(historyLine);
  expect(after.text).toContain('Priorité : haute → basse, par Anne Martin');
  const empty = await amartin.call('POST', `/demandes/${reference}/prioritize`, { priority: '', _csrf: await amartin.csrf(`/demandes/${reference}`) }, HTMX);
  expect(empty.status).toBe(400);
  expect(empty.text).toContain('Choisissez une priorité : haute, moyenne ou basse.');
});

test('lists show the priority, sort by it (haute first, the oldest first among equals) and filter by it; the search too', async () => {
  const name = 'Trieur';
  const filed: Record<string, string> = {};
  for (const [label, priority] of [['b', 'basse'], ['h1', 'haute'], ['m', 'moyenne'], ['h2', 'haute']] as const) {
    const { reference } = await submitRequest(h, { citizen: { firstName: label, lastName: name } });
    if (priority !== 'moyenne') {
      expect((await h.api('POST', `/api/requests/${reference}/prioritize`, h.tokens.amartin, { priority })).status).toBe(200);
    }
    filed[label] = reference;
  }
  const groupIds = [Number((await requestRow(h, filed.b)).group_id)];
  const page = { page: 1, pageSize: 100 };
  const refs = async (dir: 'asc' | 'desc', priorities?: number[]) =>
    (await searchRequests(h.db, { groupIds, name, priorities }, { sort: 'priority', dir, ...page })).rows.map((r) => r.reference);
  await waitFor(async () => (await priorityOfRow(filed.h2)) === 1, 10000, 'the last change projected');
  expect(await refs('asc')).toEqual([filed.h1, filed.h2, filed.m, filed.b]);
  expect(await refs('desc')).toEqual([filed.b, filed.m, filed.h1, filed.h2]);
  expect(await refs('asc', [1])).toEqual([filed.h1, filed.h2]);
  expect(await refs('asc', [1, 3])).toEqual([filed.h1, filed.h2, filed.b]);

  // The rubrique: the column's sort link, the badge, the filter.
  const order = (html: string) => [...html.matchAll(/<a href="\/demandes\/([^"?]+)\?depuis=/g)].map((m) => m[1]);
  const list = await amartin.call('GET', `/demandes/non-traitees?nom=${name}&tri=priority&ordre=asc`);
  expect(order(list.text)).toEqual([filed.h1, filed.h2, filed.m, filed.b]);
  expect(list.text).toContain('<span class="priority priority-haute">Haute</span>');
  expect(list.text).toMatch(/aria-sort="ascending"><a href="[^"]*tri=priority[^"]*" class="sort sort-active">Priorité/);
  expect(list.text).toMatch(/<option value="haute">Haute<\/option>/);
  const haute = await amartin.call('GET', `/demandes/non-traitees?nom=${name}&priorite=haute`);
  expect(order(haute.text).sort()).toEqual([filed.h1, filed.h2].sort());
  expect(haute.text).toMatch(/<option value="haute" selected>Haute<\/option>/);

  // The search: one box per priority; two boxes ticked, two priorities.
  const search = await amartin.call('GET', `/recherche?nom=${name}&priorite=haute&priorite=basse&tri=priority&ordre=asc`);
  expect(order(search.text)).toEqual([filed.h1, filed.h2, filed.b]);
  expect(search.text).toContain('id="s-priorite-basse" name="priorite" value="basse" checked');
  // The sort links keep both priorities.
  expect(search.text).toContain('priorite=haute&priorite=basse');
  const unknown = await amartin.call('GET', `/recherche?nom=${name}&priorite=urgente`);
  expect(unknown.text).toContain('Priorité inconnue (haute, moyenne ou basse attendue) : elle n\'est pas prise en compte.');
});
