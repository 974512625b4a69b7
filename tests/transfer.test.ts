// « Assigner à un autre groupe » (issue 13): a request leaves its group's queue for another
// group's, with a reason. Nobody holds it any more, its status stays, the history says who
// moved it where and why, and the rights follow the queue: the group it left loses them,
// the group it joined gets them. A stale or pointless transfer is refused and changes nothing.
import { transfer } from '../src/commands/transfer';
import { CommandError } from '../src/commands/errors';
import { insertGroup, setMember } from '../src/db/groups';
import { searchRequests } from '../src/db/requestSearch';
import { t } from '../src/i18n';
import { agentByCode, moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let experts: number;
let accueil: number;
beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true', REFRESH_SECONDS: '3600' } });
  // Two groups across services: Chloé Petit (urbanisme) is an expert; David Leroy (voirie) at the front desk.
  experts = await insertGroup(h.db, { name: 'Urbanisme – experts' });
  accueil = await insertGroup(h.db, { name: 'Accueil' });
  await setMember(h.db, experts, (await agentByCode(h, 'cpetit')).id);
  await setMember(h.db, accueil, (await agentByCode(h, 'dleroy')).id);
});
afterAll(async () => {
  await h?.close();
});

const HTMX = { 'HX-Request': 'true' };
const eventsOf = async (requestId: number) => h.db('events').where({ request_id: requestId }).orderBy('seq');

async function agentPage(code: string, address: string) {
  const client = webClient(h.baseUrl, address);
  await client.login(code);
  return client;
}

test('an agent moves a request taken by them to the experts\' group: it leaves their hands and their queue, status kept, the history says who, where and why', async () => {
  const filed = await submitRequest(h, { formType: 'acte-naissance' });
  await moveTo(h, filed.reference, 'EN_COURS', { agent: 'amartin' });
  const amartin = await agentPage('amartin', '10.91.0.1');
  const page = `/demandes/${filed.reference}`;
  // The form offers the other groups by name, not the request's own.
  const form = (await amartin.call('GET', page)).text;
  expect(form).toContain('Assigner à un autre groupe');
  expect(form).toContain('<option value="Urbanisme – experts">Urbanisme – experts</option>');
  expect(form).not.toContain('<option value="État civil">');

  const moved = await amartin.call('POST', `${page}/transfer`, { _csrf: await amartin.csrf(page), group: 'Urbanisme – experts', reason: 'Question de droit des sols' }, HTMX);
  expect(moved.status).toBe(200);
  // The request is no longer hers to see: back to the home page, which says where it went.
  expect(moved.headers.get('hx-redirect')).toBe('/');
  expect((await amartin.call('GET', '/')).text).toContain(`Demande ${filed.reference} transférée au groupe Urbanisme – experts.`);

  const row = await waitFor(async () => {
    const r = await requestRow(h, filed.reference);
    return Number(r.group_id) === experts ? r : undefined;
  }, 10000, 'the transfer projected');
  expect({ status: row.status, assignee: row.assignee_id, group: row.group_name }).toEqual({ status: 'EN_COURS', assignee: null, group: 'Urbanisme – experts' });
  const last = (await eventsOf(row.id)).at(-1);
  const etatCivil = (await h.db('groups').where({ name: 'État civil' }).first('id')).id;
  expect(last).toMatchObject({ type: 'TRANSFERRED', agent_id: (await agentByCode(h, 'amartin')).id, source_group_id: etatCivil, target_group_id: experts });
  // Its whole history moved with it: the statistics count its holds and calls for the experts (src/db/eventScope.ts).
  expect(new Set((await eventsOf(row.id)).map((e) => [e.group_id, e.service_id, e.form_type_id].map(Number).join()))).toEqual(new Set([[experts, row.service_id, row.form_type_id].map(Number).join()]));
  // So did its citizen's name: the experts find it by name, the group it left no longer does.
  const { last_name: name } = await h.db('request_personal').where({ request_id: row.id }).first('last_name');
  const foundBy = async (groupId: number) => (await searchRequests(h.db, { groupIds: [groupId], name }, { sort: 'date', dir: 'desc', page: 1, pageSize: 100 })).rows.some((r) => r.id === row.id);
  expect([await foundBy(experts), await foundBy(etatCivil)]).toEqual([true, false]);

  // The experts see it, with the line and the reason in the feuille de route; the API says the same.
  const cpetit = await agentPage('cpetit', '10.91.0.2');
  const seen = (await cpetit.call('GET', page)).text;
  expect(seen).toContain('Transférée du groupe État civil au groupe Urbanisme – experts, par Anne Martin');
  expect(seen).toContain('Question de droit des sols');
  const api = await h.api('GET', `/api/requests/${filed.reference}`, h.tokens.cpetit);
  expect(api.body.group).toBe('Urbanisme – experts');
  expect(api.body.events.at(-1)).toMatchObject({ type: 'TRANSFERRED', groups: { from: 'État civil', to: 'Urbanisme – experts' }, comment: 'Question de droit des sols' });
});

test('permissions follow the queue: the group it left gets 403 on reading and acting and no longer lists it; the group it joined lists it and acts', async () => {
  const filed = await submitRequest(h, { formType: 'acte-naissance' });
  await moveTo(h, filed.reference, 'EN_COURS', { agent: 'amartin' });
  await transfer(h.ctx, await agentByCode(h, 'amartin'), filed.reference, { group: 'Urbanisme – experts', reason: 'Avis technique' });
  await waitFor(async () => Number((await requestRow(h, filed.reference)).group_id) === experts, 10000, 'moved');

  for (const code of ['amartin', 'bdurand']) {
    expect((await h.api('GET', `/api/requests/${filed.reference}`, h.tokens[code])).status).toBe(403);
    const acted = await h.api('POST', `/api/requests/${filed.reference}/hold`, h.tokens[code], { reason: 'essai' });
    expect(acted.status).toBe(403);
  }
  const amartin = await agentPage('amartin', '10.91.0.3');
  expect((await amartin.call('GET', '/demandes/du-service?taille=100')).text).not.toContain(filed.reference);
  expect((await amartin.call('GET', `/demandes/${filed.reference}`)).status).toBe(403);

  const cpetit = await agentPage('cpetit', '10.91.0.4');
  expect((await cpetit.call('GET', '/demandes/du-service?taille=100')).text).toContain(filed.reference);
  const held = await h.api('POST', `/api/requests/${filed.reference}/hold`, h.tokens.cpetit, { reason: 'Pièce demandée au pétitionnaire' });
  expect(held.status).toBe(200);
  expect(held.body.status).toBe('EN_ATTENTE');
  // A reassignment within the new group names its members only.
  const outsider = await h.api('POST', `/api/requests/${filed.reference}/reassign`, h.tokens.cpetit, { agent: 'amartin' });
  expect(outsider.status).toBe(400);
  expect(outsider.body.error).toMatchObject({ code: 'AGENT_NOT_IN_GROUP', field: 'agent', message: 'Anne Martin n\'est pas membre du groupe Urbanisme – experts.' });
});

test('refused, saying why, and nothing changes: unknown group, its own group, no reason, closed request, an agent of another group', async () => {
  const filed = await submitRequest(h, { formType: 'acte-naissance' });
  const row = await requestRow(h, filed.reference);
  const before = { events: (await eventsOf(row.id)).length, comments: (await h.db('comments').where({ request_id: row.id })).length };
  const refused = async (token: string, body: unknown) => (await h.api('POST', `/api/requests/${filed.reference}/transfer`, token, body));

  expect((await refused(h.tokens.amartin, { group: 'Cuisine', reason: 'x' })).body.error).toEqual({ code: 'UNKNOWN_GROUP', field: 'group', message: 'Aucun groupe ne s\'appelle « Cuisine ».' });
  const same = await refused(h.tokens.amartin, { group: 'État civil', reason: 'x' });
  expect(same.status).toBe(409);
  expect(same.body.error).toMatchObject({ code: 'SAME_GROUP', message: t('errors.SAME_GROUP') });
  const noReason = await refused(h.tokens.amartin, { group: 'Accueil', reason: '  ' });
  expect(noReason.status).toBe(400);
  expect(noReason.body.error).toMatchObject({ field: 'reason', message: 'Indiquez le motif du transfert.' });
  expect((await refused(h.tokens.amartin, { group: 42 })).status).toBe(400);
  expect((await refused(h.tokens.dleroy, { group: 'Accueil', reason: 'x' })).status).toBe(403);
  expect({ events: (await eventsOf(row.id)).length, comments: (await h.db('comments').where({ request_id: row.id })).length }).toEqual(before);
  expect(Number((await requestRow(h, filed.reference)).group_id)).toBe(Number(row.group_id));

  // The web form says it in French, in the panel.
  const amartin = await agentPage('amartin', '10.91.0.5');
  const page = `/demandes/${filed.reference}`;
  const answer = await amartin.call('POST', `${page}/transfer`, { _csrf: await amartin.csrf(page), group: 'État civil', reason: 'x' }, HTMX);
  expect(answer.status).toBe(409);
  expect(answer.text).toContain('Cette demande est déjà dans la file de ce groupe.');

  const closed = await submitRequest(h, { formType: 'acte-naissance' });
  await moveTo(h, closed.reference, 'CLOTUREE', { agent: 'amartin' });
  const late = await h.api('POST', `/api/requests/${closed.reference}/transfer`, h.tokens.amartin, { group: 'Accueil', reason: 'x' });
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('ALREADY_CLOSED');
});

test('two agents move the same request at once to two groups: one wins, the other is told it moved meanwhile; one event', async () => {
  const filed = await submitRequest(h, { formType: 'acte-naissance' });
  const [amartin, bdurand] = [await agentByCode(h, 'amartin'), await agentByCode(h, 'bdurand')];
  const results = await Promise.allSettled([
    transfer(h.ctx, amartin, filed.reference, { group: 'Accueil', reason: 'au guichet' }),
    transfer(h.ctx, bdurand, filed.reference, { group: 'Urbanisme – experts', reason: 'aux experts' }),
  ]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(1);
  expect(lost[0].reason).toBeInstanceOf(CommandError);
  expect((lost[0].reason as CommandError).code).toBe('MOVED_TO_OTHER_GROUP');
  const row = await requestRow(h, filed.reference);
  const events = (await eventsOf(row.id)).filter((e: { type: string }) => e.type === 'TRANSFERRED');
  expect(events).toHaveLength(1);
  expect(Number(row.group_id)).toBe(Number(events[0].target_group_id));
  // The loser's reason was removed with the refusal.
  expect((await h.db('comments').where({ request_id: row.id })).map((c: { body: string }) => c.body)).toHaveLength(1);
});

test('without JavaScript the form redirects to the home page with the message', async () => {
  const filed = await submitRequest(h, { formType: 'acte-naissance' });
  const amartin = await agentPage('amartin', '10.91.0.6');
  const page = `/demandes/${filed.reference}`;
  const moved = await amartin.call('POST', `${page}/transfer`, { _csrf: await amartin.csrf(page), group: 'Accueil', reason: 'Rendez-vous au guichet' });
  expect(moved.status).toBe(303);
  expect(moved.headers.get('location')).toBe('/');
  expect((await amartin.call('GET', '/')).text).toContain(`Demande ${filed.reference} transférée au groupe Accueil.`);
  // The front desk takes it: a NON_TRAITEE request stays NON_TRAITEE in its new queue.
  await waitFor(async () => Number((await requestRow(h, filed.reference)).group_id) === accueil, 10000, 'moved');
  const taken = await h.api('POST', `/api/requests/${filed.reference}/take`, h.tokens.dleroy, { notifyCitizen: false });
  expect(taken.status).toBe(200);
  expect(taken.body.assignee.code).toBe('dleroy');
});
